"""Evidence: the facts the PDF layer establishes about a file, before any judgement.

Rules (``rules.py``) turn evidence into findings; nothing here decides anything.
Times are kept apart by what they prove: a signer's *claimed* signing time is
only a claim; a signature timestamp is an upper bound on when the signature was
made; a content timestamp is a lower bound.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from .digests import Sha256
from .documents import ApprovedVersion, StampInfo
from .qualification import NOT_ASSESSED, QualificationEvidence


class Indication(str, enum.Enum):
    """ETSI EN 319 102-1 main status indication."""

    TOTAL_PASSED = "TOTAL-PASSED"
    TOTAL_FAILED = "TOTAL-FAILED"
    INDETERMINATE = "INDETERMINATE"


class SignatureKind(str, enum.Enum):
    CERTIFICATION = "certification"  # the secretariat's approval (DocMDP)
    SIGNATURE = "signature"  # an approval signature by a partner
    DOC_TIMESTAMP = "document-timestamp"  # RFC 3161 document timestamp (PAdES-LTA)
    REPORT = "report"  # the secretariat's signature on an audit report (field ZVH_Rapport)


@dataclass(frozen=True)
class CertificateInfo:
    """Identity facts of one X.509 certificate, as needed for reports and rules."""

    subject: str
    common_name: str | None
    organisation: str | None
    organisation_identifier: str | None
    subject_serial_number: str | None
    title: str | None
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    key_usage: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """'Name (role, organisation)' for people; the subject when there is no CN."""
        if not self.common_name:
            return self.subject
        extra = ", ".join(x for x in (self.title, self.organisation) if x)
        return f"{self.common_name} ({extra})" if extra else self.common_name

    def to_json(self) -> dict:
        return {
            "subject": self.subject,
            "common_name": self.common_name,
            "organisation": self.organisation,
            "organisation_identifier": self.organisation_identifier,
            "subject_serial_number": self.subject_serial_number,
            "title": self.title,
            "issuer": self.issuer,
            "serial": self.serial_hex,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "fingerprint_sha256": self.fingerprint_sha256,
            "key_usage": list(self.key_usage),
        }


@dataclass(frozen=True)
class TimestampEvidence:
    """An RFC 3161 timestamp and what validating it established."""

    time: datetime
    tsa: str | None
    intact: bool
    valid: bool
    trusted: bool
    tsa_not_after: datetime | None = None  # the TSA certificate's expiry: renew before it
    #: why the TSA is not trusted, as ETSI names it (``NO_CERTIFICATE_CHAIN_FOUND``: a TSA
    #: outside the trust roots; ``CERTIFICATE_CHAIN_GENERAL_FAILURE``, ``TRY_LATER``: its
    #: chain or revocation status could not be established now); None when trusted or unknown
    trust_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted

    def to_json(self) -> dict:
        return {
            "time": self.time.isoformat(),
            "tsa": self.tsa,
            "tsa_not_after": self.tsa_not_after.isoformat() if self.tsa_not_after else None,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "trust_problem": self.trust_problem,
        }


@dataclass(frozen=True)
class UsedTimestamp:
    """A timestamp the judgement of a signature rests on: its own signature timestamp
    ("signature"), its content timestamp ("content"), or a later document timestamp
    that covers it ("document", with the field)."""

    role: str
    time: datetime
    field: str | None = None

    def __post_init__(self) -> None:
        if self.field is not None:  # a plain str (PDF libraries hand over str subclasses)
            object.__setattr__(self, "field", str(self.field))

    def to_json(self) -> dict:
        return {"role": self.role, "time": self.time.isoformat(), "field": self.field}


@dataclass(frozen=True)
class UsedRevocation:
    """One piece of revocation data the validator had: an OCSP response or a CRL, and
    where it came from: "file" (the DSS or the signature's revinfo attribute) or
    "fetched" (online, during this validation)."""

    kind: str  # "ocsp" | "crl"
    source: str  # "file" | "fetched"
    issued_at: datetime | None  # OCSP producedAt, CRL thisUpdate
    issuer: str | None  # OCSP responder / CRL issuer
    sha256: str
    # the certificates of the signature's chains it gives the status of (subjects)
    about: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "type": self.kind,
            "source": self.source,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "issuer": self.issuer,
            "sha256": self.sha256,
            "about": list(self.about),
        }


@dataclass(frozen=True)
class SignatureBinding:
    """What a signature itself says about its capacity (read from its signed attributes,
    during the one examination of the file)."""

    mandate_sha256: str | None = None  # SHA-256 of the signed mandate it is bound to
    capacity: str | None = None  # e.g. "namens het college van burgemeester en wethouders van Haarlem"

    def to_json(self) -> dict:
        return {"mandate_sha256": self.mandate_sha256, "capacity": self.capacity}


NO_BINDING = SignatureBinding()


#: ``SignatureEvidence.not_validated`` when validation stopped because the file could not be
#: read where it needed to (a damaged object, stream or ASN.1 structure): unlike a time-out,
#: verifying again gives the same answer
UNREADABLE_HERE = "the file could not be read where this signature needs it"


@dataclass(frozen=True)
class SignatureEvidence:
    """What validating one embedded signature (or document timestamp) established."""

    field_name: str
    kind: SignatureKind
    revision: int  # 0-based index of the revision that added the signature
    signed_end: int  # byte offset where the signed revision ends
    covers_whole_revision: bool
    intact: bool  # the signed bytes hash to the signed digest
    valid: bool  # the cryptographic signature verifies
    trusted: bool  # the signer chains to a configured trust root, not revoked
    indication: Indication
    subindication: str | None
    failure: str | None
    subfilter: str | None
    signer: CertificateInfo | None
    claimed_signing_time: datetime | None
    signature_timestamp: TimestampEvidence | None
    content_timestamp: TimestampEvidence | None
    best_signature_time: datetime | None  # proof of existence (upper bound)
    pades_level: str | None
    docmdp_permission: int | None = None
    has_embedded_revinfo: bool = False
    timestamps_used: tuple[UsedTimestamp, ...] = ()
    revocation_used: tuple[UsedRevocation, ...] = ()
    #: what the signature states about its capacity and mandate (signed attributes)
    binding: SignatureBinding = field(default_factory=lambda: NO_BINDING)
    #: pyHanko's difference analysis of the later revisions (its ModificationLevel name)
    modification_level: str | None = None
    #: pyHanko's DocMDP judgement of the later revisions (None: not applicable)
    docmdp_ok: bool | None = None
    #: the CMS carries a signature timestamp token, even if validation stopped before it
    signature_timestamp_present: bool = False
    #: the signer's own chain validated; what failed is the signature timestamp
    failed_on_signature_timestamp: bool = False
    #: the signature timestamp was validated in the past, at a later archive timestamp's time
    signature_timestamp_past_validated: bool = False
    #: a document timestamp judged at a later archive timestamp's time (``archive_validated_at``)
    #: because it is INDETERMINATE now (``indeterminate_now``: the subindication now)
    archive_validated_at: datetime | None = None
    indeterminate_now: str | None = None
    #: zvhsign's own correction of pyHanko's indication, and why (validity period vs proof of existence)
    correction: str | None = None
    #: zvhsign's own check of /ByteRange and /Contents against the file's bytes: what is wrong
    #: (gaps, overlaps, ranges that are not four numbers or end elsewhere than a revision)
    byte_range_problem: str | None = None
    #: validation did not complete (an error or time-out while validating, or a format not
    #: supported): why. Nothing is known about the signature's integrity -- INDETERMINATE.
    #: :data:`UNREADABLE_HERE` when the file could not be read where the validation needed it
    not_validated: str | None = None
    #: eIDAS qualification from the trusted lists (QES, AdES-QC, AdES, ...)
    qualification: QualificationEvidence = field(default_factory=lambda: NOT_ASSESSED)

    def __post_init__(self) -> None:
        # plain values only (PDF libraries hand over str subclasses): evidence is pickled
        # to and from worker processes and stored as JSON
        object.__setattr__(self, "field_name", str(self.field_name))


class ChangeKind(str, enum.Enum):
    """What a revision after the approved one changed, beyond adding signatures."""

    PAGE_CONTENT = "page-content"
    PAGES = "pages"
    ANNOTATION = "annotation"
    FORM = "form"
    SIGNATURE_FIELD = "signature-field"
    CATALOG = "catalog"
    METADATA = "metadata"  # the stamp's metadata (document id, version, source SHA-256)
    VALIDATION_DATA = "validation-data"  # the DSS (certificates, OCSP responses, CRLs) removed
    DOCUMENT_METADATA = "document-metadata"  # document info / XMP changed in an update that signs nothing


@dataclass(frozen=True)
class Change:
    """One change found in revision ``revision`` (0-based) relative to the one before."""

    revision: int
    kind: ChangeKind
    description: str


@dataclass(frozen=True)
class FileEvidence:
    """Everything the PDF layer established about one file."""

    path: str
    size: int
    sha256: Sha256
    revision_ends: tuple[int, ...]  # byte offsets where each revision ends
    trailing_bytes: int  # bytes after the last revision that are not a revision
    stamp: StampInfo | None
    approved: ApprovedVersion | None
    approved_revision: int | None  # index in revision_ends of the approved prefix
    changes: tuple[Change, ...]
    signatures: tuple[SignatureEvidence, ...]
    structure_problems: tuple[str, ...] = ()
    validated_at: datetime | None = None  # the validation time (now, or ``verify --at``)
    #: the revision zvhsign's own structure analysis compared every later one against: the
    #: approved version, else (a copy without one) the first signed revision; None: none made
    structure_base_revision: int | None = None
    #: zvhsign's bounds on hostile structure that a part of the file exceeds (nesting depth):
    #: what and where; that part was not examined (see pdf/bounds.py)
    bounds_exceeded: tuple[str, ...] = ()
