"""The audit report's content: one model, rendered to HTML, PDF and JSON alike.

:func:`build_report` turns :class:`zvhsign.services.reporting.ReportFacts`
(domain objects) into display-ready, Dutch text for privacy officers. Nothing
is decided here that the rules did not decide: verdicts and findings are the
verification's own; what the registry does not hold shows as
:data:`NOT_REGISTERED`. The rows are in :mod:`.rows`, the signature cards in
:mod:`.signatures`, the Dutch words and time formats in :mod:`.words`, subjects
as names in :mod:`.names`.
"""

from __future__ import annotations

from ..domain.evidence import SignatureKind
from ..domain.mandates import capacity_text
from ..domain.status import SIGNED, signature_state
from ..services.reporting import ReportFacts
from .names import humanise
from .rows import (  # noqa: F401  (re-exported: the rows are part of this model)
    SCHEMA, Art24Row, CertificateRow, ChainRow, FileRow, FindingRow, MatrixCell, MatrixRow, PartnerRow,
    QualificationRow, Report, SignatureRow, TrustRow, VersionRow,
)
from .signatures import findings as _findings
from .signatures import partner_mandates as _partner_mandates
from .signatures import signature_row
from .words import (  # noqa: F401  (re-exported: the web page takes its words from here too)
    INDICATION_NL, LEVEL_NL, NOT_REGISTERED, STATE_NL, TIME_NOTE, UNKNOWN, _or, fmt_date, fmt_time,
)
from .names import dn_display

_STATE = STATE_NL


def _trust_row(trust) -> TrustRow:  # noqa: ANN001
    s = trust.settings
    if s is None:
        return TrustRow(False, (), (), (), UNKNOWN, "niet vastgelegd (registry van vóór deze versie)", ())
    subjects = s.get("subjects") or {}

    def named(fps) -> tuple[str, ...]:  # noqa: ANN001
        return tuple(
            f"{dn_display(subjects[f])} — SHA-256 {f}" if f in subjects else f"SHA-256 {f}" for f in fps or ()
        )

    return TrustRow(
        recorded=True,
        trust_roots=named(s.get("trust_roots")),
        secretariat=named(s.get("secretariat")),
        other_certs=named(s.get("other_certs")),
        tsa_url=s.get("tsa_url") or "geen (geen tijdstempels)",
        since=f"vastgelegd in gebeurtenis #{trust.since_seq}",
        changes=tuple(
            f"#{e.seq} {fmt_time(e.at)} door {e.actor}: {humanise(e.subject)}" for e in trust.changes
        ),
    )


