"""Partners, signatories, mandates and the rules on who signed, in what capacity, in what order.

Pure domain (no click, SQL, pyhanko or pikepdf). The facts come from the PDF
layer (``SignatureEvidence``, :class:`SignatureBinding`) and the registry
(:class:`Partner`, :class:`Signatory`, :class:`Mandate`, recorded signatures);
the rules here turn them into named findings:

* ``SIGNER_AUTHORISED`` -- the signer is a registered signatory of a partner, in
  a role that may sign for it;
* ``MANDATE_PRESENT`` -- a municipality's signature is by the burgemeester named
  in a registered, validly signed mandate (machtigingsbesluit) of that
  municipality that covers this document's approved version;
* ``MANDATE_PRECEDES_SIGNATURE`` -- proven by evidence, never by a clock claim:
  the signature covers the SHA-256 of the complete signed mandate, or a content
  timestamp of the signature (a lower bound) is later than the mandate's
  signature timestamps. With only a signature timestamp (an upper bound) or a
  self-reported time the result is INDETERMINATE (a WARN), never a pass;
* ``MANDATE_IN_FORCE`` -- a mandate the College has since revoked covers only
  signatures proven (by their signature timestamp) to exist before the
  revocation took effect;
* ``COVENANT_BEFORE_PROTOCOL`` -- a Privacy Protocol signature needs a valid
  covenant signature of the same partner on an approved covenant version;
* ``VERSION_CURRENT`` -- a signature on a version that is no longer the current
  approved one needs a new signature.

Every rule fails closed: without a registry context nothing passes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ..errors import PolicyError
from .digests import Sha256
from .documents import ApprovedVersion, DocumentKind, version_key
from .evidence import (
    CertificateInfo,
    FileEvidence,
    SignatureEvidence,
    SignatureKind,
    TimestampEvidence,
)
from .findings import Finding, Level, fail, info, warn
from .verdicts import BatchVerdict, SignatureVerdict

# ------------------------------------------------------------------ partners, roles

GEMEENTE = "gemeente"
PARTNER_KINDS = (
    GEMEENTE,
    "om",
    "politie",
    "rvdk",
    "jeugdzorg",
    "ggz",
    "reclassering",
    "veilig-thuis",
    "overig",
)

BURGEMEESTER = "burgemeester"
GEMEENTESECRETARIS = "gemeentesecretaris"

#: Roles that sign the documents for a partner of a kind, unless the partner lists its own.
#: A municipality signs through its burgemeester (with the College's mandate); the
#: gemeentesecretaris co-signs the mandate but does not sign the documents.
DEFAULT_SIGNING_ROLES: dict[str, tuple[str, ...]] = {
    GEMEENTE: (BURGEMEESTER,),
    "om": ("hoofdofficier van justitie",),
    "politie": ("politiechef",),
}
_OTHER_SIGNING_ROLES = (
    "directeur",
    "regiodirecteur",
    "bestuurder",
    "voorzitter raad van bestuur",
    "directeur-bestuurder",
)

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_OIN = re.compile(r"^[0-9]{20}$")
_KVK = re.compile(r"^[0-9]{8}$")


def normalise_name(name: str) -> str:
    """Names compared the forgiving way: case, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def normalise_role(role: str) -> str:
    return " ".join(role.strip().casefold().split())


def check_fingerprint(fp: str) -> str:
    """A certificate's SHA-256 fingerprint in lowercase hex (colons and spaces allowed on input)."""
    hex_ = re.sub(r"[\s:]", "", fp).lower()
    return Sha256(hex_).hex


