"""Logging the workspace configuration and the trust settings in the audit log."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from zvhsign.domain.audit import AuditEvent

from ._auditlog import AuditLog
from .models import AuditEventRow


class TrustSettingsLog(AuditLog):
    """``config`` events (part of :class:`~zvhsign.registry.Registry`)."""

    def log_config_change(
        self,
        what: str,
        *,
        actor: str,
        config_sha256: str,
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Log a change to the workspace configuration (``config`` event with the new file's hash)."""
        return self.append_event(
            "config",
            what,
            actor=actor,
            object_sha256s=(config_sha256,),
            details={"config_sha256": config_sha256, **dict(details or {})},
        )

    def _last_trust_snapshot(self, s: Session) -> str | None:
        rows = s.execute(
            select(AuditEventRow.details)
            .where(AuditEventRow.action.in_(("init", "config")))
            .order_by(AuditEventRow.seq.desc())
        ).scalars()
        for details in rows:
            value = json.loads(details).get("trust_sha256")
            if value:
                return value
        return None

    def record_trust_settings(self, snapshot: Mapping[str, object], *, actor: str) -> AuditEvent | None:
        """Log a ``config`` event when the trust settings (``snapshot["trust_sha256"]``:
        trust roots, secretariat and other certificates, TSA) differ from the last ones
        logged; None when they are the same. Read first, so an unchanged workspace
        costs no write."""
        current = snapshot["trust_sha256"]
        with self._read("reading the logged trust settings") as s:
            if self._last_trust_snapshot(s) == current:
                return None
        with self._write("logging changed trust settings") as tx:
            previous = self._last_trust_snapshot(tx.session)
            if previous == current:
                return None  # another process logged it meanwhile
            return tx.append(
                "config",
                "trust settings recorded" if previous is None else "trust settings changed",
                actor=actor, object_sha256s=(str(current),),
                details={**dict(snapshot), "previous_trust_sha256": previous},
            )