def _signatures_and_files(facts: ReportFacts):  # noqa: ANN202
    """The signature cards and file rows, what each version got, and the signing
    organisations that are not registered partners (organisation -> (row, labels signed))."""
    signatures: list[SignatureRow] = []
    files: list[FileRow] = []
    seen_cert: set[tuple[str, str, str]] = set()
    unregistered: dict[str, tuple[SignatureRow, set[str]]] = {}
    per_version: dict[str, int] = {}
    for f in facts.copies.files:
        label = f.evidence.approved.label if f.evidence and f.evidence.approved else "—"
        files.append(
            FileRow(
                file=f.path,
                sha256=f.evidence.sha256.hex if f.evidence else UNKNOWN,
                document=label,
                status={"VERIFIED": "geverifieerd", "FAILED": "afgekeurd", "ERROR": "niet leesbaar"}[f.status],
                partner_signatures=len(f.partner_signatures),
                findings=_findings(f.findings),
                error=humanise(f.error or ""),
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
            row = signature_row(len(signatures) + 1, f, s, facts)
            signatures.append(row)
            if ev.kind is SignatureKind.SIGNATURE:
                signed = signature_state(f, s) == SIGNED
                per_version[label] = per_version.get(label, 0) + int(signed)
                if s.who is None:
                    _row, got = unregistered.setdefault(row.organisation, (row, set()))
                    if signed:
                        got.add(label)
    return signatures, files, per_version, unregistered


def _versions(facts: ReportFacts, per_version: dict[str, int]) -> tuple[VersionRow, ...]:
    return tuple(
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


def _partner_rows(facts: ReportFacts, current_labels: list[str], unregistered) -> list[PartnerRow]:  # noqa: ANN001
    rows: list[PartnerRow] = []
    matrix = {r.partner.key: r for r in facts.status.rows} if facts.status else {}
    for p in facts.partners or ():
        got = set()
        states = []
        for d, cell in (matrix[p.key].cells.items() if p.key in matrix else ()):
            label = f"{d.value} {cell.version}" if cell.version else d.value
            states.append(f"{label}: {_STATE.get(cell.state, cell.state.value)}")
            if cell.state == SIGNED and cell.version:
                got.add(f"{d.value} {cell.version}")
        live = [m for m in p.mandates if m.revoked_at is None or m.revoked_at > facts.validated_at]
        rows.append(
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
        rows.append(
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
    return rows


def _missing(facts: ReportFacts, partner_rows: list[PartnerRow]) -> tuple[tuple[str, ...], str]:
    if facts.partners is None:
        return (), (
            "Niet te bepalen: de registry bevat nog geen geregistreerde partners "
            "(niet geregistreerd). Hieronder staan alleen partners die in de "
            "ondertekende kopieën voorkomen."
        )
    missing = tuple(f"{r.name}: {', '.join(r.missing)}" for r in partner_rows if r.registered and r.missing)
    return missing, (
        "Alle geregistreerde partners hebben alle geldende versies geldig ondertekend."
        if not missing
        else "Deze geregistreerde partners hebben een geldende versie nog niet geldig ondertekend."
    )


def _chain(facts: ReportFacts) -> ChainRow:
    log = facts.log
    la = log.last_anchor
    return ChainRow(
        intact=log.intact,
        state="intact" if log.intact else "NIET intact: het auditlog is gewijzigd",
        events=log.events,
        head_seq=log.head.seq if log.head else 0,
        head_hash=log.head.hash if log.head else UNKNOWN,
        problems=tuple(log.all_problems()),
        anchors=len(log.anchors),
        last_anchor=(
            f"gebeurtenis #{la.anchor.anchored_seq} vastgelegd door {dn_display(la.tsa) if la.tsa else UNKNOWN} "
            f"op {fmt_time(la.time)}" + ("" if la.token_ok else f" — ONGELDIG: {la.problem}")
            if la
            else "nog nooit verankerd (zvhsign log anchor)"
        ),
        last_anchor_ok=la.token_ok if la else None,
    )


def _tiles(facts: ReportFacts, signatures: list[SignatureRow], partner_rows: list[PartnerRow],
           chain: ChainRow) -> tuple[tuple[str, str, str], ...]:
    """Page 1 at a glance: a few figures, each with its tone."""
    files = facts.copies.files
    ok_files = sum(1 for f in files if f.verified)
    partner_sigs = [s for s in signatures if s.kind == "ondertekening partner"]
    ok_sigs = sum(1 for s in partner_sigs if s.ok)
    tiles = [
        (f"{ok_files}/{len(files)}", "kopieën geverifieerd", "ok" if ok_files == len(files) else "bad"),
        (f"{ok_sigs}/{len(partner_sigs)}", "partnerhandtekeningen geldig",
         "ok" if ok_sigs == len(partner_sigs) else "bad"),
    ]
    registered = [r for r in partner_rows if r.registered]
    if facts.partners is not None:
        complete = sum(1 for r in registered if not r.missing)
        tiles.append((f"{complete}/{len(registered)}", "partners compleet",
                      "ok" if complete == len(registered) else "warn"))
    tiles.append((chain.state.split(":")[0], "auditlog", "ok" if chain.intact else "bad"))
    return tuple(tiles)


def build_report(facts: ReportFacts) -> Report:
    """The report content for ``facts`` (Dutch, display-ready)."""
    current_labels = [v.label for v in facts.versions if v.superseded_by is None]
    signatures, files, per_version, unregistered = _signatures_and_files(facts)
    partner_rows = _partner_rows(facts, current_labels, unregistered)
    missing_partners, missing_note = _missing(facts, partner_rows)
    chain = _chain(facts)
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
        generated_at_utc=facts.validated_at.isoformat(),
        time_note=TIME_NOTE,
        responsible=facts.responsible,
        requested_by=facts.requested_by or "",
        workspace=facts.workspace,
        registry=facts.registry_url,
        copies_source=(
            "opgeslagen kopieën in de registry"
            if facts.copies_source == "registry"
            else "bestanden opgegeven bij het maken van dit rapport"
        ),
        versions=_versions(facts, per_version),
        partners=tuple(partner_rows),
        partners_registered=facts.partners is not None,
        missing_partners=missing_partners,
        missing_note=missing_note,
        signatures=tuple(signatures),
        files=tuple(files),
        chain=chain,
        trust=_trust_row(facts.trust),
        summary=summary,
        tiles=_tiles(facts, signatures, partner_rows, chain),
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