@dataclass(frozen=True)
class Partner:
    """A partner of the ZVH: a municipality or another organisation."""

    key: str  # short id, e.g. "haarlem", "om"
    name: str  # e.g. "Gemeente Haarlem"
    kind: str  # "gemeente" or another of PARTNER_KINDS
    oin: str | None = None  # 20 digits
    kvk: str | None = None  # 8 digits; certificates carry organizationIdentifier NTRNL-<kvk>
    signing_roles: tuple[str, ...] = ()  # empty: the defaults of its kind

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(
                f"partner key {self.key!r} must be lowercase letters, digits and dashes (e.g. haarlem)"
            )
        if not self.name.strip():
            raise ValueError("a partner needs a name")
        if self.kind not in PARTNER_KINDS:
            raise ValueError(
                f"unknown partner kind {self.kind!r}; expected one of: {', '.join(PARTNER_KINDS)}"
            )
        if self.oin is not None and not _OIN.match(self.oin):
            raise ValueError(f"OIN {self.oin!r} must be 20 digits")
        if self.kvk is not None and not _KVK.match(self.kvk):
            raise ValueError(f"KvK number {self.kvk!r} must be 8 digits")
        object.__setattr__(
            self, "signing_roles", tuple(normalise_role(r) for r in self.signing_roles)
        )

    @property
    def is_municipality(self) -> bool:
        return self.kind == GEMEENTE

    @property
    def municipality_name(self) -> str:
        """"Haarlem" for "Gemeente Haarlem"."""
        n = self.name.strip()
        return n[len("gemeente ") :].strip() if n.casefold().startswith("gemeente ") else n

    @property
    def organisation_identifier(self) -> str | None:
        return f"NTRNL-{self.kvk}" if self.kvk else None

    @property
    def effective_signing_roles(self) -> tuple[str, ...]:
        if self.signing_roles:
            return self.signing_roles
        return DEFAULT_SIGNING_ROLES.get(self.kind, _OTHER_SIGNING_ROLES)

    def may_sign(self, role: str) -> bool:
        return normalise_role(role) in self.effective_signing_roles

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "oin": self.oin,
            "kvk": self.kvk,
            "organisation_identifier": self.organisation_identifier,
            "signing_roles": list(self.effective_signing_roles),
        }


@dataclass(frozen=True)
class Signatory:
    """A person who signs for a partner, in a role, with one or more certificates."""

    partner_key: str
    name: str
    role: str
    fingerprints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a signatory needs a name")
        if not self.role.strip():
            raise ValueError("a signatory needs a role (e.g. burgemeester)")
        object.__setattr__(self, "role", normalise_role(self.role))
        object.__setattr__(
            self, "fingerprints", tuple(dict.fromkeys(check_fingerprint(f) for f in self.fingerprints))
        )

    def to_json(self) -> dict:
        return {
            "partner": self.partner_key,
            "name": self.name,
            "role": self.role,
            "certificate_fingerprints": list(self.fingerprints),
        }


@dataclass(frozen=True)
class Placement:
    """Who a certificate belongs to, and how that was established."""

    partner: Partner
    signatory: Signatory
    by: str  # "fingerprint" or "organisation identifier and name"


# ---------------------------------------------------------------------------- mandates

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
    revoked_at: datetime | None = None

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
        }


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
        return [fail("MANDATE_PARTNER_UNKNOWN", f"no registered partner for the municipality {t.municipality!r}")]
    if not partner.is_municipality:
        out.append(fail("MANDATE_NOT_MUNICIPALITY", f"{partner.name} is not a municipality (kind {partner.kind})"))
    if normalise_name(partner.municipality_name) != normalise_name(t.municipality):
        out.append(
            fail(
                "MANDATE_OTHER_MUNICIPALITY",
                f"the mandate is a decision of {t.municipality}, not of {partner.name}",
            )
        )
    if not t.covers:
        out.append(fail("MANDATE_COVERS_NOTHING", "the mandate names no approved document version"))
    by_fp = {fp: s for s in signatories if s.partner_key == partner.key for fp in s.fingerprints}
    for field_name, (label, role) in MANDATE_FIELDS.items():
        sig = mandate.signature(field_name)
        if sig is None:
            out.append(fail("MANDATE_SIGNATURE_MISSING", f"the mandate is not signed by {label}"))
            continue
        if not sig.ok:
            out.append(fail("MANDATE_SIGNATURE_INVALID", f"the signature of {label} is not valid or not trusted"))
        if sig.signature_timestamp is None or not sig.signature_timestamp.ok:
            out.append(fail("MANDATE_SIGNATURE_NOT_TIMESTAMPED", f"the signature of {label} has no valid timestamp"))
        who = by_fp.get(sig.signer.fingerprint_sha256) if sig.signer else None
        shown = sig.signer.common_name if sig.signer else "an unknown signer"
        if who is None:
            out.append(
                fail(
                    "MANDATE_SIGNER_UNKNOWN",
                    f"{label} signed as {shown}, who is not a registered signatory of {partner.name}",
                )
            )
        elif who.role != role:
            out.append(
                fail("MANDATE_SIGNER_WRONG_ROLE", f"{label} signed as {who.name}, a {who.role}, not the {role}")
            )
        elif role == BURGEMEESTER and normalise_name(who.name) != normalise_name(t.mayor):
            out.append(
                fail(
                    "MANDATE_OTHER_PERSON",
                    f"the mandate authorises {t.mayor}, but the burgemeester who signed it is {who.name}",
                )
            )
    extra = [s.field_name for s in mandate.signatures if s.field_name not in MANDATE_FIELDS]
    if extra:
        out.append(fail("MANDATE_UNEXPECTED_SIGNATURE", "unexpected signature field(s): " + ", ".join(extra)))
    return out


