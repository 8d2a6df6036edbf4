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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..domain.documents import ApprovedVersion, PadesLevel
from ..domain.evidence import CertificateInfo
from ..domain.rules import RuleSet, VerifyPolicy
from ..errors import RefusedError, ServiceError, SigningKeyError, UsageError, ZvhsignError
from .files import check_distinct, read_input, write_atomic
from .keys import KeySource
from .registry_access import open_registry
from .runtime import open_runtime
from .workspace import Workspace

#: key usage a signing certificate must carry (as pyHanko's validator requires)
REQUIRED_KEY_USAGE = "non_repudiation"


#: verify findings that don't stop a new signature (a superseded version is refused
#: below, with a message naming the current version)
_NOT_BLOCKING_FOR_SIGNING = frozenset({"NO_PARTNER_SIGNATURE", "NO_SIGNATURE_TIMESTAMP", "VERSION_SUPERSEDED"})


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
            f"{pf.approved.label} is superseded by {doc} {pf.current_version}; "
            "it can't be signed any more",
            hint=f"ask the secretariat for the approved copy of {doc} {pf.current_version} and sign that",
        )
    if cert.not_after < pf.now:
        return SigningKeyError(
            f"your certificate ({cert.common_name or cert.subject}) expired on "
            f"{cert.not_after:%Y-%m-%d}; it can't sign",
            hint="sign with your current certificate",
        )
    if cert.not_before > pf.now:
        return SigningKeyError(
            f"your certificate ({cert.common_name or cert.subject}) is valid only from "
            f"{cert.not_before:%Y-%m-%d}; it can't sign yet"
        )
    if cert.key_usage and not pf.key_usage_ok:
        usage = ", ".join(cert.key_usage)
        return SigningKeyError(
            f"your certificate ({cert.common_name or cert.subject}) is not meant for signatures: "
            f"its key usage is {usage}, without non-repudiation",
            hint="a smartcard often holds an authentication and a signing certificate; "
            "choose the signing one (--cert-label/--key-label)",
        )
    if pf.tsa_problem is not None and level.timestamped:
        return ServiceError(
            pf.tsa_problem,
            hint="try again later, or check [tsa] url and timeout in zvhsign.toml",
        )
    return None


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
    from ..pdf.examine import examine
    from ..pdf.fields import PARTNER_FIELD_PREFIX
    from ..pdf.signing import add_signature, check_timestamper, free_signature_fields, retrying

    check_distinct(inp, out)
    if not dry_run and not Path(out).parent.is_dir() and str(Path(out).parent):
        raise UsageError(f"the output directory {Path(out).parent} does not exist")
    data = read_input(inp)
    level = level or _default_level(ws)
    warnings: list[str] = []
    if not level.timestamped:
        warnings.append(
            "no timestamp (level B-B): it can't be proven later when you signed, "
            "so ordering rules (e.g. mandate before signature) stay undecided"
        )
    registry = open_registry(ws)
    sizes = registry.approved_sizes()

    async def run(signer) -> tuple[bytes | None, Preflight]:
        from ..pdf.appearance import Appearance

        cert = certificate_info(signer.signing_cert)
        async with open_runtime(ws) as rt:
            ev = await examine(str(inp), data, rt.env, lambda n: sizes.get(n, []))
            verdict = RuleSet().evaluate(ev, VerifyPolicy(rt.secretariat_fingerprints))
            blocking = [
                f for f in verdict.all_findings()
                if f.level.blocks and f.code not in _NOT_BLOCKING_FOR_SIGNING
            ]
            if blocking:
                raise RefusedError(
                    f"{inp} is not an approved version with only signatures added, so it can't be signed: "
                    + "; ".join(f"{f.code}: {f.message}" for f in blocking[:3]),
                    hint="ask the secretariat for the approved copy (zvhsign verify shows details)",
                )
            free = [n for n in free_signature_fields(data) if n.startswith(PARTNER_FIELD_PREFIX)]
            target = field_name or (free[0] if free else None)
            if target is None or target not in free:
                raise RefusedError(
                    "no free signature field left in this copy"
                    if target is None else f"signature field {target} is not a free field of this copy"
                )
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
            if refusal is None and mandate_sha256:
                from .governance import mandate_mismatch

                why = mandate_mismatch(registry, mandate_sha256, cert.common_name, approved)
                if why:
                    refusal = RefusedError(
                        f"not signed: {why}",
                        hint="check that you sign the right document with the right mandate",
                    )
            if show is not None:
                show(pf)
            if refusal is not None:
                raise refusal
            if dry_run:
                return None, pf
            if confirm is not None and not confirm(pf):
                raise SigningCancelled("not signed: you did not confirm; nothing was written")
            appearance = "blank"  # the slot stays empty
            if visible:
                appearance = Appearance(
                    name=cert.common_name or cert.subject, role=cert.title,
                    organisation=cert.organisation, capacity=capacity,
                )
            signed = await add_signature(
                data, signer, rt.env, level=level, field_name=target, reason=reason,
                location=location, name=cert.common_name, appearance=appearance,
                timestamper=timestamper,
                # issue 3: bind the signed mandate (SHA-256) and the capacity into the signature
                mandate_sha256=mandate_sha256, mandate_capacity=capacity,
            )
            return signed, pf

    with key.open() as signer:
        signed, pf = asyncio.run(run(signer))
    if signed is None:
        return SignResult(
            Path(out), pf.field_name, level, pf.signer.display_name, pf.approved, tuple(warnings),
            preflight=pf, written=False,
        )
    write_atomic(out, signed)
    return SignResult(
        Path(out), pf.field_name, level, pf.signer.display_name, pf.approved, tuple(warnings), preflight=pf
    )
