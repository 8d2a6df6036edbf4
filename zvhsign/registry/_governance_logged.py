"""The governance rows -- partners, signatories and their certificates, mandates -- against the
audit log that made them (see :mod:`._rows_logged`): what decides whether a signer is
authorised (a signatory row or a certificate inserted, a retirement or a mandate's revocation
erased) must be what the log says was registered. The log is replayed in order into what the
rows should be, and the rows are compared with it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.parties import normalise_name
from .models import AuditEventRow, MandateRow, PartnerRow, SignatoryCertificateRow, SignatoryRow

_ACTIONS = ("register-partner", "rename-partner", "remove-partner", "register-signatory", "retire-signatory",
            "register-mandate", "revoke-mandate", "correct-revocation")


@dataclass
class _Logged:
    partners: dict = field(default_factory=dict)  # key -> register-partner details (name as renamed)
    signatories: dict = field(default_factory=dict)  # (partner, name, role) -> {"fps": set, "retired_at"}
    mandates: dict = field(default_factory=dict)  # sha256 -> register-mandate details (+ revoked_at)

    def apply(self, action: str, d: dict, shas: list) -> None:  # noqa: C901 - one branch per action
        if action == "register-partner":
            self.partners[d.get("key")] = dict(d)
        elif action == "rename-partner" and d.get("partner") in self.partners:
            self.partners[d["partner"]]["name"] = d.get("new_name")
        elif action == "remove-partner":
            self.partners.pop(d.get("partner"), None)
            for k in [k for k in self.signatories if k[0] == d.get("partner")]:
                del self.signatories[k]
        elif action == "register-signatory":
            entry = self.signatories.setdefault((d.get("partner"), d.get("name"), d.get("role")),
                                                {"fps": set(), "retired_at": None})
            entry["fps"] |= set(d.get("certificate_fingerprints") or ())
        elif action == "retire-signatory":
            for (partner, name, _role), entry in self.signatories.items():
                if partner == d.get("partner") and normalise_name(name) == normalise_name(str(d.get("name"))):
                    entry["retired_at"] = d.get("retired_at")
        elif action == "register-mandate" and shas:
            self.mandates[shas[0]] = {**d, "revoked_at": None}
        elif action in ("revoke-mandate", "correct-revocation") and shas and shas[0] in self.mandates:
            self.mandates[shas[0]]["revoked_at"] = d.get("revoked_at")


def _replay(s: Session) -> _Logged:
    logged = _Logged()
    rows = s.execute(select(AuditEventRow.action, AuditEventRow.details, AuditEventRow.object_sha256s)
                     .where(AuditEventRow.action.in_(_ACTIONS)).order_by(AuditEventRow.seq))
    for action, details, shas in rows:
        try:
            d, objects = json.loads(details), json.loads(shas)
        except ValueError:
            continue  # (the chain check reports an event that does not parse)
        if isinstance(d, dict) and isinstance(objects, list):
            logged.apply(action, d, objects)
    return logged


def _moment(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _partner_problems(s: Session, logged: _Logged, problem) -> list:  # noqa: ANN001
    from ._governance import _partner

    out = []
    for row in s.execute(select(PartnerRow).order_by(PartnerRow.key)).scalars():
        d = logged.partners.get(row.key)
        what = f"partner {row.key}"
        if d is None:
            out.append(problem("registry-row-unlogged", what, "no register-partner event in the audit log"))
            continue
        now = {"name": row.name, "kind": row.kind, "oin": row.oin, "kvk": row.kvk,
               "signing_roles": list(_partner(row).effective_signing_roles)}
        out += _differences(now, d, what, problem)
    return out


def _differences(now: dict, logged: dict, what: str, problem) -> list:  # noqa: ANN001
    """A problem for each of ``now``'s values (a row's) that is not the ``logged`` one."""
    return [problem("registry-row-altered", what, f"its {k} is {v}, the audit log says {logged.get(k)}")
            for k, v in now.items() if v != logged.get(k)]


def _signatory_problems(s: Session, logged: _Logged, problem) -> list:  # noqa: ANN001
    out = []
    keys = {}
    for row in s.execute(select(SignatoryRow).order_by(SignatoryRow.id)).scalars():
        keys[row.id] = key = (row.partner_key, row.name, row.role)
        what = f"signatory {row.name} ({row.role}, {row.partner_key})"
        entry = logged.signatories.get(key)
        if entry is None:
            out.append(problem("registry-row-unlogged", what, "no register-signatory event in the audit log"))
        elif _moment(row.retired_at) != _moment(entry["retired_at"]):
            out.append(problem("registry-row-altered", what,
                               f"its retired_at is {row.retired_at}, the audit log says {entry['retired_at']}"))
    for fp, sid in s.execute(select(SignatoryCertificateRow.fingerprint, SignatoryCertificateRow.signatory_id)):
        entry = logged.signatories.get(keys.get(sid))
        if entry is not None and fp not in entry["fps"]:
            out.append(problem("registry-row-unlogged", f"certificate {fp[:16]}… of signatory {keys[sid][1]}",
                               "no register-signatory event in the audit log gives it to this signatory"))
    return out


def _mandate_problems(s: Session, logged: _Logged, problem) -> list:  # noqa: ANN001
    out = []
    for row in s.execute(select(MandateRow).order_by(MandateRow.sha256)).scalars():
        d = logged.mandates.get(row.sha256)
        what = f"mandate {row.sha256[:12]}… ({row.partner_key}, {row.mayor})"
        if d is None:
            out.append(problem("registry-row-unlogged", what, "no register-mandate event in the audit log"))
            continue
        try:
            covers = json.loads(row.terms).get("covers")
        except (ValueError, AttributeError):
            covers = None
        now = {"partner": row.partner_key, "mayor": row.mayor, "decision_date": row.decision_date.isoformat(),
               "covers": covers}
        out += _differences(now, d, what, problem)
        if _moment(row.revoked_at) != _moment(d["revoked_at"]):
            out.append(problem("registry-row-altered", what,
                               f"its revoked_at is {row.revoked_at}, the audit log says {d['revoked_at']}"))
    return out


def governance_rows_as_logged(s: Session, problem) -> list:  # noqa: ANN001
    """A ``problem(kind, object, message)`` for each partner, signatory, certificate or mandate
    row that differs from the audit log, or that no event registered."""
    logged = _replay(s)
    return (_partner_problems(s, logged, problem) + _signatory_problems(s, logged, problem)
            + _mandate_problems(s, logged, problem))
