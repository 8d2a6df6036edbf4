"""Facts for the audit report, and signing the report PDF with the secretariat key.

:func:`gather` collects what the report shows, as domain objects: the approved
versions, the verdicts of the signed copies (the files given, else the
registry's recorded copies) made by the one verification pipeline
(services/pipeline.py) -- integrity, trust, who signed, mandates and order --,
the partner × document matrix rendered from those verdicts, the partners
registered in the governance tables, and the state of the audit log with its
anchors. Nothing here judges on its own. ``zvhsign.reports`` turns these facts into the
Dutch report (HTML, PDF, JSON); :func:`sign_report_pdf` then signs and
timestamps the PDF as the secretariat, in a new signature field.

Governance data (partners, signatories, mandates, recorded copies) comes from
``Registry.governance``; whatever is not registered shows as "niet
geregistreerd" in the report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..domain.audit import Anchor
from ..domain.documents import ApprovedVersion, PadesLevel
from ..domain.mandates import Mandate
from ..domain.status import StatusMatrix, status_matrix
from ..domain.verdicts import BatchVerdict
from ..errors import ServiceError, UsageError, WorkspaceError
from .auditlog import AnchorCheck, LogCheck, check_anchor
from .keys import KeySource
from .pipeline import Copy, Pipeline
from .runtime import open_runtime
from .workspace import Workspace

from ..pdf.fields import REPORT_FIELD  # noqa: E402
"""Signature field the secretariat's signature on a report PDF goes into."""

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class SignatoryFacts:
    """A registered signatory of a partner (name, role, certificate fingerprints)."""

    name: str
    role: str
    fingerprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartnerFacts:
    """One partner as the registry's governance tables hold it."""

    key: str
    name: str
    kind: str
    organisation_identifier: str | None = None
    municipality: str | None = None  # "Haarlem" for a gemeente, else None
    signatories: tuple[SignatoryFacts, ...] = ()
    mandates: tuple[Mandate, ...] = ()


@dataclass(frozen=True)
class TrustFacts:
    """The trust settings the verdicts rest on, as the audit log records them."""

    settings: dict | None  # details of the newest init/config event with trust settings
    since_seq: int | None  # the event that recorded them
    changes: tuple = ()  # AuditEvent of every later-than-init trust change ("config")


def _trust(events) -> TrustFacts:  # noqa: ANN001
    logged = [e for e in events if e.action in ("init", "config") and e.details.get("trust_sha256")]
    if not logged:
        return TrustFacts(None, None)
    last = logged[-1]
    return TrustFacts(dict(last.details), last.seq, tuple(e for e in logged if e.action == "config"))


@dataclass(frozen=True)
class ReportFacts:
    """Everything the audit report shows, gathered in one validation run."""

    validated_at: datetime  # the moment of validation (Archiefregeling art. 24)
    responsible: str  # the official responsible for the validation: "Naam (functie)"
    workspace: str
    registry_url: str
    versions: tuple[ApprovedVersion, ...]
    copies: BatchVerdict
    copies_source: str  # "registry" or "files"
    partners: tuple[PartnerFacts, ...] | None  # None: no governance data registered
    log: LogCheck
    trust: TrustFacts = TrustFacts(None, None)
    status: StatusMatrix | None = None  # partner × document, from the same verdicts
    requested_by: str | None = None  # who asked for it, when not the official (a web user)


RESPONSIBLE_HINT = (
    'set [report] responsible_name = "J. de Vries" and responsible_function = '
    '"Functionaris voor de gegevensbescherming" in zvhsign.toml'
)


def responsible_official(ws: Workspace) -> str:
    """The official responsible for the validation, as the workspace names them
    (``[report] responsible_name`` and ``responsible_function``): "Naam (functie)".
    The Archiefregeling asks for a person and a function, not whoever runs the command,
    so a report without them is refused."""
    name = (ws.config.responsible_name or "").strip()
    function = (ws.config.responsible_function or "").strip()
    if not name or not function:
        missing = " and ".join(k for k, v in (("responsible_name", name), ("responsible_function", function))
                               if not v)
        raise WorkspaceError(
            f"the audit report names the official responsible for the validation, but [report] "
            f"{missing} is not set in {ws.config_path}",
            hint=RESPONSIBLE_HINT,
        )
    return f"{name} ({function})"


def _partners(reg) -> tuple[PartnerFacts, ...] | None:  # noqa: ANN001
    """Registered partners with their signatories and mandates; None when none are registered."""
    gov = getattr(reg, "governance", None)
    if gov is None:
        return None
    partners = gov.partners()
    if not partners:
        return None
    sigs = gov.signatories()
    mandates = gov.mandates()
    return tuple(
        PartnerFacts(
            key=p.key,
            name=p.name,
            kind=p.kind,
            organisation_identifier=p.organisation_identifier,
            municipality=p.municipality_name if p.is_municipality else None,
            signatories=tuple(
                SignatoryFacts(s.name, s.role, tuple(s.fingerprints))
                for s in sigs
                if s.partner_key == p.key
            ),
            mandates=tuple(m for m in mandates if m.partner_key == p.key),
        )
        for p in partners
    )


