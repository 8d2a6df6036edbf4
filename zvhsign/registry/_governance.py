"""Governance storage: partners, signatories, mandates, recorded copies.

Reached as ``registry.governance`` (a :class:`GovernanceStore` over the same
database). Returns domain objects (``zvhsign.domain.parties``, ``.mandates``); every
change appends an audit event in the same transaction as the change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from zvhsign.domain.digests import Sha256
from zvhsign.domain.evidence import CertificateInfo, TimestampEvidence
from zvhsign.domain.evidence import FileEvidence
from zvhsign.domain.mandates import Mandate, MandateSignature, MandateTerms
from zvhsign.domain.parties import Partner, Signatory, normalise_name
from zvhsign.errors import RefusedError, UsageError

from ._db import DuplicateError, NotFoundError
from .models import (
    Blob,
    MandateRow,
    PartnerRow,
    RecordedCopyRow,
    RecordedSignatureRow,
    SignatoryCertificateRow,
    SignatoryRow,
)

if TYPE_CHECKING:
    from ._registry import Registry


def _now() -> datetime:
    return datetime.now(UTC)


def _partner(row: PartnerRow) -> Partner:
    return Partner(
        key=row.key, name=row.name, kind=row.kind, oin=row.oin, kvk=row.kvk,
        signing_roles=tuple(json.loads(row.signing_roles)),
    )


def _ts_json(ts: TimestampEvidence | None) -> dict | None:
    return ts.to_json() if ts else None


def _ts(d: dict | None) -> TimestampEvidence | None:
    if not d:
        return None
    return TimestampEvidence(
        time=datetime.fromisoformat(d["time"]), tsa=d.get("tsa"),
        intact=bool(d["intact"]), valid=bool(d["valid"]), trusted=bool(d["trusted"]),
    )


def _cert_json(c: CertificateInfo | None) -> dict | None:
    return c.to_json() if c else None


def _cert(d: dict | None) -> CertificateInfo | None:
    if not d:
        return None
    return CertificateInfo(
        subject=d["subject"], common_name=d.get("common_name"), organisation=d.get("organisation"),
        organisation_identifier=d.get("organisation_identifier"),
        subject_serial_number=d.get("subject_serial_number"), title=d.get("title"),
        issuer=d["issuer"], serial_hex=d["serial"],
        not_before=datetime.fromisoformat(d["not_before"]),
        not_after=datetime.fromisoformat(d["not_after"]),
        fingerprint_sha256=d["fingerprint_sha256"], key_usage=tuple(d.get("key_usage") or ()),
    )


def _sigs_json(sigs: Sequence[MandateSignature]) -> str:
    return json.dumps(
        [
            {
                "field": s.field_name, "signer": _cert_json(s.signer), "intact": s.intact,
                "valid": s.valid, "trusted": s.trusted,
                "signature_timestamp": _ts_json(s.signature_timestamp),
                "content_timestamp": _ts_json(s.content_timestamp),
            }
            for s in sigs
        ],
        sort_keys=True,
    )


def _mandate(row: MandateRow) -> Mandate:
    sigs = tuple(
        MandateSignature(
            field_name=d["field"], signer=_cert(d["signer"]), intact=d["intact"], valid=d["valid"],
            trusted=d["trusted"], signature_timestamp=_ts(d["signature_timestamp"]),
            content_timestamp=_ts(d.get("content_timestamp")),
        )
        for d in json.loads(row.signatures)
    )
    return Mandate(
        sha256=Sha256(row.sha256), partner_key=row.partner_key,
        terms=MandateTerms.from_json(json.loads(row.terms)), signatures=sigs,
        revision_sha256s=tuple(json.loads(row.revision_sha256s)),
        registered_at=row.registered_at, revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
    )


@dataclass(frozen=True)
class RecordedCopy:
    """A copy recorded by ``verify --record``: its bytes are a blob; ``evidence`` the facts
    established then (None: recorded before evidence was kept, examine it again)."""

    sha256: str
    recorded_at: datetime
    status: str
    evidence: FileEvidence | None
    trust_sha256: str | None


class GovernanceStore:
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

    # -- mandates --------------------------------------------------------------

    def add_mandate(self, m: Mandate, pdf: bytes, *, actor: str) -> None:
        if Sha256.of(pdf) != m.sha256:
            raise UsageError("the mandate PDF does not match its hash")
        with self._reg.write(f"registering the mandate of {m.terms.municipality}") as tx:
            s = tx.session
            if s.get(PartnerRow, m.partner_key) is None:
                raise NotFoundError(f"no partner {m.partner_key!r}")
            if s.get(MandateRow, m.sha256.hex) is not None:
                raise DuplicateError(f"mandate {m.sha256.short} is already registered")
            _put_blob(s, pdf)
            s.add(MandateRow(
                sha256=m.sha256.hex, partner_key=m.partner_key, mayor=m.terms.mayor,
                decision_date=m.terms.decision_date,
                terms=json.dumps(m.terms.to_json(), sort_keys=True, ensure_ascii=False),
                signatures=_sigs_json(m.signatures),
                revision_sha256s=json.dumps(list(m.revision_sha256s)),
                registered_at=_now(),
            ))
            s.flush()
            tx.append(
                "register-mandate", f"machtigingsbesluit {m.terms.municipality} {m.terms.decision_date}",
                actor=actor, object_sha256s=(m.sha256.hex, *(c.approved_sha256.hex for c in m.terms.covers)),
                details={
                    "partner": m.partner_key, "mayor": m.terms.mayor,
                    "decision_date": m.terms.decision_date.isoformat(),
                    "covers": [c.to_json() for c in m.terms.covers],
                    "signers": [s_.signer.fingerprint_sha256 if s_.signer else None for s_ in m.signatures],
                },
            )

    def find_mandate(self, sha_prefix: str) -> Mandate:
        """The mandate whose SHA-256 starts with ``sha_prefix`` (at least 8 hex digits)."""
        prefix = sha_prefix.strip().lower()
        if len(prefix) < 8 or any(c not in "0123456789abcdef" for c in prefix):
            raise UsageError(f"{sha_prefix!r} is not a mandate SHA-256 (or a prefix of 8+ hex digits)")
        found = [m for m in self.mandates() if m.sha256.hex.startswith(prefix)]
        if not found:
            raise UsageError(
                f"no registered mandate with SHA-256 {prefix}…",
                hint="`zvhsign partner show MUNICIPALITY` lists its mandates",
            )
        if len(found) > 1:
            raise UsageError(f"{prefix}… matches {len(found)} mandates; give more digits")
        return found[0]

    def revoke_mandate(self, sha256: Sha256, revoked_at: datetime | None, *, reason: str, actor: str,
                       correct: bool = False) -> Mandate:
        """Record that the College revoked the mandate with effect from ``revoked_at``
        (``correct``: change an earlier record -- a new date, or None: not revoked after all;
        logged with the old and the new value)."""
        with self._reg.write("revoking a mandate") as tx:
            s = tx.session
            row = s.get(MandateRow, sha256.hex)
            if row is None:
                raise NotFoundError(f"no registered mandate {sha256.short}")
            before = row.revoked_at
            if before is not None and not correct:
                raise RefusedError(
                    f"mandate {sha256.short} was already revoked with effect from {before.isoformat()}",
                    hint="to change that record, use `zvhsign mandate revoke --correct`",
                )
            if correct and before is None:
                raise RefusedError(f"mandate {sha256.short} is not revoked; there is nothing to correct")
            row.revoked_at = revoked_at
            row.revocation_reason = reason
            s.flush()
            action = "correct-revocation" if correct else "revoke-mandate"
            subject = (f"intrekking machtigingsbesluit {row.mayor} {row.decision_date} gecorrigeerd" if correct
                       else f"machtigingsbesluit {row.mayor} {row.decision_date} ingetrokken")
            tx.append(
                action, subject, actor=actor, object_sha256s=(sha256.hex,),
                details={"partner": row.partner_key, "mayor": row.mayor,
                         "revoked_at": revoked_at.isoformat() if revoked_at else None,
                         "previous_revoked_at": before.isoformat() if before else None, "reason": reason},
            )
            return _mandate(row)

    def mandates(self, partner_key: str | None = None) -> list[Mandate]:
        with self._reg._read("listing mandates") as s:
            q = select(MandateRow).order_by(MandateRow.partner_key, MandateRow.decision_date)
            if partner_key:
                q = q.where(MandateRow.partner_key == partner_key)
            return [_mandate(r) for r in s.execute(q).scalars()]

    # -- recorded copies -------------------------------------------------------

    def record_copy(
        self, data: bytes, verdict_json: dict, signatures: Sequence[dict], *, actor: str,
        evidence: FileEvidence | None = None, trust_sha256: str | None = None,
    ) -> Sha256:
        """Store a verified copy (content-addressed) with its verdict, the evidence it rests on,
        and a row per partner signature (``signatures``: field, document, version,
        approved_sha256, partner, signer_name, signer_fingerprint, indication, codes)."""
        from .evidence_codec import dumps

        digest = Sha256.of(data)
        with self._reg.write(f"recording copy {digest.short}") as tx:
            s = tx.session
            _put_blob(s, data)
            now = _now()
            row = RecordedCopyRow(
                sha256=digest.hex, verdict=json.dumps(verdict_json, sort_keys=True, ensure_ascii=False),
                status=str(verdict_json.get("status", "?")), recorded_at=now,
                evidence=dumps(evidence) if evidence is not None else None, trust_sha256=trust_sha256,
            )
            s.add(row)
            s.flush()
            for r in signatures:
                s.add(RecordedSignatureRow(
                    copy_id=row.id, field_name=r["field"], document=r["document"], version=r["version"],
                    approved_sha256=r["approved_sha256"], partner_key=r["partner"], signer_name=r["signer_name"],
                    signer_fingerprint=r["signer_fingerprint"], indication=r["indication"],
                    blocking_codes=json.dumps(list(r["codes"])),
                ))
            s.flush()
            tx.append(
                "record-copy", f"copy {digest.short} ({verdict_json.get('status')})", actor=actor,
                object_sha256s=(digest.hex,),
                details={
                    "status": verdict_json.get("status"), "size": len(data),
                    "signatures": [
                        {"field": r["field"], "partner": r["partner"], "indication": r["indication"]}
                        for r in signatures
                    ],
                },
            )
        return digest

    def recorded_copies(self) -> list[RecordedCopy]:
        """Every recorded copy once (its latest recording), oldest first."""
        from .evidence_codec import loads

        with self._reg._read("reading recorded copies") as s:
            rows = s.execute(select(RecordedCopyRow).order_by(RecordedCopyRow.id)).scalars()
            latest = {r.sha256: r for r in rows}
            return [
                RecordedCopy(r.sha256, r.recorded_at, r.status, loads(r.evidence) if r.evidence else None,
                             r.trust_sha256)
                for r in sorted(latest.values(), key=lambda r: r.id)
            ]


def _put_blob(s: Session, data: bytes) -> None:
    digest = Sha256.of(data)
    if s.get(Blob, digest.hex) is None:
        s.add(Blob(sha256=digest.hex, size=len(data), data=bytes(data), created_at=_now()))
        s.flush()
