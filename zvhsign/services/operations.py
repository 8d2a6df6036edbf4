"""The secretariat's use cases: stamp, approve, verify (``sign`` lives in signing.py).

Library entry points: each takes plain values (paths, enums, secrets), returns
domain objects, and raises :class:`~zvhsign.errors.ZvhsignError` subclasses.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path

from ..domain.documents import ApprovedVersion, DocumentKind, PadesLevel, StampInfo, check_version_label, version_key
from ..domain.verdicts import BatchVerdict, FileVerdict
from ..errors import InputError, UsageError

__all__ = ["KeySource", "approve", "stamp", "verify"]
from .files import OutputError, check_output, display_path, open_output, read_copy, read_input
from .keys import KeySource
from .registry_access import open_registry
from .runtime import open_runtime
from .workspace import Workspace


def _actor() -> str:
    from ..registry import current_os_user

    return current_os_user()


# ------------------------------------------------------------------------------ stamp


def stamp(source: Path, document: DocumentKind, version: str, out: Path, *, fields: int = 24) -> StampInfo:
    """Stamp ``source`` as ``document`` ``version`` into ``out`` (reproducibly)."""
    from ..pdf.byteview import MappedFile
    from ..pdf.stamp import stamp_pdf

    try:
        check_version_label(version)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_output(out, [source], replace=False)
    data = read_copy(source)  # a large source is mapped, not read (pdf/byteview.py)
    with open_output(out) as staged:  # written straight into the staged file, named when complete
        info = stamp_pdf(data, document, version, fields, staged.file)
        if isinstance(data, MappedFile) and not data.unchanged():
            raise InputError(f"{display_path(source)} changed while it was stamped; nothing was written")
        staged.commit()
    return info


# ---------------------------------------------------------------------------- approve



def _check_new_version(versions, info, decided_on: date) -> None:  # noqa: ANN001
    """Refuse (usage error) a version that can't be what the Bestuurlijke Regiegroep decided:
    one older than an approved one, decided in the future or before the version it would
    supersede, or with the same text as an approved version -- approving supersedes, and every
    partner would have to sign the same text again."""
    from zoneinfo import ZoneInfo

    current = [a for a in versions if not a.superseded_by]
    newer = [a for a in current if version_key(a.version) > version_key(info.version)]
    if newer:
        raise UsageError(
            f"{newer[-1].label} is already approved; {info.document.value} {info.version} "
            "would be out of date before it is signed",
            hint="stamp the new text with a higher version number",
        )
    today = datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/Amsterdam")).date()
    if decided_on > today:
        raise UsageError(f"the decision date {decided_on.isoformat()} lies in the future",
                         hint="approve once the decision is taken, with its date (--decided-on)")
    later = [a for a in current if a.decided_on > decided_on]
    if later:
        raise UsageError(
            f"the decision date {decided_on.isoformat()} lies before that of {later[-1].label} "
            f"({later[-1].decided_on.isoformat()}), which this version would supersede",
            hint="check --decided-on: the date the Bestuurlijke Regiegroep decided this version",
        )
    same = [a for a in versions if a.source_sha256 == info.source_sha256]
    if same:
        raise UsageError(
            f"{same[-1].label} has the same text (source SHA-256 {info.source_sha256.short}); approving it "
            "again as a new version would make every partner sign the same text again",
            hint=f"partners sign the approved {same[-1].label}; stamp the changed text for a new version",
        )


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
    from ..pdf.stamp import read_stamp_from

    check_output(out, [stamped], workspace=ws, replace=False)
    data = read_input(stamped)
    info = read_stamp_from(data, str(stamped))
    if info is None:
        raise InputError(f"{stamped} is not stamped; run `zvhsign stamp` first")
    with open_registry(ws) as registry:
        _check_new_version(registry.approved_versions(info.document), info, decided_on)
        level = level or (PadesLevel.B_LT if ws.config.tsa_url else PadesLevel.B_B)

        async def run(signer, cert, source: bytes, output) -> None:
            async with open_runtime(ws) as rt:
                rt.require_secretariat(cert, "only the secretariat approves versions")
                await add_signature(
                    source, signer, rt.env, level=level, field_name=APPROVAL_FIELD, certify=True,
                    reason=f"Goedgekeurd: {info.document.title}, versie {info.version}",
                    location="Zorg&Veiligheidshuis Kennemerland",
                    output=output,
                )

        # The output is written first (completely, fsynced, not yet under its name): pyHanko
        # signs straight into the staged file, so a full disk or a size limit fails here, before
        # anything is registered. Then the version is registered (one transaction; approving a
        # new version supersedes the older ones: they can no longer be signed), then the file
        # gets its name. A failed approve leaves nothing registered and nothing written, so it
        # can simply be run again; a crash after the commit leaves a registered version whose
        # bytes are in the registry, never a file that looks approved but isn't registered.
        # The approved PDF is never held in memory: hashed from the staged file, and the
        # registry copies it from there into its blob (benchmarks/large_file.py).
        with open_output(out) as staged:
            with key.open() as signer:  # a PKCS#11 session is closed afterwards
                cert = certificate_info(signer.signing_cert)
                asyncio.run(run(signer, cert, data, staged.file))
            # the stamped input is not held while the registry stores the approved PDF: pyHanko's
            # objects (reference cycles) hold it until a collection
            data = None
            gc.collect()
            staged.finish()
            approved_sha256, approved_size = staged.digest()
            av = ApprovedVersion(
                document=info.document,
                version=info.version,
                source_sha256=info.source_sha256,
                approved_sha256=approved_sha256,
                approved_size=approved_size,
                decided_on=decided_on,
                approved_at=datetime.now(timezone.utc),
                approver_fingerprint=cert.fingerprint_sha256,
            )
            registry.add_approved_version(
                av, staged.reader(), actor=_actor(), actor_certificate=cert.fingerprint_sha256,
                supersede_older=True,
            )
            try:
                staged.publish()
            except OSError as exc:  # the rename, after the commit: practically never
                raise OutputError(
                    f"{av.label} is registered, but {display_path(out)} could not be written: "
                    f"{exc.strerror or type(exc).__name__}",
                    hint="the approved PDF is stored in the registry: `zvhsign kit` exports it",
                ) from None
        return av


def approved_versions(ws: Workspace, document: DocumentKind | None = None) -> list[ApprovedVersion]:
    """The registered approved versions (ordered by document and version number)."""
    with open_registry(ws) as registry:
        return registry.approved_versions(document)


# ---------------------------------------------------------------------------- verify


ProgressFn = Callable[[int, int, FileVerdict], None]


def verify(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    online: bool = True,
    at: datetime | None = None,
    progress: ProgressFn | None = None,
    record: bool = False,
    etsi_report: Path | None = None,
    renew_within_days: int = 180,
    jobs: int | None = 1,
    worker_setup=None,  # noqa: ANN001
    cache: bool = False,
) -> BatchVerdict:
    """Verify many copies through the one pipeline (services/pipeline.py):
    each file read and examined once, judged by the one rule set against the registry
    as it is now. ``record`` stores every judged copy with its verdict and evidence
    (``verify --record``); ``etsi_report`` also writes one ETSI TS 119 102-2 XML
    validation report covering every signature of every file. ``jobs``: worker
    processes examining files of a large batch (None: one per core; the verdicts and
    their order are the same); ``worker_setup``: called in each worker first; ``cache``:
    reuse examinations stored by earlier runs when nothing they rest on changed, and what
    the unchanged trusted lists said when last read (the verdict is always made anew
    against the registry as it is now)."""
    from .pipeline import Copy, Pipeline, write_etsi_report

    if not paths:
        raise UsageError("no files to verify")
    if etsi_report is not None:  # before the work: never over a copy or the registry
        check_output(etsi_report, paths, workspace=ws)
    with Pipeline(ws, online=online, at=at, renew_within_days=renew_within_days, jobs=jobs,
                  worker_setup=worker_setup, cache=cache, reuse_lists=cache) as pipe:
        etsi: list | None = [] if etsi_report is not None else None

        box: dict = {}  # not run()'s result: asyncio.run reprs it once (the copies' bytes with --record)

        async def run() -> None:
            async with pipe.session() as rt:
                box["batch"], box["examined"] = await pipe.run(
                    rt, [Copy.of_path(p) for p in paths], keep_data=record, progress=progress, etsi=etsi)

        asyncio.run(run())
        batch, examined = box.pop("batch"), box.pop("examined")
        if etsi_report is not None:
            write_etsi_report(etsi_report, etsi)
        if record:
            pipe.record(examined, batch, actor=_actor())
        return batch