# ------------------------------------------------------------------------ the context


@dataclass(frozen=True)
class SignatureBinding:
    """What a signature itself says about its capacity (read from its signed attributes)."""

    mandate_sha256: str | None = None  # SHA-256 of the signed mandate it is bound to
    capacity: str | None = None  # e.g. "namens het college van burgemeester en wethouders van Haarlem"


NO_BINDING = SignatureBinding()


@dataclass(frozen=True)
class RecordedSignature:
    """One partner signature of a recorded (verified and stored) copy."""

    copy_sha256: str
    field_name: str
    document: DocumentKind
    version: str
    approved_sha256: str
    partner_key: str | None
    signer_name: str | None
    signer_fingerprint: str | None
    indication: str  # the signature's verdict when recorded
    blocking_codes: tuple[str, ...]  # FAIL/WARN finding codes when recorded
    recorded_at: datetime

    #: codes that say only "the version is not current": status judges that itself
    VERSION_CODES = frozenset({"VERSION_NOT_CURRENT", "VERSION_SUPERSEDED"})

    @property
    def valid_apart_from_version(self) -> bool:
        return not (set(self.blocking_codes) - self.VERSION_CODES)


@dataclass(frozen=True)
class GovernanceContext:
    """Everything the governance rules know beyond one file."""

    partners: tuple[Partner, ...]
    signatories: tuple[Signatory, ...]
    mandates: tuple[Mandate, ...]
    approved: tuple[ApprovedVersion, ...]
    covenant_partners: frozenset[str] = frozenset()  # partners with a valid covenant signature

    def partner(self, key: str) -> Partner | None:
        return next((p for p in self.partners if p.key == key), None)

    def place(self, cert: CertificateInfo | None) -> Placement | None:
        """The registered signatory of a certificate: by fingerprint, else by the
        organisation identifier (NTRNL-<KvK>) plus the person's name."""
        if cert is None:
            return None
        for s in self.signatories:
            if cert.fingerprint_sha256 in s.fingerprints:
                p = self.partner(s.partner_key)
                if p is not None:
                    return Placement(p, s, "fingerprint")
        if cert.organisation_identifier and cert.common_name:
            for p in self.partners:
                if p.organisation_identifier and p.organisation_identifier == cert.organisation_identifier:
                    for s in self.signatories:
                        if s.partner_key == p.key and normalise_name(s.name) == normalise_name(cert.common_name):
                            return Placement(p, s, "organisation identifier and name")
        return None

    def mandates_of(self, partner_key: str, *, revoked_too: bool = False) -> list[Mandate]:
        """The partner's mandates in force (``revoked_too``: also those since revoked)."""
        return [
            m for m in self.mandates
            if m.partner_key == partner_key and (revoked_too or m.revoked_at is None)
        ]

    def mandate_by_sha(self, sha: str) -> Mandate | None:
        return next((m for m in self.mandates if m.sha256.hex == sha), None)

    def mandate_with_revision(self, sha: str) -> Mandate | None:
        return next((m for m in self.mandates if sha in m.revision_sha256s), None)

    def current_version(self, document: DocumentKind) -> ApprovedVersion | None:
        """The current approved version: the highest version number not superseded."""
        cands = [a for a in self.approved if a.document is document and not a.superseded_by]
        return max(cands, key=lambda a: version_key(a.version), default=None)

    def is_current(self, av: ApprovedVersion) -> bool:
        cur = self.current_version(av.document)
        return cur is not None and cur.approved_sha256 == av.approved_sha256



