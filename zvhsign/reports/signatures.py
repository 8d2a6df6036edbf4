"""One signature card of the audit report: who, when (and how proven), certificate,
eIDAS qualification, verdict and findings, and the Archiefregeling art. 24 facts.

Everything shown is the pipeline's own verdict and evidence; only words are chosen here.
"""

from __future__ import annotations

from ..domain.evidence import SignatureKind
from ..domain.findings import Level
from ..domain.qualification import Qualification, QualificationEvidence
from ..domain.verdicts import FileVerdict, SignatureVerdict
from ..services.reporting import PartnerFacts, ReportFacts
from .names import cert_display, dn_details, dn_display, humanise
from .rows import Art24Row, CertificateRow, FindingRow, QualificationRow, SignatureRow
from .words import (
    INDICATION_NL, KIND_NL, LEVEL_NL, NOT_ASSESSED_NOTE, NOT_REGISTERED, UNKNOWN, _or, fmt_date, fmt_time,
    local_times, qualification_text, reason_text,
)


def findings(items) -> tuple[FindingRow, ...]:  # noqa: ANN001
    """The blocking findings in Dutch: the code's meaning, with the rule's own message as
    details where it adds facts (services/findings_text.py)."""
    from ..i18n import using
    from ..services.findings_text import finding_text

    rows = []
    with using("nl"):
        for f in items:
            if f.level is Level.INFO:
                continue
            t = finding_text(f)
            text = t.text + (f" ({t.details})" if t.details else "")
            rows.append(FindingRow(f.code, LEVEL_NL.get(f.level, str(f.level.value)), local_times(humanise(text))))
    return tuple(rows)


def verdict_text(s: SignatureVerdict) -> str:
    ind = s.indication
    return f"{INDICATION_NL[ind]} ({ind.value})"


def mandate_text(m) -> str:  # noqa: ANN001
    covers = ", ".join(f"{c.document.value} {c.version}" for c in m.terms.covers) or "—"
    text = (
        f"machtigingsbesluit van {fmt_date(m.terms.decision_date)} voor burgemeester "
        f"{m.terms.mayor} (dekt {covers}; SHA-256 {m.sha256.short})"
    )
    if m.revoked_at:
        text += f", ingetrokken per {fmt_date(m.revoked_at)}"
    return text


def partner_mandates(p: PartnerFacts) -> str:
    if p.municipality is None:
        return "n.v.t. (geen gemeente)"
    return "; ".join(mandate_text(m) for m in p.mandates) or NOT_REGISTERED


def qualification_row(q: QualificationEvidence) -> QualificationRow:
    """The qualification of one signature in Dutch: its level, and why, each reason
    translated (gettext, the language the report speaks) with its moments in local time."""
    from ..i18n import using

    assessed = q.level is not Qualification.NOT_ASSESSED
    with using("nl"):
        reasons = tuple(reason_text(r) for r in q.reasons) if assessed else (NOT_ASSESSED_NOTE,)
    return QualificationRow(level=q.level.value, text=qualification_text(q), assessed=assessed, reasons=reasons)


def _time_source(s: SignatureVerdict) -> tuple[str, str, str]:
    """(trusted signing time, its source, TSA)."""
    ev = s.evidence
    ts = ev.signature_timestamp
    tsa = dn_display(ts.tsa) if ts is not None and ts.tsa else UNKNOWN
    if ts is not None and ts.ok:
        return fmt_time(ts.time), "tijdstempel van de TSA (RFC 3161): bewijs", tsa
    if ts is not None:
        return fmt_time(ts.time), "tijdstempel van de TSA, maar niet geldig of niet vertrouwd", tsa
    if ev.claimed_signing_time is not None:
        return (
            fmt_time(ev.claimed_signing_time),
            "opgegeven door de ondertekenaar zelf (bewering, geen bewijs)",
            "geen",
        )
    return UNKNOWN, "geen tijdstip", "geen"


def _capacity_and_mandate(s: SignatureVerdict) -> tuple[str, str]:
    who = s.who  # decided once, by the pipeline
    if s.evidence.kind is SignatureKind.CERTIFICATION:
        return "secretariaat (goedkeuring namens de Bestuurlijke Regiegroep)", "n.v.t."
    if who is None:
        return NOT_REGISTERED, NOT_REGISTERED
    capacity = who.capacity + ("" if who.stated_capacity else " (niet in de handtekening vermeld)")
    if not who.partner.is_municipality:
        return capacity, "n.v.t. (geen gemeente)"
    if who.mandate is None:
        return capacity, "geen geregistreerd machtigingsbesluit"
    how = "gebonden in de handtekening" if who.mandate_how == "bound" else "niet gebonden; geregistreerd"
    return capacity, f"{mandate_text(who.mandate)} — {how}"


def signature_row(n: int, f: FileVerdict, s: SignatureVerdict, facts: ReportFacts) -> SignatureRow:
    ev = s.evidence
    c = ev.signer
    doc = f.evidence.approved.label if f.evidence and f.evidence.approved else "geen goedgekeurde versie"
    who = s.who
    when, source, tsa = _time_source(s)
    cert = (
        CertificateRow(
            holder=cert_display(c),
            subject=dn_details(c.subject),
            issuer=dn_display(c.issuer),
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
    holder = cert_display(c) if c else UNKNOWN
    identity = (
        f"uitgegeven door {dn_display(c.issuer)}; serienummer {c.serial_hex}; SHA-256 {c.fingerprint_sha256}"
        if c
        else UNKNOWN
    )
    capacity, mandate = _capacity_and_mandate(s)
    signatory = (who.signatory.name if who else None) or (c.common_name if c else None) or UNKNOWN
    organisation = (who.partner.name if who else None) or (c.organisation if c else None) or UNKNOWN
    role = (who.signatory.role if who else None) or (
        f"{c.title} (volgens certificaat)" if c and c.title else NOT_REGISTERED
    )
    shown_role = role.replace(" (volgens certificaat)", "") if role != NOT_REGISTERED else None
    return SignatureRow(
        number=n,
        file=f.path,
        document=doc,
        field=ev.field_name,
        kind=KIND_NL.get(ev.kind, ev.kind.value),
        signatory=signatory,
        organisation=organisation,
        role=role,
        capacity=capacity,
        mandate=mandate,
        signing_time=when,
        time_source=source,
        tsa=tsa,
        claimed_time=fmt_time(ev.claimed_signing_time) if ev.claimed_signing_time else "geen",
        certificate=cert,
        pades_level=ev.pades_level or UNKNOWN,
        verdict=verdict_text(s),
        ok=s.ok,
        findings=findings(s.findings),
        art24=Art24Row(
            signature_holder=holder,
            validation_moment=fmt_time(facts.validated_at),
            validation_result=verdict_text(s),
            responsible_official=facts.responsible,
            certificate_identity=identity,
        ),
        qualification=qualification_row(ev.qualification),
        holder=f"{signatory} ({', '.join(x for x in (shown_role, organisation) if x)})",
    )
