"""The Dutch words and formats of everything people read (the report, the web page).

Defined once: the report and ``zvhsign serve`` both take their words for verdicts,
matrix states, signature kinds and eIDAS qualification levels from here, and show
every moment in Dutch local time with the zone named.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ..domain.evidence import Indication, SignatureKind
from ..domain.findings import Level
from ..domain.qualification import KeyProtection, Qualification, QualificationEvidence, QualificationReason
from ..domain.status import INDETERMINATE, INVALID, MISSING, NEEDS_RESIGNING, SIGNED
from .names import humanise

NOT_REGISTERED = "niet geregistreerd"
UNKNOWN = "onbekend"

#: every moment people read is shown in this zone (tzdata is a dependency)
TIMEZONE = ZoneInfo("Europe/Amsterdam")
TIME_NOTE = (
    "Alle tijden zijn Nederlandse tijd (Europe/Amsterdam): CET is wintertijd (UTC+1), "
    "CEST zomertijd (UTC+2)."
)

#: Dutch words for verdicts, shared by everything that shows them (report, web page)
INDICATION_NL = {
    Indication.TOTAL_PASSED: "geldig",
    Indication.TOTAL_FAILED: "ongeldig",
    Indication.INDETERMINATE: "onbepaald",
}
LEVEL_NL = {Level.FAIL: "fout", Level.WARN: "waarschuwing", Level.INFO: "info"}
KIND_NL = {
    SignatureKind.SIGNATURE: "ondertekening partner",
    SignatureKind.CERTIFICATION: "goedkeuring secretariaat (certificering)",
    SignatureKind.DOC_TIMESTAMP: "documenttijdstempel",
    SignatureKind.REPORT: "ondertekening auditrapport (secretariaat)",
}
#: the states of the partner × document matrix (domain/status.py), in the report and on the page
STATE_NL = {
    SIGNED: "ondertekend",
    NEEDS_RESIGNING: "opnieuw ondertekenen",
    INDETERMINATE: "onbepaald",
    INVALID: "ongeldig",
    MISSING: "ontbreekt",
}
#: eIDAS qualification levels (domain/qualification.py)
QUALIFICATION_NL = {
    Qualification.QES: "gekwalificeerde elektronische handtekening (QES)",
    Qualification.ADES_QC: "geavanceerde handtekening met gekwalificeerd certificaat (AdES-QC)",
    Qualification.ADES: "geavanceerde elektronische handtekening (AdES)",
    Qualification.INDETERMINATE: "niet vast te stellen (INDETERMINATE)",
    Qualification.NOT_ASSESSED: "niet beoordeeld",
}
NOT_ASSESSED_NOTE = "geen EU-vertrouwenslijsten (trusted lists) geladen in deze werkruimte"
KEY_PROTECTION_NL = {
    KeyProtection.QSCD: "sleutel in een gekwalificeerd middel (QSCD)",
    KeyProtection.QSCD_MANAGED_ON_BEHALF: "sleutel in een QSCD van een ondertekendienst",
    KeyProtection.QSCD_BY_POLICY: "sleutel in een QSCD volgens beleid (QCP+)",
}
_ISO_MOMENT = re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def fmt_time(dt: datetime | None) -> str:
    """A moment in Dutch local time with the zone named, e.g. ``2026-11-30 17:35:56 CET``."""
    if dt is None:
        return UNKNOWN
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)  # the registry and the evidence keep UTC
    local = dt.astimezone(TIMEZONE)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def local_times(text: str) -> str:
    """``text`` (a finding, a reason) with every ISO 8601 moment in it shown in Dutch local time."""
    def one(m: re.Match) -> str:
        try:
            return fmt_time(datetime.fromisoformat(m.group(0).replace("Z", "+00:00")))
        except ValueError:
            return m.group(0)

    return _ISO_MOMENT.sub(one, text)


def fmt_minute(dt: datetime | None) -> str:
    """A moment to the minute in Dutch local time with the zone named."""
    if dt is None:
        return UNKNOWN
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    local = dt.astimezone(TIMEZONE)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def fmt_date(d: date | datetime | None) -> str:
    if d is None:
        return UNKNOWN
    if isinstance(d, datetime) and d.tzinfo is not None:
        d = d.astimezone(TIMEZONE)
    return d.strftime("%Y-%m-%d")


def qualification_text(q: QualificationEvidence) -> str:
    """One line: the level in Dutch, with the trusted-list service when there is one;
    NOT-ASSESSED says briefly why."""
    label = QUALIFICATION_NL.get(q.level, q.level.value)
    if q.level is Qualification.NOT_ASSESSED:
        return f"{label} — {NOT_ASSESSED_NOTE}"
    if q.service_name:
        where = ", ".join(x for x in (q.service_territory, _status_word(q.service_status)) if x)
        label += f"; dienst: {q.service_name}" + (f" ({where})" if where else "")
    if q.level is Qualification.QES and q.key_protection in KEY_PROTECTION_NL:
        label += f"; {KEY_PROTECTION_NL[q.key_protection]}"
    return label


def reason_text(reason: QualificationReason) -> str:
    """One reason for a qualification level (domain/qualification.py) as people read it:
    its msgid translated into the language spoken now (call it inside ``i18n.using``;
    the English sentence when the translation does not fit its parameters), subjects
    shown as names and every moment in Dutch local time."""
    from ..i18n import _

    return local_times(humanise(reason.said(_)))


def _status_word(status: str | None) -> str | None:
    if not status:
        return None
    last = status.rstrip("/").rsplit("/", 1)[-1]
    return {"granted": "verleend", "withdrawn": "ingetrokken", "recognisedatnationallevel":
            "nationaal erkend", "deprecatedatnationallevel": "nationaal vervallen"}.get(last.lower(), last)


def _or(value: str | None, default: str = NOT_REGISTERED) -> str:
    return value if value else default