@dataclass(frozen=True)
class SignatureFacts:
    """One partner signature, with the file it is in and what it binds."""

    sig: SignatureEvidence
    file: FileEvidence
    binding: SignatureBinding = NO_BINDING


# ------------------------------------------------------------------------------ rules


class GovernanceRule:
    name: str

    def check(self, facts: SignatureFacts, ctx: GovernanceContext) -> Iterable[Finding]:  # pragma: no cover
        raise NotImplementedError


def _who(p: Placement) -> str:
    return f"{p.signatory.name}, {p.signatory.role} of {p.partner.name}"


class SignerAuthorised(GovernanceRule):
    name = "SIGNER_AUTHORISED"

    def check(self, facts, ctx):
        cert = facts.sig.signer
        placed = ctx.place(cert)
        if placed is None:
            shown = "an unreadable certificate"
            if cert is not None:
                shown = cert.common_name or cert.subject
                if cert.organisation:
                    shown += f" ({cert.organisation})"
            yield fail(
                "SIGNER_UNKNOWN",
                f"the signer {shown} is not a registered signatory of any partner",
                "register them with `zvhsign signatory add` (certificate fingerprint) if they sign for a partner",
            )
            return
        if not placed.partner.may_sign(placed.signatory.role):
            yield fail(
                "SIGNER_NOT_AUTHORISED",
                f"{_who(placed)} is not in a role that signs for {placed.partner.name} "
                f"(roles that do: {', '.join(placed.partner.effective_signing_roles)})",
            )
            return
        yield info("SIGNER_AUTHORISED", f"signed by {_who(placed)} (placed by {placed.by})")


def _relevant_mandate(facts: SignatureFacts, ctx: GovernanceContext, placed: Placement):
    """(mandate, how): the bound mandate if registered, else the best registered candidate."""
    b = facts.binding.mandate_sha256
    if b:
        m = ctx.mandate_by_sha(b)
        if m is not None:
            return m, "bound"
    av = facts.file.approved
    # a mandate revoked since may still have been in force when the signature was made
    # (MANDATE_IN_FORCE judges that); one in force now is preferred
    own = ctx.mandates_of(placed.partner.key, revoked_too=True)
    person = [m for m in own if normalise_name(m.terms.mayor) == normalise_name(placed.signatory.name)]
    covering = [m for m in person if av is not None and m.covers_sha(av.approved_sha256)]
    for group in (covering, person, own):
        if group:
            return max(group, key=lambda m: (m.revoked_at is None, m.terms.decision_date)), "registered"
    return None, None


class MandatePresent(GovernanceRule):
    name = "MANDATE_PRESENT"

    def check(self, facts, ctx):
        placed = ctx.place(facts.sig.signer)
        if placed is None or not placed.partner.is_municipality:
            return
        p = placed.partner
        b = facts.binding.mandate_sha256
        av = facts.file.approved
        if b and ctx.mandate_by_sha(b) is None:
            early = ctx.mandate_with_revision(b)
            if early is None:
                yield fail(
                    "MANDATE_NOT_REGISTERED",
                    f"the signature is bound to mandate {b[:12]}…, which is not a registered mandate",
                    "register the signed machtigingsbesluit with `zvhsign mandate register`",
                )
                return
        m, how = _relevant_mandate(facts, ctx, placed)
        if m is None:
            yield fail(
                "MANDATE_MISSING",
                f"{p.name} signs through its burgemeester only with a written mandate of the College; "
                "no registered mandate of this municipality",
            )
            return
        problems = []
        if m.partner_key != p.key:
            other = ctx.partner(m.partner_key)
            problems.append(
                fail(
                    "MANDATE_OTHER_MUNICIPALITY",
                    f"the bound mandate is a decision of {other.name if other else m.terms.municipality}, "
                    f"not of {p.name}",
                )
            )
        if normalise_name(m.terms.mayor) != normalise_name(placed.signatory.name):
            problems.append(
                fail(
                    "MANDATE_OTHER_PERSON",
                    f"the mandate authorises {m.terms.mayor}, not {placed.signatory.name}",
                )
            )
        if av is None or not m.covers_sha(av.approved_sha256):
            covered = ", ".join(f"{c.document.value} {c.version}" for c in m.terms.covers) or "nothing"
            problems.append(
                fail(
                    "MANDATE_OTHER_VERSION",
                    f"the mandate covers {covered}, not "
                    f"{av.label if av else 'this (unapproved) document'}",
                )
            )
        owner = ctx.partner(m.partner_key)
        validity = assess_mandate(m, owner, ctx.signatories)
        if validity:
            problems.append(
                fail(
                    "MANDATE_NOT_VALIDLY_SIGNED",
                    "the mandate is not validly signed by the secretaris and the burgemeester",
                    *(f"{f.code}: {f.message}" for f in validity),
                )
            )
        if problems:
            yield from problems
            return
        yield info(
            "MANDATE_PRESENT",
            f"{'bound' if how == 'bound' else 'registered'} mandate of {p.name} of "
            f"{m.terms.decision_date.isoformat()} authorises {m.terms.mayor} for {av.label if av else '-'} "
            f"(mandate {m.sha256.short})",
        )


