"""Partner signing (``zvhsign sign``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..domain.documents import ApprovedVersion, PadesLevel
from ..domain.evidence import FileEvidence
from ..domain.rules import RuleSet, VerifyPolicy
from ..errors import RefusedError
from .files import check_distinct, read_input, write_atomic
from .keys import KeySource
from .registry_access import open_registry
from .runtime import open_runtime
from .workspace import Workspace


@dataclass(frozen=True)
class SignResult:
    out: Path
    field_name: str
    level: PadesLevel
    signer_subject: str
    approved: ApprovedVersion | None
    warnings: tuple[str, ...] = ()


def _default_level(ws: Workspace) -> PadesLevel:
    return PadesLevel.B_LTA if ws.config.tsa_url else PadesLevel.B_B


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
) -> SignResult:
    """Add a partner's PAdES signature to an approved copy, into a free pre-created field."""
    from ..pdf.certinfo import certificate_info
    from ..pdf.examine import examine
    from ..pdf.fields import PARTNER_FIELD_PREFIX
    from ..pdf.signing import add_signature, free_signature_fields

    check_distinct(inp, out)
    data = read_input(inp)
    signer = key.load()
    cert = certificate_info(signer.signing_cert)
    now = datetime.now(timezone.utc)
    if cert.not_after < now:
        raise RefusedError(f"your certificate expired on {cert.not_after:%Y-%m-%d}; it can't sign")
    if cert.not_before > now:
        raise RefusedError(f"your certificate is valid only from {cert.not_before:%Y-%m-%d}")
    level = level or _default_level(ws)
    warnings: list[str] = []
    if not level.timestamped:
        warnings.append(
            "no timestamp (level B-B): it can't be proven later when you signed, "
            "so ordering rules (e.g. mandate before signature) stay undecided"
        )
    registry = open_registry(ws)
    sizes = registry.approved_sizes()

    async def run() -> tuple[bytes, FileEvidence, str]:
        async with open_runtime(ws) as rt:
            ev = await examine(str(inp), data, rt.env, lambda n: sizes.get(n, []))
            verdict = RuleSet().evaluate(ev, VerifyPolicy(rt.secretariat_fingerprints))
            blocking = [
                f for f in verdict.all_findings()
                if f.level.blocks and f.code not in ("NO_PARTNER_SIGNATURE", "NO_SIGNATURE_TIMESTAMP")
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
            signed = await add_signature(
                data, signer, rt.env, level=level, field_name=target, reason=reason,
                location=location, name=cert.common_name,
            )
            return signed, ev, target

    signed, ev, target = asyncio.run(run())
    write_atomic(out, signed)
    return SignResult(out, target, level, cert.subject, ev.approved, tuple(warnings))


