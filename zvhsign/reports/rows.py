"""The rows of the audit report: display-ready Dutch text, one frozen dataclass per block.

:func:`zvhsign.reports.model.build_report` fills them from the verdicts; the HTML/PDF
template and the JSON render them as they are.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

SCHEMA = "zvhsign.report/1"


@dataclass(frozen=True)
class FindingRow:
    code: str
    level: str
    message: str


@dataclass(frozen=True)
class CertificateRow:
    holder: str  # "Naam (functie, organisatie)"
    subject: str  # every attribute with its Dutch label (no OIDs)
    issuer: str
    serial: str
    valid_from: str
    valid_until: str
    fingerprint_sha256: str
    subject_serial_number: str
    organisation_identifier: str


@dataclass(frozen=True)
class QualificationRow:
    """eIDAS qualification of one signature (domain/qualification.py), in Dutch."""

    level: str  # QES, AdES-QC, AdES, INDETERMINATE, NOT-ASSESSED
    text: str  # one line for people
    assessed: bool  # False: NOT-ASSESSED
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Art24Row:
    """Archiefregeling art. 24: what is recorded for every digital signature."""

    signature_holder: str
    validation_moment: str
    validation_result: str
    responsible_official: str
    certificate_identity: str


@dataclass(frozen=True)
class SignatureRow:
    number: int
    file: str
    document: str
    field: str
    kind: str
    signatory: str
    organisation: str
    role: str
    capacity: str
    mandate: str
    signing_time: str
    time_source: str
    tsa: str
    claimed_time: str
    certificate: CertificateRow | None
    pades_level: str
    verdict: str
    ok: bool
    findings: tuple[FindingRow, ...]
    art24: Art24Row
    qualification: QualificationRow | None = None
    holder: str = ""  # "Naam (functie, organisatie)"


@dataclass(frozen=True)
class VersionRow:
    document: str
    title: str
    version: str
    approved_sha256: str
    source_sha256: str
    decided_on: str
    approved_at: str
    approver_certificate: str
    superseded_by: str
    current: bool
    partner_signatures: int


@dataclass(frozen=True)
class PartnerRow:
    name: str
    kind: str
    signatory: str
    role: str
    capacity: str
    mandate: str
    organisation_identifier: str
    signed: tuple[str, ...]
    missing: tuple[str, ...]
    registered: bool
    states: tuple[str, ...] = ()  # per document: the state in the partner × document matrix


@dataclass(frozen=True)
class MatrixCell:
    state: str  # signed, needs re-signing, indeterminate, invalid, missing (the status matrix)
    label: str  # Dutch, e.g. "ondertekend (1.0)"


@dataclass(frozen=True)
class MatrixRow:
    """One partner's row of the partner × document matrix on page 1."""

    partner: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class FileRow:
    file: str
    sha256: str
    document: str
    status: str
    partner_signatures: int
    findings: tuple[FindingRow, ...]
    error: str


@dataclass(frozen=True)
class ChainRow:
    intact: bool
    state: str
    events: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]
    anchors: int
    last_anchor: str
    last_anchor_ok: bool | None


@dataclass(frozen=True)
class TrustRow:
    recorded: bool
    trust_roots: tuple[str, ...]
    secretariat: tuple[str, ...]
    other_certs: tuple[str, ...]
    tsa_url: str
    since: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str  # Dutch local time, zone named
    responsible: str  # the official responsible for the validation: "Naam (functie)"
    workspace: str
    registry: str
    copies_source: str
    versions: tuple[VersionRow, ...]
    partners: tuple[PartnerRow, ...]
    partners_registered: bool
    missing_partners: tuple[str, ...]
    missing_note: str
    signatures: tuple[SignatureRow, ...]
    files: tuple[FileRow, ...]
    chain: ChainRow
    trust: TrustRow | None = None
    summary: tuple[str, ...] = field(default=())
    matrix_documents: tuple[str, ...] = ()
    matrix: tuple[MatrixRow, ...] = ()
    matrix_counts: tuple[str, ...] = ()
    #: page 1 at a glance: (number, what, tone: ok / warn / bad) per figure
    tiles: tuple[tuple[str, str, str], ...] = ()
    time_note: str = ""
    generated_at_utc: str = ""  # ISO 8601 with offset, for scripts
    requested_by: str = ""  # who asked for the report when that is not the official (web user)

    def to_json(self) -> dict:
        """Plain JSON values (lists, not tuples), schema ``zvhsign.report/1``."""
        return json.loads(json.dumps({"schema": SCHEMA, **asdict(self)}, ensure_ascii=False))


