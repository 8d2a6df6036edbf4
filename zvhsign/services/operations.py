"""The use cases behind the commands: stamp, approve, sign, verify.

Library entry points: each takes plain values (paths, enums, secrets), returns
domain objects, and raises :class:`~zvhsign.errors.ZvhsignError` subclasses.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from ..domain.digests import Sha256
from ..domain.documents import ApprovedVersion, DocumentKind, PadesLevel, StampInfo, check_version_label
from ..domain.evidence import FileEvidence
from ..domain.rules import RuleSet, VerifyPolicy
from ..domain.secrets import Secret
from ..domain.verdicts import BatchVerdict, FileVerdict
from ..errors import InputError, RefusedError, UsageError, ZvhsignError
from .files import check_distinct, read_input, write_atomic
from .registry_access import open_registry
from .runtime import Runtime, open_runtime
from .workspace import Workspace


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


# ------------------------------------------------------------------------------ stamp


def stamp(source: Path, document: DocumentKind, version: str, out: Path, *, fields: int = 24) -> StampInfo:
    """Stamp ``source`` as ``document`` ``version`` into ``out`` (reproducibly)."""
    from ..pdf.stamp import stamp_pdf

    try:
        check_version_label(version)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_distinct(source, out)
    data = read_input(source)
    stamped, info = stamp_pdf(data, document, version, fields)
    write_atomic(out, stamped)
    return info


# ---------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class KeySource:
    """Where the signing key comes from. Secrets are held in :class:`Secret`."""

    pkcs12: Path | None = None
    pem_key: Path | None = None
    pem_cert: Path | None = None
    pem_chain: tuple[Path, ...] = ()
    passphrase: Secret | None = None

    def load(self):
        from ..pdf.keys import load_pem, load_pkcs12

        if self.pkcs12 is not None:
            return load_pkcs12(self.pkcs12, self.passphrase)
        if self.pem_key is not None and self.pem_cert is not None:
            return load_pem(self.pem_key, self.pem_cert, list(self.pem_chain), self.passphrase)
        raise UsageError("no signing key given: use --key FILE.p12, or --pem-key with --pem-cert")


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


def approve(
    ws: Workspace,
    stamped: Path,
    key: KeySource,
    out: Path,
    *,
    decided_on: date,
    level: PadesLevel | None = None,
) -> ApprovedVersion:
    """Certify a stamped version and register it as approved (file + hashes + decision date)."""
    from ..pdf.certinfo import certificate_info
    from ..pdf.fields import APPROVAL_FIELD
    from ..pdf.signing import add_signature
    from ..pdf.stamp import read_stamp

    import io

    import pikepdf

    check_distinct(stamped, out)
    data = read_input(stamped)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            info = read_stamp(pdf)
    except pikepdf.PdfError as exc:
        raise InputError(f"{stamped}: not a readable PDF: {exc}") from None
    if info is None:
        raise InputError(f"{stamped} is not stamped; run `zvhsign stamp` first")
    signer = key.load()
    cert = certificate_info(signer.signing_cert)
    registry = open_registry(ws)
    level = level or (PadesLevel.B_LT if ws.config.tsa_url else PadesLevel.B_B)

    async def run() -> bytes:
        async with open_runtime(ws) as rt:
            if cert.fingerprint_sha256 not in rt.secretariat_fingerprints:
                raise RefusedError(
                    f"{cert.subject} is not a secretariat certificate of this workspace; "
                    "only the secretariat approves versions"
                )
            return await add_signature(
                data, signer, rt.env, level=level, field_name=APPROVAL_FIELD, certify=True,
                reason=f"Goedgekeurd: {info.document.title}, versie {info.version}",
                location="Zorg&Veiligheidshuis Kennemerland",
            )

    approved_bytes = asyncio.run(run())
    av = ApprovedVersion(
        document=info.document,
        version=info.version,
        source_sha256=info.source_sha256,
        approved_sha256=Sha256.of(approved_bytes),
        approved_size=len(approved_bytes),
        decided_on=decided_on,
        approved_at=datetime.now(timezone.utc),
        approver_fingerprint=cert.fingerprint_sha256,
    )
    # register first (one transaction), then publish the file: a crash in between
    # leaves a registered version whose bytes are in the database, never a file
    # that looks approved but isn't registered.
    registry.add_approved_version(av, approved_bytes, actor=_actor(), actor_certificate=cert.fingerprint_sha256)
    write_atomic(out, approved_bytes)
    return av


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


# ---------------------------------------------------------------------------- verify


ProgressFn = Callable[[int, int, FileVerdict], None]


async def verify_async(
    rt: Runtime,
    paths: Sequence[Path],
    approved_lookup: Callable[[int], list[ApprovedVersion]],
    *,
    rules: RuleSet | None = None,
    progress: ProgressFn | None = None,
) -> BatchVerdict:
    from ..pdf.examine import examine

    rules = rules or RuleSet()
    policy = VerifyPolicy(rt.secretariat_fingerprints)
    spec = rt.env.signature_spec()
    results: list[FileVerdict] = []
    for i, path in enumerate(paths, start=1):
        try:
            data = read_input(path)
            ev = await examine(str(path), data, rt.env, approved_lookup, spec=spec)
            verdict = rules.evaluate(ev, policy)
        except ZvhsignError as exc:
            verdict = FileVerdict(evidence=None, path=str(path), findings=(), error=exc.message)
        results.append(verdict)
        if progress:
            progress(i, len(paths), verdict)
    return BatchVerdict(tuple(results))


def verify(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    online: bool = True,
    at: datetime | None = None,
    progress: ProgressFn | None = None,
) -> BatchVerdict:
    """Verify many copies in one process, sharing trust, HTTP session and fetched data."""
    if not paths:
        raise UsageError("no files to verify")
    registry = open_registry(ws)
    sizes = registry.approved_sizes()

    async def run() -> BatchVerdict:
        async with open_runtime(ws, online=online, moment=at) as rt:
            return await verify_async(rt, paths, lambda n: sizes.get(n, []), progress=progress)

    return asyncio.run(run())