class MandatePrecedesSignature(GovernanceRule):
    name = "MANDATE_PRECEDES_SIGNATURE"

    def check(self, facts, ctx):
        placed = ctx.place(facts.sig.signer)
        if placed is None or not placed.partner.is_municipality:
            return
        b = facts.binding.mandate_sha256
        if b:
            early = ctx.mandate_with_revision(b)
            if early is not None and ctx.mandate_by_sha(b) is None:
                yield fail(
                    "MANDATE_INCOMPLETE_WHEN_SIGNED",
                    "the signature is bound to an earlier revision of the registered mandate "
                    f"{early.sha256.short} (before all of its signatures): it was signed before "
                    "the mandate was complete",
                )
                return
        m, how = _relevant_mandate(facts, ctx, placed)
        if m is None:
            return  # MANDATE_PRESENT already fails
        if b and b == m.sha256.hex:
            yield info(
                "MANDATE_PRECEDES_SIGNATURE",
                "the signature covers the SHA-256 of the complete signed mandate: it was made after "
                "the mandate existed (no clock needed)",
            )
            return
        done_by = m.completed_by  # upper bound on mandate completion
        done_after = m.completed_after  # lower bound on mandate completion
        ct = facts.sig.content_timestamp
        st = facts.sig.signature_timestamp
        if ct is not None and ct.ok and done_by is not None and done_by < ct.time:
            yield info(
                "MANDATE_PRECEDES_SIGNATURE",
                f"the mandate's signatures were timestamped by {done_by.isoformat()}, before the "
                f"signature's content timestamp {ct.time.isoformat()} (a lower bound on signing)",
            )
            return
        if st is not None and st.ok and done_after is not None and st.time < done_after:
            yield fail(
                "MANDATE_AFTER_SIGNATURE",
                f"the signature existed by {st.time.isoformat()} (its timestamp), before the mandate "
                f"was complete (not before {done_after.isoformat()})",
            )
            return
        have = []
        if st is not None:
            have.append("a signature timestamp (only an upper bound on signing)")
        if facts.sig.claimed_signing_time is not None:
            have.append("a self-reported signing time (a claim)")
        yield warn(
            "MANDATE_ORDER_UNPROVEN",
            "it can't be proven that the mandate was complete before this signature: "
            + (" and ".join(have) if have else "no time evidence at all")
            + "; sign with `--mandate SIGNED_MANDATE.pdf` to bind the mandate",
        )


class MandateInForce(GovernanceRule):
    """A mandate the College has revoked covers only signatures proven to exist
    before the revocation took effect (a signature timestamp: an upper bound on
    signing). A content timestamp after it proves the signature came later."""

    name = "MANDATE_IN_FORCE"

    def check(self, facts, ctx):
        placed = ctx.place(facts.sig.signer)
        if placed is None or not placed.partner.is_municipality:
            return
        m, _how = _relevant_mandate(facts, ctx, placed)
        if m is None or m.revoked_at is None:
            return
        when = m.revoked_at.isoformat()
        st, ct = facts.sig.signature_timestamp, facts.sig.content_timestamp
        if st is not None and st.ok and st.time < m.revoked_at:
            yield info(
                "MANDATE_IN_FORCE",
                f"the mandate {m.sha256.short} was revoked with effect from {when}; this signature "
                f"existed by {st.time.isoformat()} (its timestamp), while it was in force",
            )
        elif ct is not None and ct.ok and ct.time >= m.revoked_at:
            yield fail(
                "MANDATE_REVOKED",
                f"signed after {ct.time.isoformat()} (content timestamp), when the mandate "
                f"{m.sha256.short} had been revoked (with effect from {when})",
            )
        else:
            yield warn(
                "MANDATE_REVOKED",
                f"the mandate {m.sha256.short} was revoked with effect from {when}, and it can't be "
                "proven that this signature was made before then",
            )


