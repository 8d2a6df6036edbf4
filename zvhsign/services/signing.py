"""Partner signing (``zvhsign sign``): pre-flight, confirmation, signature.

:func:`sign` first establishes everything a signatory should see before
signing -- the :class:`Preflight`: which document and version, the SHA-256 and
decision date of the approved version, who signs (from the certificate), the
certificate's validity and key usage, the PAdES level, whether the TSA answers
-- hands it to ``show``, refuses what must not be signed, and only then (unless
``dry_run``, and if ``confirm`` agrees) signs. Nothing is written unless the
whole signature succeeded; the input is never touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from ..domain.documents import ApprovedVersion, PadesLevel
from ..domain.catalogue import code
from ..domain.evidence import CertificateInfo
from ..errors import N_, InputError, RefusedError, ServiceError, SigningKeyError, UsageError, ZvhsignError
from ..i18n import _, local_date
from .files import StagedOutput, check_output, display_path, open_output, read_copy
from .findings_text import finding_line, finding_text
from .keys import KeySource
from .workspace import Workspace

#: key usage a signing certificate must carry (as pyHanko's validator requires)
REQUIRED_KEY_USAGE = "non_repudiation"


#: findings about the copy that don't stop a new signature (a superseded version is
#: refused below, with a message naming the current version)
_NOT_BLOCKING_FOR_SIGNING = frozenset({"NO_PARTNER_SIGNATURE", "NO_SIGNATURE_TIMESTAMP", "VERSION_SUPERSEDED"})
#: findings the would-be signature gets that are shown as warnings, not refused: the
#: covenant signature lives in another copy (verify checks the order), and at an
#: explicitly chosen level B-B the time evidence is missing by choice
_WARN_ONLY = frozenset({"COVENANT_SIGNATURE_MISSING"})
_WARN_ONLY_AT_B_B = frozenset({"NO_SIGNATURE_TIMESTAMP", "MANDATE_ORDER_UNPROVEN", "PROTOCOL_ORDER_UNPROVEN"})


class SigningCancelled(ZvhsignError):
    """The signatory did not confirm the pre-flight; nothing was signed (exit 3)."""


@dataclass(frozen=True)
class Preflight:
    """What is about to be signed, by whom, and how. Shown before anything is written."""

    inp: Path
    out: Path
    approved: ApprovedVersion | None
    current_version: str | None  # the version that supersedes ``approved``, if any
    partner_signatures: int  # partner signatures already in the copy
    field_name: str
    visible: bool
    level: PadesLevel
    signer: CertificateInfo
    key: str  # where the key is (never a secret)
    capacity: str | None
    tsa_url: str | None
    tsa_problem: str | None  # None: answers (or not needed)
    now: datetime
    warnings: tuple[str, ...] = ()
    mandate_sha256: str | None = None  # the signed mandate the signature binds
    #: the verdict verify will give the signature (the pipeline's rules, judged beforehand)
    findings: tuple = ()

    @property
    def certificate_valid_now(self) -> bool:
        return self.signer.not_before <= self.now <= self.signer.not_after

    @property
    def key_usage_ok(self) -> bool:
        return REQUIRED_KEY_USAGE in self.signer.key_usage


@dataclass(frozen=True)
class SignResult:
    out: Path
    field_name: str
    level: PadesLevel
    signer_subject: str  # display name: 'Name (role, organisation)'
    approved: ApprovedVersion | None
    warnings: tuple[str, ...] = ()
    preflight: Preflight | None = None
    written: bool = True


def _default_level(ws: Workspace) -> PadesLevel:
    return PadesLevel.B_LTA if ws.config.tsa_url else PadesLevel.B_B


def _current_version(registry, av: ApprovedVersion) -> str:
    """Follow ``superseded_by`` to the version in force now."""
    seen = {av.version}
    version = av.superseded_by
    while True:
        nxt = registry.get_approved(av.document, version)
        if nxt is None or nxt.superseded_by is None or nxt.superseded_by in seen:
            return version
        seen.add(version)
        version = nxt.superseded_by


def _refusal(pf: Preflight, level: PadesLevel) -> ZvhsignError | None:
    cert = pf.signer
    if pf.approved is not None and pf.current_version is not None:
        doc = pf.approved.document.value
        return RefusedError(
            _("{label} is superseded by {document} {version}; it can't be signed any more").format(
                label=pf.approved.label, document=doc, version=pf.current_version),
            hint=_("ask the secretariat for the approved copy of {document} {version} and sign that").format(
                document=doc, version=pf.current_version),
        )
    if cert.not_after < pf.now:
        return SigningKeyError(
            _("your certificate ({name}) expired on {date}; it can't sign").format(
                name=cert.common_name or cert.subject, date=local_date(cert.not_after)),
            hint=_("sign with your current certificate"),
        )
    if cert.not_before > pf.now:
        return SigningKeyError(
            _("your certificate ({name}) is valid only from {date}; it can't sign yet").format(
                name=cert.common_name or cert.subject, date=local_date(cert.not_before))
        )
    if cert.key_usage and not pf.key_usage_ok:
        usage = ", ".join(cert.key_usage)
        return SigningKeyError(
            _("your certificate ({name}) is not meant for signatures: its key usage is {usage}, "
              "without non-repudiation").format(name=cert.common_name or cert.subject, usage=usage),
            hint=_("a smartcard often holds an authentication and a signing certificate; "
                   "choose the signing one (--cert-label/--key-label)"),
        )
    if pf.tsa_problem is not None and level.timestamped:
        return ServiceError(
            pf.tsa_problem,
            hint=_("try again later, or check [tsa] url and timeout in zvhsign.toml"),
        )
    return None


def _signable(pipe, x, inp: Path):  # noqa: ANN001
    """The evidence of the examined copy ``x`` when it may be signed: an approved version with
    only signatures added; else :class:`RefusedError` naming the first blocking findings."""
    if x.evidence is None:
        raise RefusedError(_("{path} can't be signed: {error}").format(path=inp, error=x.error))
    verdict = pipe.judge([x]).files[0]
    blocking = [f for f in verdict.findings if f.level.blocks and f.code not in _NOT_BLOCKING_FOR_SIGNING]
    blocking += [f for sv in verdict.signatures for f in sv.findings
                 if f.level.blocks and code(f.code).scope == "signature"]
    if verdict.undetermined_now(blocking):
        # nothing is wrong with the copy that is known: its signatures could not be checked
        # now (a certificate status service out of reach) -- not a refusal, a check to repeat
        raise ServiceError(
            _("{path} could not be checked now, so it is not signed yet: ").format(path=inp)
            + "; ".join(finding_line(f, details=True) for f in blocking[:3]),
            hint=_("check the internet connection (the certificate status services must be reachable) "
                   "and try again later"),
        )
    if blocking:
        raise RefusedError(
            _("{path} is not an approved version with only signatures added, so it can't be signed: "
              ).format(path=inp)
            + "; ".join(finding_line(f, details=True) for f in blocking[:3]),
            hint=_("ask the secretariat for the approved copy (zvhsign verify shows details)"),
        )
    return x.evidence


def _target_field(data: bytes, field_name: str | None) -> str:
    """The partner field to sign: ``field_name`` when it is free, else the first free one."""
    from ..pdf.fields import PARTNER_FIELD_PREFIX
    from ..pdf.signing import free_signature_fields

    free = [n for n in free_signature_fields(data) if n.startswith(PARTNER_FIELD_PREFIX)]
    target = field_name or (free[0] if free else None)
    if target is None or target not in free:
        raise RefusedError(
            _("no free signature field left in this copy")
            if target is None else _("signature field {field} is not a free field of this copy").format(
                field=target)
        )
    return target


def sign(
    ws: Workspace,
    inp: Path,
    key: KeySource,
    out: Path,
    *,
    level: PadesLevel | None = None,
    field_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    capacity: str | None = None,
    mandate_sha256: str | None = None,
    visible: bool = True,
    dry_run: bool = False,
    show: Callable[[Preflight], None] | None = None,
    confirm: Callable[[Preflight], bool] | None = None,
) -> SignResult:
    """Add a partner's PAdES signature to an approved copy, into a free pre-created field.

    ``capacity`` -- the capacity in which the signatory signs, e.g. "namens het
    college van burgemeester en wethouders van Haarlem" -- is shown in the
    visible signature. ``show`` receives the :class:`Preflight` before anything
    is refused or signed; ``dry_run`` stops after it; ``confirm`` (if given)
    must return True to go on, else :class:`SigningCancelled`.
    ``mandate_sha256`` -- SHA-256 of the complete signed machtigingsbesluit a mayor
    signs under -- goes into the signature's signed attributes (zvhsign/pdf/mandate.py).
    """
    from ..pdf.certinfo import certificate_info
    from ..pdf.fields import PARTNER_FIELD_PREFIX
    from ..pdf.signing import add_signature, check_timestamper, retrying

    check_output(out, [inp], workspace=ws, replace=dry_run)  # a signed copy is never replaced
    if not dry_run and not Path(out).parent.is_dir() and str(Path(out).parent):
        raise UsageError.spoken(N_("the output directory {path} does not exist"), path=Path(out).parent)
    data = read_copy(inp)  # a large copy is mapped, not read (pdf/byteview.py)
    explicit_level = level is not None
    level = level or _default_level(ws)
    warnings: list[str] = []
    if not level.timestamped:
        warnings.append(_(
            "no timestamp (level B-B): it can't be proven later when you signed, "
            "so ordering rules (e.g. mandate before signature) stay undecided"
        ))
    from .pipeline import Copy, Pipeline

    # the copy's examination is reused when verify (or a --dry-run) made it earlier today
    # under the same trust settings and registry: the evidence cache's key holds everything
    # it rests on (services/pipeline.py); the would-be signature is always judged anew
    with Pipeline(ws, cache=True) as pipe:
        registry = pipe.registry
        # the signed file is never held in memory: pyHanko writes it (and its post-sign updates)
        # straight into the staged output, a temporary file next to ``out`` that gets its name
        # only once complete and fsynced; a failure leaves nothing (benchmarks/large_file.py)
        cleanup = ExitStack()
        staged: dict[str, StagedOutput] = {}

        async def run(signer) -> Preflight:
            from ..pdf.appearance import Appearance

            cert = certificate_info(signer.signing_cert)
            async with pipe.session() as rt:
                x = await pipe.examine(rt, Copy(display_path(inp), path=Path(inp), data=data))
                await pipe.prepare(rt, [x.evidence])
                ev = _signable(pipe, x, inp)
                target = _target_field(data, field_name)
                approved = ev.approved
                current = None
                if approved is not None and approved.superseded_by:
                    current = _current_version(registry, approved)
                timestamper = None
                tsa_problem = None
                if level.timestamped and rt.env.timestamper is not None:
                    timestamper = retrying(rt.env.timestamper)
                    tsa_problem = await check_timestamper(timestamper)
                partner_sigs = sum(
                    1 for s in ev.signatures if s.field_name.startswith(PARTNER_FIELD_PREFIX)
                )
                pf = Preflight(
                    inp=Path(inp), out=Path(out), approved=approved, current_version=current,
                    partner_signatures=partner_sigs, field_name=target, visible=visible, level=level,
                    signer=cert, key=key.describe(), capacity=capacity, tsa_url=ws.config.tsa_url,
                    tsa_problem=tsa_problem, now=datetime.now(timezone.utc), warnings=tuple(warnings),
                )
                refusal = _refusal(pf, level)
                if refusal is None:
                    judged = await _judge_would_be(
                        pipe, rt, ev, signer, cert, target, level, capacity, mandate_sha256, explicit_level)
                    pf = replace(pf, capacity=judged.capacity, mandate_sha256=judged.mandate_sha256,
                                 warnings=pf.warnings + judged.warnings, findings=judged.findings)
                    refusal = judged.refusal
                if show is not None:
                    show(pf)
                if refusal is not None:
                    raise refusal
                if dry_run:
                    return pf
                if confirm is not None and not confirm(pf):
                    raise SigningCancelled(_("not signed: you did not confirm; nothing was written"))
                appearance = "blank"  # the slot stays empty
                if visible:
                    appearance = Appearance(
                        name=cert.common_name or cert.subject, role=cert.title,
                        organisation=cert.organisation, capacity=pf.capacity,
                    )
                staged["out"] = cleanup.enter_context(open_output(out))
                await add_signature(
                    data, signer, rt.env, level=level, field_name=target, reason=reason,
                    location=location, name=cert.common_name, appearance=appearance,
                    timestamper=timestamper,
                    # bind the signed mandate (SHA-256) and the capacity into the signature
                    mandate_sha256=pf.mandate_sha256, mandate_capacity=pf.capacity,
                    output=staged["out"].file,
                )
                return pf

        with cleanup:  # an unpublished staged output is discarded, also on Ctrl-C
            with key.open() as signer:
                pf = asyncio.run(run(signer))
            if "out" not in staged:
                return SignResult(
                    Path(out), pf.field_name, level, pf.signer.display_name, pf.approved, tuple(warnings),
                    preflight=pf, written=False,
                )
            if not _unchanged(data):
                raise InputError.spoken(N_("{path} changed while it was signed; nothing was written"),
                                        path=display_path(inp))
            staged.pop("out").commit()
        return SignResult(
            Path(out), pf.field_name, level, pf.signer.display_name, pf.approved, tuple(warnings), preflight=pf
        )


def _unchanged(data) -> bool:  # noqa: ANN001
    """A mapped input (pdf/byteview.py) is still the file that was examined and signed."""
    from ..pdf.byteview import MappedFile

    return not isinstance(data, MappedFile) or data.unchanged()


@dataclass(frozen=True)
class WouldBe:
    """The pre-flight's judgement of the signature about to be made."""

    capacity: str | None
    mandate_sha256: str | None
    findings: tuple
    warnings: tuple[str, ...]
    refusal: ZvhsignError | None


