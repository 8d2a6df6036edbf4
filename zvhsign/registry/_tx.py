"""The write-transaction machinery: reads, locked writes and appending audit events.

:class:`RegistryBase` holds the engine and the transactions every part of the
:class:`~zvhsign.registry.Registry` builds on; the registry's other concerns are
mixins on top of it (``_approved``, ``_blobs``, ``_auditlog``, ``_trust_log``, ``_storage``).
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from zvhsign.domain.audit import AuditEvent
from zvhsign.errors import RegistryError, UsageError

from ._db import WRITE_OPTION, guarded, safe_url
from .models import AuditChainHead, AuditEventRow


def _now() -> datetime:
    """The time a write records (UTC)."""
    return datetime.now(timezone.utc)


def current_os_user() -> str:
    """The OS user running zvhsign: the ``actor`` of audit events."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry / no USER in containers
        return os.environ.get("USER") or os.environ.get("USERNAME") or f"uid:{os.getuid()}"


@dataclass
class _Tx:
    """One open write transaction (see :meth:`Registry.write`)."""

    session: Session
    head: AuditChainHead | None

    def append(
        self,
        action: str,
        subject: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Append an audit event in this transaction: it commits with the change, or not at all."""
        return _append(
            self,
            action=action,
            subject=subject,
            actor=actor,
            actor_certificate=actor_certificate,
            object_sha256s=object_sha256s,
            details=details,
        )


WriteTx = _Tx
"""Public name of the write-transaction handle (``session`` + ``append``)."""


def _lock_head(session: Session) -> AuditChainHead:
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        raise RegistryError(
            "the registry's audit chain head is missing: the database was tampered with",
            hint="restore it from a backup",
        )
    return head


def _append(
    tx: _Tx,
    *,
    action: str,
    subject: str,
    actor: str,
    actor_certificate: str | None = None,
    object_sha256s: Iterable[str] = (),
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    head = tx.head
    assert head is not None, "audit append outside a locked write transaction"
    try:
        ev = AuditEvent.build(
            seq=head.seq + 1,
            prev_hash=head.hash,
            at=datetime.now(timezone.utc),
            actor=actor,
            actor_certificate=actor_certificate,
            action=action,
            subject=subject,
            object_sha256s=object_sha256s,
            details=details,
        )
    except (TypeError, ValueError) as exc:
        raise UsageError(f"can't log audit event {action!r}: {exc}") from None
    tx.session.add(
        AuditEventRow(
            seq=ev.seq,
            at=ev.at,
            actor=ev.actor,
            actor_certificate=ev.actor_certificate,
            action=ev.action,
            subject=ev.subject,
            object_sha256s=json.dumps(list(ev.object_sha256s)),
            details=json.dumps(ev.details, sort_keys=True, ensure_ascii=False),
            prev_hash=ev.prev_hash,
            hash=ev.hash,
        )
    )
    head.seq = ev.seq
    head.hash = ev.hash
    tx.session.flush()
    return ev


class RegistryBase:
    """The engine, the URL and the transactions of a :class:`~zvhsign.registry.Registry`."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._shown = safe_url(url)

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return self._shown

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    # -- transactions --------------------------------------------------------

    @contextmanager
    def _read(self, doing: str) -> Iterator[Session]:
        with guarded(self._url, doing), self._engine.connect() as conn:
            with conn.begin(), Session(bind=conn) as session:
                yield session

    @contextmanager
    def _write(self, doing: str, *, lock_head: bool = True) -> Iterator[_Tx]:
        """One write transaction; with ``lock_head`` the audit chain head is locked first.

        SQLite: BEGIN IMMEDIATE (the database write lock, waiting up to the busy
        timeout). PostgreSQL: SELECT ... FOR UPDATE on the one-row chain head.
        """
        with guarded(self._url, doing), self._engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin(), Session(bind=conn, autoflush=True) as session:
                tx = _Tx(session, self._lock_head(session) if lock_head else None)
                yield tx
                session.flush()

    @contextmanager
    def write(self, doing: str) -> Iterator[_Tx]:
        """A write transaction for registry modules that change rows *and* log the change.

        The audit chain head is locked first (so writers are serialised and the
        chain can't fork); ``tx.session`` is a SQLAlchemy session on the
        transaction and ``tx.append(action, subject, actor=..., ...)`` logs the
        event. Both commit together when the block ends, or neither does (an
        exception, a crash, SIGKILL). ``doing`` names the action in error
        messages, e.g. "registering partner Gemeente Haarlem"::

            with registry.write("registering partner X") as tx:
                tx.session.add(PartnerRow(...))
                tx.append("register-partner", "Gemeente Haarlem", actor=actor,
                          object_sha256s=(...), details={...})
        """
        with self._write(doing) as tx:
            yield tx

    _lock_head = staticmethod(_lock_head)
    _append = staticmethod(_append)
