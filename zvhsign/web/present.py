"""What the page shows of a verdict, in Dutch: rendering only.

Every state, code, message and hint comes from the verdict objects the pipeline
made (domain/verdicts.py); this module only chooses words for them. The three
outcomes mirror ``zvhsign verify``'s table: VERIFIED is "Geaccepteerd", a FAIL
finding or a TOTAL-FAILED signature (or a file that could not be judged) is
"Niet geaccepteerd", otherwise (INDETERMINATE, a warning) "Nog niet te
beoordelen".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.evidence import Indication, SignatureKind
from ..domain.findings import Finding, Level
from ..domain.verdicts import FileVerdict, Outcome, SignatureVerdict
from ..reports.words import INDICATION_NL, STATE_NL, fmt_minute, qualification_text

ACCEPTED, REJECTED, PENDING = "geaccepteerd", "niet-geaccepteerd", "nog-niet"

KIND_NL = {
    SignatureKind.SIGNATURE: "ondertekening partner",
    SignatureKind.CERTIFICATION: "goedkeuring secretariaat",
    SignatureKind.DOC_TIMESTAMP: "documenttijdstempel",
    SignatureKind.REPORT: "ondertekening auditrapport",
}
#: the matrix states in the report's words ("ondertekend", "opnieuw ondertekenen", ...)
CELL_NL = STATE_NL
MANDATE_NL = {
    "registered": "geregistreerd",
    "missing": "ontbreekt",
    "revoked": "ingetrokken",
    "does not cover current version": "dekt de huidige versie niet",
    "n/a": "n.v.t.",
}


def when(dt: datetime | None) -> str:
    """A moment in Dutch local time with the zone named (as in the report)."""
    if dt is None:
        return "—"
    return fmt_minute(dt)


def mandate_text(state: str) -> str:
    if state.startswith("revoked from "):
        return f"ingetrokken per {state.removeprefix('revoked from ')}"
    return MANDATE_NL.get(state, state)


def outcome(fv: FileVerdict) -> str:
    """The verdict's own outcome, in the page's words."""
    return {Outcome.VERIFIED: ACCEPTED, Outcome.INDETERMINATE: PENDING}.get(fv.outcome, REJECTED)


def first_blocking(fv: FileVerdict) -> Finding | None:
    """The finding that says best why a copy is not accepted (first FAIL, else first WARN)."""
    return fv.first_blocking()


@dataclass(frozen=True)
class FindingView:
    """A finding as the (Dutch) page shows it: the code's meaning in Dutch, the rule's own
    message as details where it adds facts, the hint in Dutch."""

    code: str
    level: Level
    message: str
    hint: str | None


def finding_views(items) -> tuple[FindingView, ...]:  # noqa: ANN001
    from ..i18n import using
    from ..services.findings_text import finding_text

    out = []
    with using("nl"):
        for f in items:
            t = finding_text(f)
            out.append(FindingView(f.code, f.level, t.text + (f" ({t.details})" if t.details else ""), t.hint))
    return tuple(out)


@dataclass(frozen=True)
class SignatureView:
    field: str
    kind: str
    who: str
    capacity: str | None
    indication: str
    indication_code: str
    time: str
    level: str | None
    findings: tuple[FindingView, ...]
    qualification: str = ""  # eIDAS, in the report's words
    qualification_level: str = ""


@dataclass(frozen=True)
class CopyView:
    index: int
    label: str
    outcome: str
    heading: str
    reason_code: str | None
    reason: str | None
    hint: str | None
    document: str | None
    sha256: str | None
    signers: tuple[str, ...]
    file_findings: tuple[FindingView, ...]
    signatures: tuple[SignatureView, ...]
    error: str | None
    not_pdf: bool


def _who(sv: SignatureVerdict) -> str:
    if sv.who is not None:
        return f"{sv.who.signatory.name} ({sv.who.signatory.role}, {sv.who.partner.name})"
    signer = sv.evidence.signer
    if signer is None:
        return "onbekend"
    return signer.common_name or signer.subject


def _signature(sv: SignatureVerdict) -> SignatureView:
    ev = sv.evidence
    ts = ev.signature_timestamp
    return SignatureView(
        field=ev.field_name, kind=KIND_NL.get(ev.kind, ev.kind.value), who=_who(sv),
        capacity=sv.who.capacity if sv.who is not None else None,
        indication=INDICATION_NL[sv.indication], indication_code=sv.indication.value,
        time=when(ts.time) if ts is not None and ts.ok else "geen bewezen tijdstip",
        level=ev.pades_level, findings=finding_views(sv.findings),
        qualification=qualification_text(ev.qualification), qualification_level=ev.qualification.level.value,
    )


def copy_view(index: int, fv: FileVerdict, data: bytes | None) -> CopyView:
    state = outcome(fv)
    not_pdf = data is not None and b"%PDF-" not in data[:1024]
    code = reason = hint = None
    if not fv.completed or (not_pdf and fv.evidence is None):  # (not a PDF: FILE_DAMAGED)
        if not_pdf:
            heading = "Niet geaccepteerd: dit bestand is geen PDF"
            reason = "Alleen ondertekende PDF-kopieën van het convenant of het privacyprotocol kunnen worden beoordeeld."
        else:
            heading = "Niet geaccepteerd: het bestand kon niet worden beoordeeld"
            reason = fv.error
    elif state == ACCEPTED:
        heading = "Geaccepteerd"
    else:
        f = first_blocking(fv)
        if f is not None:
            shown = finding_views([f])[0]
            code, reason, hint = f.code, shown.message, shown.hint
        else:
            s = next((s for s in fv.signatures if s.indication is not Indication.TOTAL_PASSED), None)
            if s is not None:
                code = s.evidence.subindication or s.indication.value
                reason = s.evidence.failure or f"{s.evidence.field_name}: {s.indication.value}"
        prefix = "Niet geaccepteerd" if state == REJECTED else "Nog niet te beoordelen"
        heading = f"{prefix}: {code}" if code else prefix
    ev = fv.evidence
    document = None
    if ev is not None and ev.approved is not None:
        document = f"{ev.approved.document.title} {ev.approved.version}"
    signers = tuple(_who(s) for s in fv.partner_signatures)
    return CopyView(
        index=index, label=fv.path, outcome=state, heading=heading, reason_code=code, reason=reason,
        hint=hint, document=document, sha256=ev.sha256.hex if ev is not None else None, signers=signers,
        file_findings=finding_views(fv.findings), signatures=tuple(_signature(s) for s in fv.signatures),
        error=fv.error, not_pdf=not_pdf,
    )