async def _judge_would_be(pipe, rt, ev, signer, cert, target, level, capacity, mandate_sha256,
                          explicit_level) -> WouldBe:  # noqa: ANN001
    """Judge the would-be signature with the pipeline's rules, as verify will judge it:
    the signer's certificate validated now (trust, revocation), who signs and under
    which mandate, the order rules. A mayor who names no mandate signs under the one
    registered mandate that covers this version (bound into the signature)."""
    from ..domain.attribution import attribute
    from ..domain.mandates import capacity_text
    from .preflight import would_be_evidence

    rt.ensure_trusted_lists()  # the would-be signature's qualification needs them
    sig = await would_be_evidence(ev, signer, rt.env, target, level, capacity, mandate_sha256)
    gov = pipe.governance
    if mandate_sha256 is None and gov is not None:
        who = attribute(sig, ev, gov, sig.claimed_signing_time)
        if who is not None and who.partner.is_municipality and who.mandate is not None:
            mandate_sha256 = who.mandate.sha256.hex
            capacity = capacity or capacity_text(who.mandate.terms.municipality)
            sig = await would_be_evidence(ev, signer, rt.env, target, level, capacity, mandate_sha256)
    fv = pipe.judge_one(replace(ev, signatures=ev.signatures + (sig,)), pipe.recorded_covenant([ev]))
    verdict = fv.signatures[-1]
    allowed = _WARN_ONLY | (_WARN_ONLY_AT_B_B if explicit_level and not level.timestamped else frozenset())
    blocking = [f for f in verdict.findings if f.level.blocks]
    refused = [f for f in blocking if f.code not in allowed]
    warnings = tuple(_("verify will report {code}: {message}").format(code=f.code, message=finding_text(f).text)
                     for f in blocking if f.code in allowed and f.code != "NO_SIGNATURE_TIMESTAMP")
    refusal = None
    if refused:
        first = refused[0]
        refusal = RefusedError(
            _("not signed: verify would reject this signature: ")  # the pre-flight shows the details
            + "; ".join(finding_line(f) for f in refused[:3]),
            hint=finding_text(first).hint,
        )
    return WouldBe(capacity, mandate_sha256, verdict.findings, warnings, refusal)