def gather(
    ws: Workspace,
    files: Sequence[Path] = (),
    *,
    responsible: str | None = None,
    online: bool = True,
    requested_by: str | None = None,
    jobs: int | None = 1,
    worker_setup=None,  # noqa: ANN001
) -> ReportFacts:
    """Judge the signed copies through the pipeline and read the registry and audit log,
    at one moment. Recorded copies are examined again (the report states a fresh
    validation moment), from the bytes the registry keeps -- by ``jobs`` worker processes
    for a large batch (None: one per core; ``worker_setup`` as for ``verify``).

    ``responsible``: the official responsible for the validation; by default the one the
    workspace names (:func:`responsible_official`, refused when it names none).
    ``requested_by``: who asked for the report, when that is someone else (a web user)."""
    if responsible is None:
        responsible = responsible_official(ws)
    if not responsible.strip():
        raise UsageError("the official responsible for the validation can't be empty")
    validated_at = datetime.now(timezone.utc).replace(microsecond=0)
    with Pipeline(ws, online=online, jobs=jobs, worker_setup=worker_setup) as pipe:
        reg = pipe.registry
        partners = _partners(reg)
        events = reg.events()
        problems = reg.verify_log()
        head = reg.chain_head()
        anchors = [a for a in (Anchor.from_event(e) for e in events) if a is not None]
        if files:
            source, copies = "files", [Copy.of_path(Path(f)) for f in files]
        else:
            source, copies = "registry", []
            for rc in reg.governance.recorded_copies():
                data = reg.get_blob(rc.sha256)
                if data is not None:
                    at = rc.recorded_at if rc.recorded_at.tzinfo else rc.recorded_at.replace(tzinfo=timezone.utc)
                    local = at.astimezone(AMSTERDAM)
                    label = f"registry: kopie {rc.sha256[:12]}… (vastgelegd {local:%Y-%m-%d %H:%M} {local.tzname()})"
                    copies.append(Copy(label, data=data))
            if not copies:
                raise UsageError(
                    "no signed copies to report on: the registry holds no recorded copies",
                    hint="give the signed files, e.g. `zvhsign report --format html -o r.html signed/*.pdf`",
                )

        async def run() -> tuple[BatchVerdict, list[AnchorCheck]]:
            async with pipe.session() as rt:
                batch, _ = await pipe.run(rt, copies)
                return batch, [await check_anchor(rt, a) for a in anchors]

        batch, checks = asyncio.run(run())
        log = LogCheck(len(events), head, tuple(problems), tuple(checks))
        status = status_matrix(pipe.governance, batch, validated_at) if pipe.governance else None
        return ReportFacts(
            validated_at=validated_at,
            responsible=responsible.strip(),
            workspace=str(ws.root),
            registry_url=reg.url,
            versions=pipe.approved,
            copies=batch,
            copies_source=source,
            partners=partners,
            log=log,
            trust=_trust(events),
            status=status,
            requested_by=requested_by,
        )


def sign_report_pdf(
    ws: Workspace, pdf: bytes, key: KeySource, *, level: PadesLevel = PadesLevel.B_LT
) -> bytes:
    """Sign and timestamp a report PDF as the secretariat, in a new field ``ZVH_Rapport``.

    The signature is PAdES (default B-LT: timestamped, validation data embedded),
    so the report validates later without network access and any change to it
    is detectable.
    """
    from ..pdf.certinfo import certificate_info
    from ..pdf.signing import add_signature

    if not level.timestamped:
        raise UsageError("a report is always timestamped: choose B-T, B-LT or B-LTA")
    if not ws.config.tsa_url:
        raise ServiceError(
            "signing the report needs a timestamp authority, but none is configured",
            hint="set [tsa] url in zvhsign.toml",
        )

    async def run(signer, cert) -> bytes:
        async with open_runtime(ws) as rt:
            rt.require_secretariat(cert, "reports are signed by the secretariat")
            return await add_signature(
                pdf, signer, rt.env, level=level, field_name=REPORT_FIELD, new_field=True,
                reason="Auditrapport ondertekeningen Zorg&Veiligheidshuis",
                location="Zorg&Veiligheidshuis Kennemerland",
                name=cert.common_name,
            )

    with key.open() as signer:  # a PKCS#11 session is closed afterwards
        return asyncio.run(run(signer, certificate_info(signer.signing_cert)))
