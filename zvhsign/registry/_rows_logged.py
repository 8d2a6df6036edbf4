"""The registry's rows against the audit log that made them: a row changed in the database
after the fact (``UPDATE approved_versions SET decided_on = …``) left the hash chain intact --
the chain covers the events, not the rows -- while ``versions``, ``verify`` and the audit
report used the forged value. Each approved version's row must say what its ``approve`` (or
``import-approved``) event says, and be superseded exactly as the ``supersede`` events say.
(The events themselves are covered by the chain and its anchors.)"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApprovedVersionRow, AuditEventRow

# what an approve event records of the version, compared with the row as text
_FIELDS = ("document", "version", "source_sha256", "approved_size", "decided_on", "approver_fingerprint")


def _logged(s: Session) -> tuple[dict[str, dict], dict[tuple[str, str], str]]:
    """(approve details by approved SHA-256, superseded_by by (document, version)), as logged."""
    approved: dict[str, dict] = {}
    superseded: dict[tuple[str, str], str] = {}
    rows = s.execute(select(AuditEventRow.action, AuditEventRow.details)
                     .where(AuditEventRow.action.in_(("approve", "import-approved", "supersede")))
                     .order_by(AuditEventRow.seq))
    for action, text in rows:
        try:
            details = json.loads(text)
        except ValueError:
            continue  # (an event that does not parse is the chain check's to report)
        if not isinstance(details, dict):
            continue
        if action == "supersede":
            superseded[(str(details.get("document")), str(details.get("version")))] = details.get("superseded_by")
            continue
        approved[str(details.get("approved_sha256"))] = details
        if details.get("superseded_by"):  # imported already superseded
            superseded[(str(details.get("document")), str(details.get("version")))] = details["superseded_by"]
    return approved, superseded


def _row_value(row: ApprovedVersionRow, name: str) -> str:
    value = getattr(row, name)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _same_moment(a: datetime, logged: object) -> bool:
    try:
        return a == datetime.fromisoformat(str(logged))
    except ValueError:
        return False


def approved_rows_as_logged(s: Session, problem) -> list:  # noqa: ANN001
    """A ``problem(kind, object, message)`` for each approved version whose row differs from
    the audit log, or that no event registered."""
    approved, superseded = _logged(s)
    out = []
    for row in s.execute(select(ApprovedVersionRow).order_by(ApprovedVersionRow.id)).scalars():
        what = f"approved version {row.document} {row.version}"
        logged = approved.get(row.approved_sha256)
        if logged is None:
            out.append(problem("registry-row-unlogged", what, "no approve event in the audit log registers it"))
            continue
        changed = [f for f in _FIELDS if _row_value(row, f) != str(logged.get(f))]
        if not _same_moment(row.approved_at, logged.get("approved_at")):
            changed.append("approved_at")
        if row.superseded_by != superseded.get((row.document, row.version)):
            changed.append("superseded_by")
        for f in changed:
            shown = "superseded_by" if f == "superseded_by" else f
            expected = superseded.get((row.document, row.version)) if f == "superseded_by" else logged.get(f)
            out.append(problem(
                "registry-row-altered", what,
                f"its {shown} is {getattr(row, f)!s}, the audit log says {expected!s}"))
    return out