class CovenantBeforeProtocol(GovernanceRule):
    name = "COVENANT_BEFORE_PROTOCOL"

    def check(self, facts, ctx):
        av = facts.file.approved
        if av is None or av.document is not DocumentKind.PROTOCOL:
            return
        placed = ctx.place(facts.sig.signer)
        if placed is None:
            return  # SIGNER_AUTHORISED already fails
        if placed.partner.key in ctx.covenant_partners:
            yield info(
                "COVENANT_SIGNED",
                f"{placed.partner.name} takes part in the Samenwerkingsconvenant (valid covenant signature)",
            )
            return
        yield fail(
            "COVENANT_SIGNATURE_MISSING",
            f"only partners in the Samenwerkingsconvenant may sign the Privacy Protocol; no valid "
            f"covenant signature of {placed.partner.name} is recorded or among the files verified",
        )


class VersionCurrent(GovernanceRule):
    name = "VERSION_CURRENT"

    def check(self, facts, ctx):
        av = facts.file.approved
        if av is None:
            return
        if ctx.is_current(av):
            return
        cur = ctx.current_version(av.document)
        yield warn(
            "VERSION_NOT_CURRENT",
            f"signed on {av.label}; the current approved version is "
            f"{cur.label if cur else 'unknown'}: needs re-signing",
        )


GOVERNANCE_RULES: tuple[GovernanceRule, ...] = (
    SignerAuthorised(),
    MandatePresent(),
    MandatePrecedesSignature(),
    MandateInForce(),
    CovenantBeforeProtocol(),
    VersionCurrent(),
)


@dataclass(frozen=True)
class GovernanceRuleSet:
    rules: Sequence[GovernanceRule] = GOVERNANCE_RULES

    def __post_init__(self) -> None:
        if not self.rules:
            raise PolicyError("empty governance rule set: refusing to judge signers with nothing to check")

    def check(self, facts: SignatureFacts, ctx: GovernanceContext) -> tuple[Finding, ...]:
        return tuple(f for rule in self.rules for f in rule.check(facts, ctx))


def covenant_partners_in(
    batch: BatchVerdict, ctx: GovernanceContext
) -> set[str]:
    """Partners with a signature that verified on an approved covenant version in ``batch``."""
    out: set[str] = set()
    for fv in batch.files:
        ev = fv.evidence
        if ev is None or ev.approved is None or ev.approved.document is not DocumentKind.CONVENANT:
            continue
        if any(f.level is Level.FAIL for f in fv.findings):
            continue
        for sv in fv.partner_signatures:
            if sv.ok:
                placed = ctx.place(sv.evidence.signer)
                if placed is not None and placed.partner.may_sign(placed.signatory.role):
                    out.add(placed.partner.key)
    return out


def apply_governance(
    batch: BatchVerdict,
    ctx: GovernanceContext,
    bindings: dict[tuple[str, str], SignatureBinding],
    rules: GovernanceRuleSet | None = None,
) -> BatchVerdict:
    """Second pass over a whole batch: add governance findings to every partner signature.

    ``bindings`` maps (path, field name) to what each signature binds. The
    covenant signatures of the batch itself count for COVENANT_BEFORE_PROTOCOL,
    besides those already in ``ctx`` (recorded copies).
    """
    rules = rules or GovernanceRuleSet()
    ctx = replace(ctx, covenant_partners=frozenset(ctx.covenant_partners | covenant_partners_in(batch, ctx)))
    files = []
    for fv in batch.files:
        ev = fv.evidence
        if ev is None:
            files.append(fv)
            continue
        sigs = []
        for sv in fv.signatures:
            if sv.evidence.kind is not SignatureKind.SIGNATURE:
                sigs.append(sv)
                continue
            facts = SignatureFacts(sv.evidence, ev, bindings.get((fv.path, sv.evidence.field_name), NO_BINDING))
            sigs.append(SignatureVerdict(sv.evidence, sv.findings + rules.check(facts, ctx)))
        files.append(replace(fv, signatures=tuple(sigs)))
    return BatchVerdict(tuple(files))


