"""Who signed: the registry's facts about partners, and the attribution of a signature.

:class:`GovernanceContext` holds what the registry knows beyond one file
(partners, signatories, mandates, approved versions, and the covenant
signatures that are valid now). :func:`attribute` decides, once per signature,
who signed it, for which partner, in what capacity and under which mandate;
every rule, ``status`` and the audit report read that one :class:`Attribution`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .documents import ApprovedVersion, DocumentKind, version_key
from .evidence import CertificateInfo, FileEvidence, SignatureEvidence, TimestampEvidence
from .mandates import Mandate, capacity_text
from .parties import Partner, Signatory, normalise_name


@dataclass(frozen=True)
class CovenantSignature:
    """A partner's covenant signature that is valid now (in a recorded copy or the batch)."""

    partner_key: str
    copy: str  # the copy it is in (path or registry label)
    signature_timestamp: TimestampEvidence | None  # upper bound on when it was made
    content_timestamp: TimestampEvidence | None  # lower bound


@dataclass(frozen=True)
class GovernanceContext:
    """Everything the governance rules know beyond one file."""

    partners: tuple[Partner, ...]
    signatories: tuple[Signatory, ...]
    mandates: tuple[Mandate, ...]
    approved: tuple[ApprovedVersion, ...]
    covenant: tuple[CovenantSignature, ...] = ()

    def partner(self, key: str) -> Partner | None:
        return next((p for p in self.partners if p.key == key), None)

    def place(self, cert: CertificateInfo | None) -> tuple[Partner, Signatory, str] | None:
        """The registered signatory of a certificate, and how that was established: by
        fingerprint, else by the organisation identifier (NTRNL-<KvK>) plus the person's name."""
        if cert is None:
            return None
        for s in self.signatories:
            if cert.fingerprint_sha256 in s.fingerprints:
                p = self.partner(s.partner_key)
                if p is not None:
                    return p, s, "fingerprint"
        if cert.organisation_identifier and cert.common_name:
            for p in self.partners:
                if p.organisation_identifier and p.organisation_identifier == cert.organisation_identifier:
                    for s in self.signatories:
                        if s.partner_key == p.key and normalise_name(s.name) == normalise_name(cert.common_name):
                            return p, s, "organisation identifier and name"
        return None

    def mandates_of(self, partner_key: str) -> list[Mandate]:
        """The partner's registered mandates, revoked ones included."""
        return [m for m in self.mandates if m.partner_key == partner_key]

    def mandate_by_sha(self, sha: str) -> Mandate | None:
        return next((m for m in self.mandates if m.sha256.hex == sha), None)

    def mandate_with_revision(self, sha: str) -> Mandate | None:
        """The registered mandate of which ``sha`` is an earlier (incomplete) revision."""
        return next((m for m in self.mandates if sha in m.revision_sha256s), None)

    def current_version(self, document: DocumentKind) -> ApprovedVersion | None:
        """The current approved version: the highest version number not superseded."""
        cands = [a for a in self.approved if a.document is document and not a.superseded_by]
        return max(cands, key=lambda a: version_key(a.version), default=None)

    def approved_now(self, av: ApprovedVersion) -> ApprovedVersion:
        """``av`` as the registry holds it now (superseded since, or not)."""
        return next((a for a in self.approved if a.approved_sha256 == av.approved_sha256), av)

    def covenant_of(self, partner_key: str) -> list[CovenantSignature]:
        return [c for c in self.covenant if c.partner_key == partner_key]


@dataclass(frozen=True)
class Attribution:
    """Who signed one partner signature: decided once, read by every rule and view."""

    partner: Partner
    signatory: Signatory
    placed_by: str  # "fingerprint" or "organisation identifier and name"
    #: the capacity as the signature states it (signed attribute), else None
    stated_capacity: str | None
    #: the mandate the signature is judged under: the one it binds, else the best registered one
    mandate: Mandate | None
    mandate_how: str | None  # "bound" (the signature names it) or "registered"

    @property
    def capacity(self) -> str:
        """The capacity shown to people: as stated in the signature, else what the
        registry implies (a mayor under mandate signs for the College)."""
        if self.stated_capacity:
            return self.stated_capacity
        if self.partner.is_municipality and self.mandate is not None:
            return capacity_text(self.mandate.terms.municipality)
        return f"namens {self.partner.name}"

    def to_json(self) -> dict:
        return {
            "partner": self.partner.key,
            "partner_name": self.partner.name,
            "signatory": self.signatory.name,
            "role": self.signatory.role,
            "placed_by": self.placed_by,
            "capacity": self.capacity,
            "capacity_stated_in_signature": self.stated_capacity is not None,
            "mandate": self.mandate.sha256.hex if self.mandate else None,
            "mandate_how": self.mandate_how,
        }


def _mandate_for(sig: SignatureEvidence, file: FileEvidence, ctx: GovernanceContext,
                 partner: Partner, signatory: Signatory, now: datetime) -> tuple[Mandate | None, str | None]:
    bound = sig.binding.mandate_sha256
    if bound:
        m = ctx.mandate_by_sha(bound)
        if m is not None:
            return m, "bound"
    own = ctx.mandates_of(partner.key)
    person = [m for m in own if normalise_name(m.terms.mayor) == normalise_name(signatory.name)]
    av = file.approved
    covering = [m for m in person if av is not None and m.covers_sha(av.approved_sha256)]
    for group in (covering, person, own):
        if group:
            # one in force now is preferred; a revoked one may still have been in force then
            best = max(group, key=lambda m: (not m.revoked_by(now), m.terms.decision_date))
            return best, "registered"
    return None, None


def attribute(sig: SignatureEvidence, file: FileEvidence, ctx: GovernanceContext,
              now: datetime) -> Attribution | None:
    """Who signed ``sig`` (None: not a registered signatory)."""
    placed = ctx.place(sig.signer)
    if placed is None:
        return None
    partner, signatory, how = placed
    mandate, mhow = (None, None)
    if partner.is_municipality:
        mandate, mhow = _mandate_for(sig, file, ctx, partner, signatory, now)
    return Attribution(partner, signatory, how, sig.binding.capacity, mandate, mhow)
