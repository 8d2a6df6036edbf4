"""Mandates (machtigingsbesluiten): the College's written authorisation of its burgemeester.

A mandate record holds who grants it (the College of a municipality), to whom
(the named burgemeester), what it covers (approved versions, by hash), its
decision date, its two signatures (gemeentesecretaris and burgemeester) and any
revocation with the moment it takes effect. :func:`assess_mandate` says whether
one is validly signed; the rules in ``rules/authority.py`` judge signatures
made under one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from . import catalogue as C
from .digests import Sha256
from .documents import DocumentKind
from .evidence import CertificateInfo, TimestampEvidence
from .findings import Finding
from .parties import BURGEMEESTER, GEMEENTESECRETARIS, Partner, Signatory, normalise_name

SECRETARIS_FIELD = "ZVH_Mandaat_Secretaris"
BURGEMEESTER_FIELD = "ZVH_Mandaat_Burgemeester"
#: field name → (label printed under the box, role the signer must have)
MANDATE_FIELDS = {
    SECRETARIS_FIELD: ("de secretaris", GEMEENTESECRETARIS),
    BURGEMEESTER_FIELD: ("de burgemeester", BURGEMEESTER),
}


def capacity_text(municipality: str) -> str:
    """What a mayor's signature under mandate states (Awb 10:10: "namens …")."""
    return f"namens het college van burgemeester en wethouders van {municipality}"


@dataclass(frozen=True)
class MandateCoverage:
    """One approved version a mandate covers."""

    document: DocumentKind
    version: str
    approved_sha256: Sha256

    def to_json(self) -> dict:
        return {
            "document": self.document.value,
            "version": self.version,
            "approved_sha256": self.approved_sha256.hex,
        }

    @classmethod
    def from_json(cls, d: dict) -> MandateCoverage:
        return cls(DocumentKind.parse(d["document"]), str(d["version"]), Sha256(d["approved_sha256"]))


@dataclass(frozen=True)
class MandateTerms:
    """What a machtigingsbesluit says (its machine-readable metadata)."""

    municipality: str  # e.g. "Haarlem"
    mayor: str  # the burgemeester authorised
    decision_date: date
    covers: tuple[MandateCoverage, ...]

    def to_json(self) -> dict:
        return {
            "schema": "zvhsign.mandate/1",
            "municipality": self.municipality,
            "mayor": self.mayor,
            "decision_date": self.decision_date.isoformat(),
            "covers": [c.to_json() for c in self.covers],
        }

    @classmethod
    def from_json(cls, d: dict) -> MandateTerms:
        if d.get("schema") != "zvhsign.mandate/1":
            raise ValueError(f"not a zvhsign mandate (schema {d.get('schema')!r})")
        return cls(
            municipality=str(d["municipality"]),
            mayor=str(d["mayor"]),
            decision_date=date.fromisoformat(d["decision_date"]),
            covers=tuple(MandateCoverage.from_json(c) for c in d["covers"]),
        )


@dataclass(frozen=True)
class MandateSignature:
    """One of the mandate's two signatures, as validated."""

    field_name: str
    signer: CertificateInfo | None
    intact: bool
    valid: bool
    trusted: bool
    signature_timestamp: TimestampEvidence | None  # upper bound on when it was made
    content_timestamp: TimestampEvidence | None = None  # lower bound, if present

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted

    @property
    def role(self) -> str:
        return MANDATE_FIELDS.get(self.field_name, (self.field_name, "?"))[1]

    def to_json(self) -> dict:
        return {
            "field": self.field_name,
            "role": self.role,
            "signer": self.signer.common_name if self.signer else None,
            "fingerprint_sha256": self.signer.fingerprint_sha256 if self.signer else None,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "signature_timestamp": self.signature_timestamp.time.isoformat()
            if self.signature_timestamp else None,
            "content_timestamp": self.content_timestamp.time.isoformat()
            if self.content_timestamp else None,
        }


