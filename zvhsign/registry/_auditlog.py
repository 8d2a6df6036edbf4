"""The audit log in the database: events, the chain head, anchors and verification."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select

from zvhsign.domain.audit import (
    ANCHOR_ACTION,
    Anchor,
    AuditEvent,
    ChainHead,
    ChainProblem,
    anchors_of,
    check_anchors,
    verify_chain,
)

from ._db import ConflictError
from ._tx import RegistryBase
from .models import AuditChainHead, AuditEventRow


def _event_to_domain(row: AuditEventRow) -> AuditEvent:
    # A tampered row may not even parse; keep it so verification reports it as altered.
    try:
        objs = tuple(json.loads(row.object_sha256s))
    except (ValueError, TypeError):
        objs = (str(row.object_sha256s),)
    try:
        details = json.loads(row.details)
        if not isinstance(details, dict):
            details = {"<unparseable>": row.details}
    except (ValueError, TypeError):
        details = {"<unparseable>": str(row.details)}
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        actor_certificate=row.actor_certificate,
        action=row.action,
        subject=row.subject,
        object_sha256s=objs,
        details=details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditLog(RegistryBase):
    """The audit log (part of :class:`~zvhsign.registry.Registry`)."""

    def append_event(
        self,
        action: str,
        subject: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Log an event that changes nothing else in the registry (e.g. ``record-copy``)."""
        with self._write(f"logging {action}") as tx:
            return tx.append(
                action, subject, actor=actor, actor_certificate=actor_certificate,
                object_sha256s=object_sha256s, details=details,
            )

    def add_anchor(
        self,
        anchored: ChainHead,
        token_der: bytes,
        *,
        tsa_time: datetime,
        tsa: str | None,
        actor: str,
    ) -> AuditEvent:
        """Store an RFC 3161 token over the chain head ``anchored`` as an ``anchor`` event.

        The token was obtained before this transaction; other events may have
        been appended meanwhile, which is fine: the anchor names the event it
        timestamped. ``anchored`` must be an event of this log with that hash.
        """
        import base64

        with self._write("storing an audit log anchor") as tx:
            row = tx.session.get(AuditEventRow, anchored.seq)
            if row is None or row.hash != anchored.hash:
                raise ConflictError(
                    f"the anchored event #{anchored.seq} is not in this log with hash "
                    f"{anchored.hash[:16]}…; the anchor was not stored"
                )
            return self._append(
                tx,
                action=ANCHOR_ACTION,
                subject=f"audit log up to event #{anchored.seq}",
                actor=actor,
                object_sha256s=(anchored.hash,),
                details=Anchor.details_for(
                    anchored=anchored,
                    token_b64=base64.b64encode(token_der).decode("ascii"),
                    tsa_time=tsa_time,
                    tsa=tsa,
                ),
            )

    def anchors(self) -> list[Anchor]:
        """The stored anchors (RFC 3161 tokens over earlier chain heads), oldest first."""
        return anchors_of(self.events())

    def events(self) -> list[AuditEvent]:
        """The whole audit log, in storage order."""
        with self._read("reading the audit log") as s:
            rows = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
            return [_event_to_domain(r) for r in rows]

    def chain_head(self) -> ChainHead | None:
        """The recorded end of the audit chain."""
        with self._read("reading the audit log") as s:
            head = s.get(AuditChainHead, 1)
            return ChainHead(head.seq, head.hash) if head is not None else None

    def verify_log(self) -> list[ChainProblem]:
        """Problems with the audit chain; empty when it is intact."""
        with self._read("reading the audit log") as s:
            rows = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
            events = [_event_to_domain(r) for r in rows]
            head_row = s.get(AuditChainHead, 1)
            head = ChainHead(head_row.seq, head_row.hash) if head_row is not None else None
        problems = verify_chain(events, head=head) + check_anchors(events)
        if head is None:
            problems.insert(
                0, ChainProblem("deleted", (), "the recorded chain head is missing")
            )
        return problems
