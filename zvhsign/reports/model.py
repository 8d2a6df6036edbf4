"""The audit report's content: one model, rendered to HTML, PDF and JSON alike.

:func:`build_report` turns :class:`zvhsign.services.reporting.ReportFacts`
(domain objects) into display-ready, Dutch text for privacy officers. Nothing
is decided here that the rules did not decide: verdicts and findings are the
verification's own; what the registry does not hold shows as
:data:`NOT_REGISTERED`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from ..domain.evidence import Indication, SignatureKind
from ..domain.findings import Level
from ..domain.mandates import capacity_text
from ..domain.status import INDETERMINATE, INVALID, MISSING, NEEDS_RESIGNING, SIGNED, signature_state
from ..domain.verdicts import FileVerdict, SignatureVerdict
from ..services.reporting import PartnerFacts, ReportFacts

SCHEMA = "zvhsign.report/1"
NOT_REGISTERED = "niet geregistreerd"
UNKNOWN = "onbekend"

#: Dutch words for verdicts, shared by everything that shows them (report, web page)
INDICATION_NL = {
    Indication.TOTAL_PASSED: "geldig",
    Indication.TOTAL_FAILED: "ongeldig",
    Indication.INDETERMINATE: "onbepaald",
}
LEVEL_NL = {Level.FAIL: "fout", Level.WARN: "waarschuwing", Level.INFO: "info"}
_KIND = {
    SignatureKind.SIGNATURE: "ondertekening partner",
    SignatureKind.CERTIFICATION: "goedkeuring secretariaat (certificering)",
    SignatureKind.DOC_TIMESTAMP: "documenttijdstempel",
    SignatureKind.REPORT: "ondertekening auditrapport (secretariaat)",
}


def fmt_time(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S UTC") if dt else UNKNOWN


def fmt_date(d: date | datetime | None) -> str:
    return d.strftime("%Y-%m-%d") if d else UNKNOWN


def _or(value: str | None, default: str = NOT_REGISTERED) -> str:
    return value if value else default


@dataclass(frozen=True)
class FindingRow:
    code: str
    level: str
    message: str


@dataclass(frozen=True)
class CertificateRow:
    subject: str
    issuer: str
    serial: str
    valid_from: str
    valid_until: str
    fingerprint_sha256: str
    subject_serial_number: str
    organisation_identifier: str


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


def _trust_row(trust) -> TrustRow:  # noqa: ANN001
    s = trust.settings
    if s is None:
        return TrustRow(False, (), (), (), UNKNOWN, "niet vastgelegd (registry van vóór deze versie)", ())
    subjects = s.get("subjects") or {}

    def named(fps) -> tuple[str, ...]:  # noqa: ANN001
        return tuple(f"{subjects[f]} — SHA-256 {f}" if f in subjects else f"SHA-256 {f}" for f in fps or ())

    return TrustRow(
        recorded=True,
        trust_roots=named(s.get("trust_roots")),
        secretariat=named(s.get("secretariat")),
        other_certs=named(s.get("other_certs")),
        tsa_url=s.get("tsa_url") or "geen (geen tijdstempels)",
        since=f"vastgelegd in gebeurtenis #{trust.since_seq}",
        changes=tuple(
            f"#{e.seq} {fmt_time(e.at)} door {e.actor}: {e.subject}" for e in trust.changes
        ),
    )


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str
    responsible: str
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

    def to_json(self) -> dict:
        """Plain JSON values (lists, not tuples), schema ``zvhsign.report/1``."""
        return json.loads(json.dumps({"schema": SCHEMA, **asdict(self)}, ensure_ascii=False))


# ------------------------------------------------------------------------- building


def _findings(findings) -> tuple[FindingRow, ...]:  # noqa: ANN001
    return tuple(
        FindingRow(f.code, LEVEL_NL.get(f.level, str(f.level.value)), f.message)
        for f in findings
        if f.level is not Level.INFO
    )


def _verdict(s: SignatureVerdict) -> str:
    ind = s.indication
    return f"{INDICATION_NL[ind]} ({ind.value})"


def _mandate_text(m) -> str:  # noqa: ANN001
    covers = ", ".join(f"{c.document.value} {c.version}" for c in m.terms.covers) or "—"
    text = (
        f"machtigingsbesluit van {fmt_date(m.terms.decision_date)} voor burgemeester "
        f"{m.terms.mayor} (dekt {covers}; SHA-256 {m.sha256.short})"
    )
    if m.revoked_at:
        text += f", ingetrokken per {fmt_date(m.revoked_at)}"
    return text


def _partner_mandates(p: PartnerFacts) -> str:
    if p.municipality is None:
        return "n.v.t. (geen gemeente)"
    return "; ".join(_mandate_text(m) for m in p.mandates) or NOT_REGISTERED


_STATE = {
    SIGNED: "ondertekend", NEEDS_RESIGNING: "opnieuw ondertekenen", INDETERMINATE: "onbepaald",
    INVALID: "ongeldig", MISSING: "ontbreekt",
}


def _time_source(s: SignatureVerdict) -> tuple[str, str, str]:
    """(trusted signing time, its source, TSA)."""
    ev = s.evidence
    ts = ev.signature_timestamp
    if ts is not None and ts.ok:
        return fmt_time(ts.time), "tijdstempel van de TSA (RFC 3161): bewijs", ts.tsa or UNKNOWN
    if ts is not None:
        return (
            fmt_time(ts.time),
            "tijdstempel van de TSA, maar niet geldig of niet vertrouwd",
            ts.tsa or UNKNOWN,
        )
    if ev.claimed_signing_time is not None:
        return (
            fmt_time(ev.claimed_signing_time),
            "opgegeven door de ondertekenaar zelf (bewering, geen bewijs)",
            "geen",
        )
    return UNKNOWN, "geen tijdstip", "geen"


def _signature_row(
    n: int,
    f: FileVerdict,
    s: SignatureVerdict,
    facts: ReportFacts,
    partners: tuple[PartnerFacts, ...] | None,
) -> SignatureRow:
    ev = s.evidence
    c = ev.signer
    doc = f.evidence.approved.label if f.evidence and f.evidence.approved else "geen goedgekeurde versie"
    who = s.who  # decided once, by the pipeline
    when, source, tsa = _time_source(s)
    cert = (
        CertificateRow(
            subject=c.subject,
            issuer=c.issuer,
            serial=c.serial_hex,
            valid_from=fmt_date(c.not_before),
            valid_until=fmt_date(c.not_after),
            fingerprint_sha256=c.fingerprint_sha256,
            subject_serial_number=_or(c.subject_serial_number, "geen"),
            organisation_identifier=_or(c.organisation_identifier, "geen"),
        )
        if c
        else None
    )
    holder = (
        f"{c.common_name or c.subject}" + (f", {c.organisation}" if c.organisation else "")
        if c
        else UNKNOWN
    )
    identity = (
        f"uitgegeven door {c.issuer}; serienummer {c.serial_hex}; "
        f"SHA-256 {c.fingerprint_sha256}"
        if c
        else UNKNOWN
    )
    if ev.kind is SignatureKind.CERTIFICATION:
        capacity, mandate = "secretariaat (goedkeuring namens de Bestuurlijke Regiegroep)", "n.v.t."
    elif who is not None:
        capacity = who.capacity + ("" if who.stated_capacity else " (niet in de handtekening vermeld)")
        if not who.partner.is_municipality:
            mandate = "n.v.t. (geen gemeente)"
        elif who.mandate is None:
            mandate = "geen geregistreerd machtigingsbesluit"
        else:
            how = "gebonden in de handtekening" if who.mandate_how == "bound" else "niet gebonden; geregistreerd"
            mandate = f"{_mandate_text(who.mandate)} — {how}"
    else:
        capacity, mandate = NOT_REGISTERED, NOT_REGISTERED
    return SignatureRow(
        number=n,
        file=f.path,
        document=doc,
        field=ev.field_name,
        kind=_KIND.get(ev.kind, ev.kind.value),
        signatory=(who.signatory.name if who else None)
        or (c.common_name if c else None)
        or UNKNOWN,
        organisation=(who.partner.name if who else None)
        or (c.organisation if c else None)
        or UNKNOWN,
        role=(who.signatory.role if who else None)
        or (f"{c.title} (volgens certificaat)" if c and c.title else NOT_REGISTERED),
        capacity=capacity,
        mandate=mandate,
        signing_time=when,
        time_source=source,
        tsa=tsa,
        claimed_time=fmt_time(ev.claimed_signing_time) if ev.claimed_signing_time else "geen",
        certificate=cert,
        pades_level=ev.pades_level or UNKNOWN,
        verdict=_verdict(s),
        ok=s.ok,
        findings=_findings(s.findings),
        art24=Art24Row(
            signature_holder=holder,
            validation_moment=fmt_time(facts.validated_at),
            validation_result=_verdict(s),
            responsible_official=facts.responsible,
            certificate_identity=identity,
        ),
    )


def build_report(facts: ReportFacts) -> Report:
    """The report content for ``facts`` (Dutch, display-ready)."""
    partners = facts.partners
    current = [v for v in facts.versions if v.superseded_by is None]
    current_labels = [v.label for v in current]

    signatures: list[SignatureRow] = []
    files: list[FileRow] = []
    seen_cert: set[tuple[str, str, str]] = set()
    unregistered: dict[str, tuple[SignatureRow, set[str]]] = {}  # organisation -> (row, labels signed)
    per_version: dict[str, int] = {}
    for f in facts.copies.files:
        label = f.evidence.approved.label if f.evidence and f.evidence.approved else "—"
        files.append(
            FileRow(
                file=f.path,
                sha256=f.evidence.sha256.hex if f.evidence else UNKNOWN,
                document=label,
                status={"VERIFIED": "geverifieerd", "FAILED": "afgekeurd", "ERROR": "niet leesbaar"}[
                    f.status
                ],
                partner_signatures=len(f.partner_signatures),
                findings=_findings(f.findings),
                error=f.error or "",
            )
        )
        for s in f.signatures:
            ev = s.evidence
            if ev.kind is SignatureKind.DOC_TIMESTAMP:
                continue
            if ev.kind is SignatureKind.CERTIFICATION:
                key = (label, ev.field_name, ev.signer.fingerprint_sha256 if ev.signer else "")
                if key in seen_cert:
                    continue
                seen_cert.add(key)
            row = _signature_row(len(signatures) + 1, f, s, facts, partners)
            signatures.append(row)
            if ev.kind is SignatureKind.SIGNATURE:
                signed = signature_state(f, s) == SIGNED
                per_version[label] = per_version.get(label, 0) + int(signed)
                if s.who is None:
                    _row, got = unregistered.setdefault(row.organisation, (row, set()))
                    if signed:
                        got.add(label)

    versions = tuple(
        VersionRow(
            document=v.document.value,
            title=v.document.title,
            version=v.version,
            approved_sha256=v.approved_sha256.hex,
            source_sha256=v.source_sha256.hex,
            decided_on=fmt_date(v.decided_on),
            approved_at=fmt_time(v.approved_at),
            approver_certificate=v.approver_fingerprint,
            superseded_by=v.superseded_by or "—",
            current=v.superseded_by is None,
            partner_signatures=per_version.get(v.label, 0),
        )
        for v in facts.versions
    )

    partner_rows: list[PartnerRow] = []
    matrix = {r.partner.key: r for r in facts.status.rows} if facts.status else {}
    for p in partners or ():
        got = set()
        states = []
        for d, cell in (matrix[p.key].cells.items() if p.key in matrix else ()):
            label = f"{d.value} {cell.version}" if cell.version else d.value
            states.append(f"{label}: {_STATE.get(cell.state, cell.state.value)}")
            if cell.state == SIGNED and cell.version:
                got.add(f"{d.value} {cell.version}")
        live = [m for m in p.mandates if m.revoked_at is None or m.revoked_at > facts.validated_at]
        partner_rows.append(
            PartnerRow(
                name=p.name,
                kind=p.kind,
                signatory="; ".join(s.name for s in p.signatories) or NOT_REGISTERED,
                role="; ".join(s.role for s in p.signatories) or NOT_REGISTERED,
                capacity=(capacity_text(p.municipality) if p.municipality and live
                          else NOT_REGISTERED if p.municipality else f"namens {p.name}"),
                mandate=_partner_mandates(p),
                organisation_identifier=_or(p.organisation_identifier),
                signed=tuple(sorted(got & set(current_labels))),
                missing=tuple(x for x in current_labels if x not in got),
                registered=True,
                states=tuple(states),
            )
        )
    for org in sorted(unregistered):
        row, got = unregistered[org]
        partner_rows.append(
            PartnerRow(
                name=org,
                kind=NOT_REGISTERED,
                signatory=row.signatory,
                role=row.role,
                capacity=NOT_REGISTERED,
                mandate=NOT_REGISTERED,
                organisation_identifier=(
                    row.certificate.organisation_identifier if row.certificate else UNKNOWN
                ),
                signed=tuple(sorted(got & set(current_labels))),
                missing=tuple(x for x in current_labels if x not in got),
                registered=False,
            )
        )

    if partners is None:
        missing_partners: tuple[str, ...] = ()
        missing_note = (
            "Niet te bepalen: de registry bevat nog geen geregistreerde partners "
            "(niet geregistreerd). Hieronder staan alleen partners die in de "
            "ondertekende kopieën voorkomen."
        )
    else:
        missing_partners = tuple(
            f"{r.name}: {', '.join(r.missing)}" for r in partner_rows if r.registered and r.missing
        )
        missing_note = (
            "Alle geregistreerde partners hebben alle geldende versies geldig ondertekend."
            if not missing_partners
            else "Deze geregistreerde partners hebben een geldende versie nog niet geldig ondertekend."
        )

    log = facts.log
    la = log.last_anchor
    chain = ChainRow(
        intact=log.intact,
        state="intact" if log.intact else "NIET intact: het auditlog is gewijzigd",
        events=log.events,
        head_seq=log.head.seq if log.head else 0,
        head_hash=log.head.hash if log.head else UNKNOWN,
        problems=tuple(log.all_problems()),
        anchors=len(log.anchors),
        last_anchor=(
            f"gebeurtenis #{la.anchor.anchored_seq} vastgelegd door {la.tsa or UNKNOWN} op "
            f"{fmt_time(la.time)}" + ("" if la.token_ok else f" — ONGELDIG: {la.problem}")
            if la
            else "nog nooit verankerd (zvhsign log anchor)"
        ),
        last_anchor_ok=la.token_ok if la else None,
    )
    ok_files = sum(1 for f in facts.copies.files if f.verified)
    summary = (
        f"{ok_files} van {len(facts.copies.files)} ondertekende kopieën geverifieerd",
        f"{sum(1 for s in signatures if s.ok)} van {len(signatures)} handtekeningen geldig",
        f"auditlog: {chain.state}, {chain.events} gebeurtenissen, {chain.anchors} verankering(en)",
    )
    matrix_documents, matrix, counts = _matrix(facts)
    return Report(
        matrix_documents=matrix_documents, matrix=matrix, matrix_counts=counts,
        title="Auditrapport ondertekening Samenwerkingsconvenant en Privacy Protocol",
        generated_at=fmt_time(facts.validated_at),
        responsible=facts.responsible,
        workspace=facts.workspace,
        registry=facts.registry_url,
        copies_source=(
            "opgeslagen kopieën in de registry"
            if facts.copies_source == "registry"
            else "bestanden opgegeven bij het maken van dit rapport"
        ),
        versions=versions,
        partners=tuple(partner_rows),
        partners_registered=partners is not None,
        missing_partners=missing_partners,
        missing_note=missing_note,
        signatures=tuple(signatures),
        files=tuple(files),
        chain=chain,
        trust=_trust_row(facts.trust),
        summary=summary,
    )


def _matrix(facts: ReportFacts) -> tuple[tuple[str, ...], tuple[MatrixRow, ...], tuple[str, ...]]:
    """Page 1: the partner × document matrix as the status shows it (rendered from the
    same verdicts), and how many cells are in each state."""
    if facts.status is None:
        return (), (), ()
    docs = tuple(d.title for d in facts.status.current)
    rows, tally = [], {}
    for r in facts.status.rows:
        cells = []
        for cell in r.cells.values():
            label = _STATE.get(cell.state, cell.state.value) + (f" ({cell.version})" if cell.version else "")
            cells.append(MatrixCell(cell.state.value, label))
            tally[cell.state] = tally.get(cell.state, 0) + 1
        rows.append(MatrixRow(r.partner.name, tuple(cells)))
    counts = tuple(f"{_STATE[s]}: {tally[s]}" for s in _STATE if s in tally)
    return docs, tuple(rows), counts
