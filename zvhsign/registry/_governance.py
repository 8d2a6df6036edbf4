"""Governance storage: partners, signatories, mandates, recorded copies.

Reached as ``registry.governance`` (a :class:`GovernanceStore` over the same
database). Returns domain objects (``zvhsign.domain.parties``, ``.mandates``); every
change appends an audit event in the same transaction as the change. Partners and
signatories are here; mandates in ``_mandates``, recorded copies in ``_copies``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from zvhsign.domain.parties import Partner, Signatory, normalise_name
from zvhsign.errors import RefusedError

from ._copies import RecordedCopies, RecordedCopy
from ._db import DuplicateError, NotFoundError
from ._mandates import MandateStore
from ._tx import _now
from .models import (
    MandateRow,
    PartnerRow,
    RecordedSignatureRow,
    SignatoryCertificateRow,
    SignatoryRow,
)

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["GovernanceStore", "RecordedCopy"]


def _partner(row: PartnerRow) -> Partner:
    return Partner(
        key=row.key, name=row.name, kind=row.kind, oin=row.oin, kvk=row.kvk,
        signing_roles=tuple(json.loads(row.signing_roles)),
    )


class GovernanceStore(MandateStore, RecordedCopies):
    """Partners, signatories, mandates and recorded copies in the registry."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    # -- partners --------------------------------------------------------------

    def add_partner(self, p: Partner, *, actor: str) -> None:
        with self._reg.write(f"registering partner {p.name}") as tx:
            self._add_partner(tx, p, actor)

    def add_all(self, partners: Sequence[Partner], signatories: Sequence[Signatory], *, actor: str) -> None:
        """Partners and signatories in one transaction: all of them, or (an error) none."""
        with self._reg.write("importing partners") as tx:
            for p in partners:
                self._add_partner(tx, p, actor)
            for sig in signatories:
                self._add_signatory(tx, sig, actor)

    @staticmethod
    def _add_partner(tx, p: Partner, actor: str) -> None:  # noqa: ANN001
        s = tx.session
        if s.get(PartnerRow, p.key) is not None:
            raise DuplicateError(f"partner {p.key!r} is already registered")
        if s.execute(select(PartnerRow).where(PartnerRow.name == p.name)).scalar_one_or_none():
            raise DuplicateError(f"a partner named {p.name!r} is already registered")
        s.add(PartnerRow(
            key=p.key, name=p.name, kind=p.kind, oin=p.oin, kvk=p.kvk,
            signing_roles=json.dumps(list(p.signing_roles)), created_at=_now(),
        ))
        s.flush()
        tx.append("register-partner", p.name, actor=actor, details=p.to_json())

    def rename_partner(self, key: str, name: str, *, actor: str) -> Partner:
        """A partner's new name (e.g. after a municipal merger of names); logged with the old one."""
        with self._reg.write(f"renaming partner {key}") as tx:
            s = tx.session
            row = s.get(PartnerRow, key)
            if row is None:
                raise NotFoundError(f"no partner {key!r}", hint="`zvhsign partner list` shows them")
            if s.execute(select(PartnerRow).where(PartnerRow.name == name, PartnerRow.key != key)).first():
                raise DuplicateError(f"a partner named {name!r} is already registered")
            old, row.name = row.name, name
            _partner(row)  # still a valid partner
            s.flush()
            tx.append("rename-partner", f"{old} → {name}", actor=actor,
                      details={"partner": key, "old_name": old, "new_name": name})
            return _partner(row)

    def remove_partner(self, key: str, *, actor: str) -> Partner:
        """Remove a partner registered by mistake, with its signatories; logged. Refused when a
        recorded copy holds its signature or it has a mandate: then it is evidence, retire instead."""
        with self._reg.write(f"removing partner {key}") as tx:
            s = tx.session
            row = s.get(PartnerRow, key)
            if row is None:
                raise NotFoundError(f"no partner {key!r}", hint="`zvhsign partner list` shows them")
            used = s.execute(select(RecordedSignatureRow).where(RecordedSignatureRow.partner_key == key)).first()
            mandated = s.execute(select(MandateRow).where(MandateRow.partner_key == key)).first()
            if used or mandated:
                raise RefusedError(
                    f"{row.name} can't be removed: " + ("recorded copies hold its signatures" if used
                                                        else "it has registered mandates"),
                    hint="retire its signatories instead (`zvhsign signatory retire`)",
                )
            gone = _partner(row)
            sig_rows = list(s.execute(select(SignatoryRow).where(SignatoryRow.partner_key == key)).scalars())
            for sr in sig_rows:
                for c in s.execute(select(SignatoryCertificateRow).where(
                        SignatoryCertificateRow.signatory_id == sr.id)).scalars():
                    s.delete(c)
                s.delete(sr)
            s.flush()
            s.delete(row)
            s.flush()
            tx.append("remove-partner", row.name, actor=actor,
                      details={"partner": key, "signatories": [sr.name for sr in sig_rows]})
            return gone

    def partners(self) -> list[Partner]:
        with self._reg._read("listing partners") as s:
            rows = s.execute(select(PartnerRow).order_by(PartnerRow.key)).scalars()
            return [_partner(r) for r in rows]

    def partner(self, key: str) -> Partner | None:
        with self._reg._read("looking up a partner") as s:
            row = s.get(PartnerRow, key)
            return _partner(row) if row else None

    def find_partner(self, text: str) -> Partner | None:
        """By key, name, or municipality name ("haarlem", "Gemeente Haarlem", "Haarlem")."""
        want = normalise_name(text)
        for p in self.partners():
            if want in (p.key, normalise_name(p.name), normalise_name(p.municipality_name)):
                return p
        return None

    # -- signatories -----------------------------------------------------------

    def add_signatory(self, sig: Signatory, *, actor: str) -> None:
        with self._reg.write(f"registering signatory {sig.name}") as tx:
            self._add_signatory(tx, sig, actor)

    @staticmethod
    def _add_signatory(tx, sig: Signatory, actor: str) -> None:  # noqa: ANN001
        s = tx.session
        if s.get(PartnerRow, sig.partner_key) is None:
            raise NotFoundError(
                f"no partner {sig.partner_key!r}", hint="add it first with `zvhsign partner add`"
            )
        row = s.execute(select(SignatoryRow).where(
            SignatoryRow.partner_key == sig.partner_key, SignatoryRow.name == sig.name,
            SignatoryRow.role == sig.role,
        )).scalar_one_or_none()
        new_fps = []
        if row is None:
            row = SignatoryRow(partner_key=sig.partner_key, name=sig.name, role=sig.role, created_at=_now())
            s.add(row)
            s.flush()
        for fp in sig.fingerprints:
            have = s.get(SignatoryCertificateRow, fp)
            if have is not None:
                if have.signatory_id != row.id:
                    raise DuplicateError(f"certificate {fp[:16]}… already belongs to another signatory")
                continue
            s.add(SignatoryCertificateRow(fingerprint=fp, signatory_id=row.id))
            new_fps.append(fp)
        s.flush()
        tx.append(
            "register-signatory", f"{sig.name} ({sig.role}, {sig.partner_key})", actor=actor,
            details={"partner": sig.partner_key, "name": sig.name, "role": sig.role,
                     "certificate_fingerprints": new_fps},
        )

    def signatories(self, partner_key: str | None = None) -> list[Signatory]:
        with self._reg._read("listing signatories") as s:
            q = select(SignatoryRow).order_by(SignatoryRow.partner_key, SignatoryRow.id)
            if partner_key:
                q = q.where(SignatoryRow.partner_key == partner_key)
            rows = list(s.execute(q).scalars())
            certs = list(s.execute(select(SignatoryCertificateRow)).scalars())
            by_id: dict[int, list[str]] = {}
            for c in certs:
                by_id.setdefault(c.signatory_id, []).append(c.fingerprint)
            return [
                Signatory(r.partner_key, r.name, r.role, tuple(sorted(by_id.get(r.id, ()))), r.retired_at)
                for r in rows
            ]

    def retire_signatory(self, partner_key: str, name: str, retired_at: datetime, *,
                         reason: str, actor: str) -> Signatory:
        """Record that ``name`` no longer signs for the partner from ``retired_at`` on."""
        with self._reg.write(f"retiring signatory {name}") as tx:
            s = tx.session
            rows = [r for r in s.execute(select(SignatoryRow).where(SignatoryRow.partner_key == partner_key)).scalars()
                    if normalise_name(r.name) == normalise_name(name)]
            if not rows:
                raise NotFoundError(f"no signatory {name!r} of {partner_key}",
                                    hint="`zvhsign signatory list` shows them")
            for r in rows:
                r.retired_at = retired_at
            s.flush()
            tx.append(
                "retire-signatory", f"{rows[0].name} ({partner_key}) retired", actor=actor,
                details={"partner": partner_key, "name": rows[0].name,
                         "retired_at": retired_at.isoformat(), "reason": reason},
            )
        return next(x for x in self.signatories(partner_key) if normalise_name(x.name) == normalise_name(name))