# ------------------------------------------------------------------------------ status

SIGNED = "signed"
MISSING = "missing"
INVALID = "invalid"
NEEDS_RESIGNING = "needs re-signing"


@dataclass(frozen=True)
class StatusCell:
    state: str
    version: str | None = None
    copies: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"state": self.state, "version": self.version, "copies": list(self.copies)}


@dataclass(frozen=True)
class MandateState:
    state: str  # "registered", "missing", "revoked", "does not cover current version", "n/a"
    mandate_sha256: str | None = None
    mayor: str | None = None
    decision_date: date | None = None

    def to_json(self) -> dict:
        return {
            "state": self.state,
            "sha256": self.mandate_sha256,
            "mayor": self.mayor,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
        }


@dataclass(frozen=True)
class StatusRow:
    partner: Partner
    cells: dict  # DocumentKind -> StatusCell
    mandate: MandateState

    def to_json(self) -> dict:
        return {
            "partner": self.partner.key,
            "name": self.partner.name,
            "kind": self.partner.kind,
            "documents": {d.value: c.to_json() for d, c in self.cells.items()},
            "mandate": self.mandate.to_json(),
        }


@dataclass(frozen=True)
class StatusMatrix:
    rows: tuple[StatusRow, ...]
    current: dict = field(default_factory=dict)  # DocumentKind -> ApprovedVersion | None

    @property
    def complete(self) -> bool:
        return bool(self.rows) and all(
            c.state == SIGNED for r in self.rows for c in r.cells.values()
        ) and all(r.mandate.state in ("registered", "n/a") for r in self.rows)

    def to_json(self) -> dict:
        return {
            "schema": "zvhsign.status/1",
            "complete": self.complete,
            "current_versions": {
                d.value: (a.version if a else None) for d, a in self.current.items()
            },
            "partners": [r.to_json() for r in self.rows],
        }


def status_matrix(ctx: GovernanceContext, recorded: Sequence[RecordedSignature]) -> StatusMatrix:
    """The partner × document matrix from recorded signatures (judged against the
    current approved versions *now*, so a newly approved version turns earlier
    signatures into "needs re-signing")."""
    current = {d: ctx.current_version(d) for d in DocumentKind}
    rows = []
    for p in ctx.partners:
        cells = {}
        for d in DocumentKind:
            mine = [r for r in recorded if r.partner_key == p.key and r.document is d]
            cur = current[d]
            ok_current = [r for r in mine if r.valid_apart_from_version and cur and r.approved_sha256 == cur.approved_sha256.hex]
            ok_old = [r for r in mine if r.valid_apart_from_version and r not in ok_current]
            if ok_current:
                cell = StatusCell(SIGNED, cur.version if cur else None, tuple(sorted({r.copy_sha256 for r in ok_current})))
            elif ok_old:
                cell = StatusCell(NEEDS_RESIGNING, max((r.version for r in ok_old), key=version_key), tuple(sorted({r.copy_sha256 for r in ok_old})))
            elif mine:
                cell = StatusCell(INVALID, max((r.version for r in mine), key=version_key), tuple(sorted({r.copy_sha256 for r in mine})))
            else:
                cell = StatusCell(MISSING)
            cells[d] = cell
        if p.is_municipality:
            ms = ctx.mandates_of(p.key)
            cur_shas = [a.approved_sha256 for a in current.values() if a is not None]
            good = [m for m in ms if not assess_mandate(m, p, ctx.signatories)]
            full = [m for m in good if all(m.covers_sha(s) for s in cur_shas)]
            pick = max(full or good, key=lambda m: m.terms.decision_date, default=None)
            if pick is None and any(
                not assess_mandate(m, p, ctx.signatories) for m in ctx.mandates_of(p.key, revoked_too=True)
            ):
                mstate = MandateState("revoked")
            elif pick is None:
                mstate = MandateState("missing")
            else:
                mstate = MandateState(
                    "registered" if full else "does not cover current version",
                    pick.sha256.hex, pick.terms.mayor, pick.terms.decision_date,
                )
        else:
            mstate = MandateState("n/a")
        rows.append(StatusRow(p, cells, mstate))
    return StatusMatrix(tuple(rows), current)