@dataclass(frozen=True)
class Mandate:
    """A machtigingsbesluit: its terms, signatures, and (once registered) its partner.

    ``sha256`` is the hash of the complete signed PDF; ``revision_sha256s`` are the
    hashes of every earlier revision (the draft, the copy signed only by the
    secretaris, …): a signature bound to one of those was made before the mandate
    was complete.
    """

    sha256: Sha256
    partner_key: str
    terms: MandateTerms
    signatures: tuple[MandateSignature, ...]
    revision_sha256s: tuple[str, ...] = ()
    registered_at: datetime | None = None
    #: when the College's revocation takes effect (may lie in the future: in force until then)
    revoked_at: datetime | None = None
    revocation_reason: str | None = None

    def revoked_by(self, moment: datetime) -> bool:
        """The revocation has taken effect at ``moment``."""
        return self.revoked_at is not None and self.revoked_at <= moment

    def signature(self, field_name: str) -> MandateSignature | None:
        return next((s for s in self.signatures if s.field_name == field_name), None)

    @property
    def completed_by(self) -> datetime | None:
        """Upper bound on when the mandate was complete: its last signature timestamp."""
        times = [s.signature_timestamp.time for s in self.signatures if s.signature_timestamp]
        return max(times) if len(times) == len(MANDATE_FIELDS) and self.signatures else None

    @property
    def completed_after(self) -> datetime | None:
        """Lower bound on when the mandate was complete: its latest content timestamp."""
        times = [s.content_timestamp.time for s in self.signatures if s.content_timestamp and s.content_timestamp.ok]
        return max(times) if times else None

    def covers_sha(self, approved_sha256: Sha256) -> bool:
        return any(c.approved_sha256 == approved_sha256 for c in self.terms.covers)

    def to_json(self) -> dict:
        return {
            "sha256": self.sha256.hex,
            "partner": self.partner_key,
            **{k: v for k, v in self.terms.to_json().items() if k != "schema"},
            "signatures": [s.to_json() for s in self.signatures],
            "registered_at": self.registered_at.isoformat() if self.registered_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revocation_reason": self.revocation_reason,
        }


def mandate_signer_findings(
    terms: MandateTerms, partner: Partner, signatories: Sequence[Signatory], field_name: str,
    fingerprint: str | None, shown: str,
) -> list[Finding]:
    """Whether the certificate ``fingerprint`` (its holder ``shown``) may sign ``field_name`` of
    a mandate of ``partner``: a registered signatory of that municipality in the field's role,
    and for the burgemeester the mayor the mandate names. The one check, for a signed mandate
    (:func:`assess_mandate`) and before signing one (``mandate sign``)."""
    label, role = MANDATE_FIELDS[field_name]
    by_fp = {fp: s for s in signatories if s.partner_key == partner.key for fp in s.fingerprints}
    who = by_fp.get(fingerprint) if fingerprint else None
    if who is None:
        return [C.MANDATE_SIGNER_UNKNOWN(f"{label} signed as {shown}, who is not a registered signatory of {partner.name}")]
    if who.role != role:
        return [C.MANDATE_SIGNER_WRONG_ROLE(f"{label} signed as {who.name}, a {who.role}, not the {role}")]
    if role == BURGEMEESTER and normalise_name(who.name) != normalise_name(terms.mayor):
        return [C.MANDATE_OTHER_PERSON(
            f"the mandate authorises {terms.mayor}, but the burgemeester who signed it is {who.name}")]
    return []


def assess_mandate(
    mandate: Mandate, partner: Partner | None, signatories: Sequence[Signatory]
) -> list[Finding]:
    """Is this a validly signed mandate of ``partner``? FAIL findings say why not.

    Needs: a municipality; both fields signed (secretaris and burgemeester), each
    intact, valid, trusted and timestamped, by a registered signatory of that
    municipality in the right role; the burgemeester who signed is the one named;
    it covers at least one approved version.
    """
    out: list[Finding] = []
    t = mandate.terms
    if partner is None:
        return [C.MANDATE_PARTNER_UNKNOWN(f"no registered partner for the municipality {t.municipality!r}")]
    if not partner.is_municipality:
        out.append(C.MANDATE_NOT_MUNICIPALITY(f"{partner.name} is not a municipality (kind {partner.kind})"))
    if normalise_name(partner.municipality_name) != normalise_name(t.municipality):
        out.append(
            C.MANDATE_OTHER_MUNICIPALITY(f"the mandate is a decision of {t.municipality}, not of {partner.name}",
            )
        )
    if not t.covers:
        out.append(C.MANDATE_COVERS_NOTHING("the mandate names no approved document version"))
    for field_name, (label, role) in MANDATE_FIELDS.items():
        sig = mandate.signature(field_name)
        if sig is None:
            out.append(C.MANDATE_SIGNATURE_MISSING(f"the mandate is not signed by {label}"))
            continue
        if not sig.ok:
            out.append(C.MANDATE_SIGNATURE_INVALID(f"the signature of {label} is not valid or not trusted"))
        if sig.signature_timestamp is None or not sig.signature_timestamp.ok:
            out.append(C.MANDATE_SIGNATURE_NOT_TIMESTAMPED(f"the signature of {label} has no valid timestamp"))
        out += mandate_signer_findings(
            t, partner, signatories, field_name,
            sig.signer.fingerprint_sha256 if sig.signer else None,
            sig.signer.common_name if sig.signer else "an unknown signer")
    extra = [s.field_name for s in mandate.signatures if s.field_name not in MANDATE_FIELDS]
    if extra:
        out.append(C.MANDATE_UNEXPECTED_SIGNATURE("unexpected signature field(s): " + ", ".join(extra)))
    return out

