"""Mandates in the registry: the signed mandate PDFs (machtigingsbesluiten), their terms
and signatures, and their revocation (part of ``registry.governance``).

A secretary or mayor meets the errors here through ``zvhsign mandate register|revoke``,
so they are raised with ``.spoken`` and ``N_``-marked English msgids: said in the
workspace's language where the command speaks it (errors.py), English otherwise."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from zvhsign.domain.digests import Sha256
from zvhsign.domain.evidence import CertificateInfo, TimestampEvidence
from zvhsign.domain.mandates import Mandate, MandateSignature, MandateTerms
from zvhsign.errors import N_, RefusedError, UsageError

from ._blobs import _put_blob
from ._db import DuplicateError, NotFoundError
from ._tx import _now
from .models import MandateRow, PartnerRow

if TYPE_CHECKING:
    from ._registry import Registry


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


class MandateStore:
    """Mandates (part of :class:`~zvhsign.registry._governance.GovernanceStore`)."""

    _reg: Registry

    # -- mandates --------------------------------------------------------------

    def add_mandate(self, m: Mandate, pdf: bytes, *, actor: str) -> None:
        if Sha256.of(pdf) != m.sha256:
            raise UsageError("the mandate PDF does not match its hash")
        with self._reg.write(f"registering the mandate of {m.terms.municipality}") as tx:
            s = tx.session
            if s.get(PartnerRow, m.partner_key) is None:
                raise NotFoundError.spoken(N_("no partner {name!r}"), name=m.partner_key)
            if s.get(MandateRow, m.sha256.hex) is not None:
                raise DuplicateError.spoken(N_("mandate {sha} is already registered"), sha=m.sha256.short)
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
            raise UsageError.spoken(N_("{value!r} is not a mandate SHA-256 (or a prefix of 8+ hex digits)"),
                                    value=sha_prefix)
        found = [m for m in self.mandates() if m.sha256.hex.startswith(prefix)]
        if not found:
            raise UsageError.spoken(
                N_("no registered mandate with SHA-256 {prefix}…"),
                hint=N_("`zvhsign partner show MUNICIPALITY` lists its mandates"), prefix=prefix,
            )
        if len(found) > 1:
            raise UsageError.spoken(N_("{prefix}… matches {n} mandates; give more digits"),
                                    prefix=prefix, n=len(found))
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
                raise NotFoundError.spoken(N_("no registered mandate {sha}"), sha=sha256.short)
            before = row.revoked_at
            if before is not None and not correct:
                raise RefusedError.spoken(
                    N_("mandate {sha} was already revoked with effect from {when}"),
                    hint=N_("to change that record, use `zvhsign mandate revoke --correct`"),
                    sha=sha256.short, when=before,  # said in local time (errors.show_moments_with)
                )
            if correct and before is None:
                raise RefusedError.spoken(N_("mandate {sha} is not revoked; there is nothing to correct"),
                                          sha=sha256.short)
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
