"""The partner kit (``zvhsign kit``): everything a partner signatory needs to sign.

A partner signs once or twice, on their own machine, without access to the
secretariat's registry. ``zvhsign kit`` writes one zip per partner,
``kit-<partner>.zip``, holding one folder ``kit-<partner>/`` that is a small
workspace:

* ``zvhsign-<version>-py3-none-any.whl``: the wheel of the zvhsign the secretariat
  runs (its dependencies come from the package index when the partner installs it);
* ``zvhsign.toml`` and ``trust/``: the same trust roots, secretariat certificates
  and TSA as the secretariat's workspace (so ``sign`` checks the copy exactly as
  ``verify`` will);
* ``zvhsign.db``: a registry extract holding the records of every approved version
  (hashes, sizes, decision dates, what supersedes what), each logged as
  ``import-approved`` with where it came from, and the partners, signatories and
  mandates (a mayor's ``sign --mandate`` needs the mandate registered);
* ``<document>-<version>.pdf``: the approved copies in force now, to sign;
* ``mandates/``: the partner's registered machtigingsbesluiten in force (for ``--mandate``);
* ``LEESMIJ.txt``: the steps, in Dutch (the workspace's ``[display] lang``), to
  follow literally on a machine with Python 3.11: unpack, install the wheel in a
  fresh virtual environment, sign (writing ``<document>-<version>-<partner>.pdf``),
  check, send back (services/kit_readme.py).

The kit's ``zvhsign.toml`` names the same ``[display] lang``, so ``sign`` in the kit
speaks the language of LEESMIJ. The wheel: services/kit_wheel.py.

:func:`export_kit` writes the same kit as a folder (the demo and a partner kit on
a shared drive use it). Folders are built in a temporary folder next to the target
and renamed into place at the end, zips written to a temporary file and renamed:
an interrupted export leaves no half-made kit.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..domain.documents import ApprovedVersion
from ..errors import RegistryError, UsageError, os_reason
from ..i18n import resolve
from .files import OutputError, display_path
from .kit_readme import README_NAME, kit_name, readme, signed_name
from .kit_wheel import DIST_NAME, kit_wheel
from .registry_access import open_registry
from .setup import init_workspace
from .workspace import CONFIG_NAME, Workspace

__all__ = ["KitResult", "export_kit", "export_partner_kits", "kit_wheel", "README_NAME", "DIST_NAME",
           "kit_name", "signed_name"]


@dataclass(frozen=True)
class KitResult:
    directory: Path  # the kit folder (for a zip: the folder's name inside the zip)
    versions: tuple[ApprovedVersion, ...]  # every approved version recorded in the kit
    files: tuple[Path, ...]  # the approved copies in force, to sign
    partner: str | None = None  # the partner's key, when the kit is made for one partner
    archive: Path | None = None  # the zip, when the kit was written as one
    wheel: str | None = None  # file name of the zvhsign wheel in the kit
    signed_names: tuple[str, ...] = ()  # the output names LEESMIJ tells the partner to write

    def to_json(self) -> dict:
        return {
            "schema": "zvhsign.kit/1",
            "directory": str(self.directory),
            "partner": self.partner,
            "archive": str(self.archive) if self.archive else None,
            "wheel": self.wheel,
            "versions": [
                {"document": v.document.value, "version": v.version, "approved_sha256": v.approved_sha256.hex,
                 "superseded_by": v.superseded_by}
                for v in self.versions
            ],
            "files": [str(f) for f in self.files],
            "signed_names": list(self.signed_names),
        }


def _file_name(av: ApprovedVersion) -> str:
    return f"{av.document.value}-{av.version}.pdf"


# --------------------------------------------------------------------------- the kit


def _mandate_file_name(m) -> str:  # noqa: ANN001
    town = "".join(c if c.isalnum() else "-" for c in m.terms.municipality.lower()).strip("-")
    return f"machtiging-{town}-{m.terms.decision_date.isoformat()}-{m.sha256.hex[:8]}.pdf"


def _copy_governance(source, kit, work: Path, partner=None) -> list[Path]:  # noqa: ANN001
    """Partners, signatories and mandates (a mayor signs with ``--mandate``, which must be
    a registered mandate; verify in the kit judges signers as the secretariat does).
    The mandates in force (of ``partner`` only, when given) are also written to
    ``mandates/``; returns their names."""
    from .governance import _actor

    written: list[Path] = []
    src, dst = source.governance, kit.governance
    for p in src.partners():
        dst.add_partner(p, actor=_actor())
    now = datetime.now(timezone.utc)
    for sig in src.signatories():
        dst.add_signatory(sig, actor=_actor())
        if sig.retired_at is not None:  # the kit's pre-flight refuses them as verify will
            dst.retire_signatory(sig.partner_key, sig.name, sig.retired_at,
                                 reason="retired in the secretariat's registry", actor=_actor())
    for m in src.mandates():
        pdf = source.get_blob(m.sha256)
        if pdf is None:
            raise RegistryError(f"the registry lacks the PDF of mandate {m.sha256.short}")
        dst.add_mandate(m, pdf, actor=_actor())
        if m.revoked_at is not None:  # also one that takes effect later: the kit knows when
            dst.revoke_mandate(m.sha256, m.revoked_at, reason=m.revocation_reason or "revoked in the secretariat's registry",
                               actor=_actor())
        if m.revoked_by(now):
            continue  # no longer in force: not offered for --mandate
        if partner is None or m.partner_key == partner.key:
            name = Path("mandates") / _mandate_file_name(m)
            (work / "mandates").mkdir(exist_ok=True)
            (work / name).write_bytes(pdf)
            written.append(name)
    _copy_covenant_copies(src, dst, partner)
    return written


def _copy_covenant_copies(src, dst, partner) -> None:  # noqa: ANN001
    """The recorded covenant copies (of ``partner`` only, when given): the pipeline reads
    covenant participation from them (a kit without them failed protocol copies)."""
    from .governance import _actor

    for c in src.covenant_copies_of(None if partner is None else (partner.key,)):
        if c.data is None:
            raise RegistryError("the registry lacks the PDF of a recorded covenant copy")
        dst.record_copy(c.data, c.verdict, c.signatures, actor=_actor(), evidence=c.evidence,
                        trust_sha256=c.trust_sha256)


@dataclass(frozen=True)
class _Source:
    versions: list[ApprovedVersion]
    blobs: dict[str, bytes]


def _gather(ws: Workspace, source) -> _Source:  # noqa: ANN001
    versions = source.approved_versions()
    if not versions:
        raise UsageError(
            "there are no approved versions yet; nothing to sign",
            hint="approve the documents first (zvhsign approve)",
        )
    blobs = {}
    for av in versions:
        pdf = source.get_blob(av.approved_sha256)
        if pdf is None:
            raise RegistryError(f"the registry lacks the approved PDF of {av.label}")
        blobs[av.approved_sha256.hex] = pdf
    return _Source(versions, blobs)


def _kit_settings(work: Path, lang: str, cfg) -> None:  # noqa: ANN001
    """``[display] lang`` in the kit's zvhsign.toml: ``sign`` in the kit speaks the
    language of its LEESMIJ (the partner may change it). The secretariat's qualification
    policy and trusted-list countries go along, so the pre-flight in the kit refuses what
    verify at the secretariat would fail."""
    import tomlkit

    path = work / CONFIG_NAME
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    if "display" in doc:
        doc["display"]["lang"] = lang
    else:
        display = tomlkit.table()
        display.add(tomlkit.comment('language of what people read: "nl" (Nederlands) or "en" (English)'))
        display.add("lang", lang)
        doc.add("display", display)
    if "policy" in doc:
        doc["policy"]["require_qualified"] = cfg.require_qualified
        doc["policy"]["not_qualified"] = cfg.not_qualified
    if "trusted_lists" in doc:
        doc["trusted_lists"]["territories"] = list(cfg.territories)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _copy_trusted_lists(ws: Workspace, work: Path) -> None:
    """The secretariat's verified trusted lists (the kit verifies them again when used)."""
    if not ws.trusted_lists_dir.is_dir():
        return
    target = work / ws.trusted_lists_dir.name
    target.mkdir(exist_ok=True)
    for p in sorted(ws.trusted_lists_dir.glob("*.xml")):
        shutil.copyfile(p, target / p.name)


def _build(ws: Workspace, source, got: _Source, work: Path, *, partner, wheel, archive: str | None):  # noqa: ANN001
    """Fill the empty folder ``work`` with the kit; returns (copies to sign, wheel name)."""
    from .governance import _actor

    cfg = ws.config
    kit_ws = init_workspace(
        work, trust_roots=list(cfg.trust_roots), secretariat=list(cfg.secretariat_certs),
        other_certs=list(cfg.other_certs), tsa_url=cfg.tsa_url, test_pki=cfg.test_pki,
        lotl_signers=list(cfg.lotl_signers),
    )
    lang = resolve(cfg.lang)
    _kit_settings(work, lang, cfg)
    _copy_trusted_lists(ws, work)
    kit = open_registry(kit_ws)
    try:
        for av in got.versions:
            kit.add_approved_version(
                av, got.blobs[av.approved_sha256.hex], actor=_actor(), actor_certificate=None,
                imported_from=str(ws.root),
            )
        mandate_files = _copy_governance(source, kit, work, partner)
    finally:
        kit.close()
    current = [av for av in got.versions if av.superseded_by is None]
    for av in current:
        (work / _file_name(av)).write_bytes(got.blobs[av.approved_sha256.hex])
    wheel_name = None
    if wheel is not None:
        wheel_name, data = wheel
        (work / wheel_name).write_bytes(data)
    names = [Path(_file_name(av)) for av in current]
    (work / README_NAME).write_text(
        readme(names, got.versions, mandate_files, partner=partner, wheel=wheel_name, archive=archive, lang=lang),
        encoding="utf-8",
    )
    return current, wheel_name


def _partner(source, key: str | None):  # noqa: ANN001
    if key is None:
        return None
    found = source.governance.find_partner(key)
    if found is None:
        known = ", ".join(p.key for p in source.governance.partners()) or "none yet"
        raise UsageError(f"no partner {key!r} in the registry (registered: {known})",
                         hint="register it first: zvhsign partner import FILE, or zvhsign partner add")
    return found


def _cant_write(folder: Path, exc: OSError) -> OutputError:
    return OutputError(f"can't write to {display_path(folder)}: {os_reason(exc)}; nothing was written",
                       hint="choose an output folder you can write to")


def _check_writable(folder: Path) -> None:
    """OutputError (exit 3) at once, before any work, when no file can be made in ``folder``:
    a read-only file system (also for root), or no permission."""
    if os.access(folder, os.W_OK | os.X_OK):
        return
    read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY) if hasattr(os, "statvfs") else False
    code = errno.EROFS if read_only else errno.EACCES
    raise _cant_write(folder, OSError(code, os.strerror(code)))


def _temporary_folder(folder: Path, prefix: str) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    except OSError as exc:
        raise _cant_write(folder, exc) from None


def export_kit(ws: Workspace, directory: Path, *, partner: str | None = None, wheel: bool = True) -> KitResult:
    """Write the partner kit into ``directory`` (which must not exist, or be empty);
    ``partner`` (a registered partner's key or name) names the signed copies after it
    and hands out only its mandates; ``wheel``: include the zvhsign wheel."""
    from .governance import _actor

    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not an empty folder; choose a new one")
    if not directory.parent.is_dir():
        raise UsageError(f"the folder {directory.parent} does not exist")
    _check_writable(directory.parent)
    with open_registry(ws) as source:
        who = _partner(source, partner)
        got = _gather(ws, source)
        the_wheel = kit_wheel() if wheel else None
        work = _temporary_folder(directory.parent, f".{directory.name}.partial-")
        try:
            current, wheel_name = _build(ws, source, got, work, partner=who, wheel=the_wheel, archive=None)
            if directory.exists():
                directory.rmdir()  # empty, checked above
            work.rename(directory)
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise _cant_write(directory.parent, exc) from None
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        key = who.key if who is not None else None
        source.append_event(
            "export-kit", f"partner kit {directory.name}", actor=_actor(),
            object_sha256s=tuple(av.approved_sha256.hex for av in current),
            details={"directory": str(directory.resolve()), "versions": [av.label for av in got.versions],
                     "partner": key, "wheel": wheel_name},
        )
        names = tuple(directory / _file_name(av) for av in current)
        return KitResult(directory, tuple(got.versions), names, partner=key, wheel=wheel_name,
                         signed_names=tuple(signed_name(n.name, key) for n in names))


def _zip_folder(folder: Path, arc_root: str, target: Path) -> None:
    """Zip ``folder`` as ``arc_root/…`` into ``target`` (temporary file, then renamed)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
                for p in sorted(folder.rglob("*")):
                    if p.is_file():
                        z.write(p, f"{arc_root}/{p.relative_to(folder).as_posix()}")
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            raise UsageError(f"{target} already exists; remove it or choose another folder")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_partner_kits(ws: Workspace, out_dir: Path, partners: Sequence[str] = ()) -> list[KitResult]:
    """One zip per partner, ``out_dir/kit-<partner>.zip`` (every registered partner when
    ``partners`` is empty), each holding the folder ``kit-<partner>/``. Refuses (before
    writing anything) when one of the zips already exists; makes ``out_dir`` when only it is
    missing (and removes it again when nothing was made in it)."""
    out_dir = Path(out_dir)
    made = not out_dir.exists() and out_dir.parent.is_dir()  # `-o kits`: the folder is made
    if not out_dir.is_dir() and not made:
        raise UsageError(f"the folder {out_dir} does not exist")
    _check_writable(out_dir if not made else out_dir.parent)
    if made:
        try:
            out_dir.mkdir()
        except OSError as exc:
            raise _cant_write(out_dir.parent, exc) from None
    try:
        return _export_zips(ws, out_dir, partners)
    except BaseException:
        if made and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise


def _export_zips(ws: Workspace, out_dir: Path, partners: Sequence[str]) -> list[KitResult]:
    from .governance import _actor

    with open_registry(ws) as source:
        if partners:
            chosen = []
            for key in dict.fromkeys(partners):
                p = _partner(source, key)
                if p.key not in {c.key for c in chosen}:
                    chosen.append(p)
        else:
            chosen = source.governance.partners()
            if not chosen:
                raise UsageError("no partners registered: a kit is made per partner",
                                 hint="register them (zvhsign partner import FILE), or name one with --partner")
        targets = {p.key: out_dir / f"{kit_name(p.key)}.zip" for p in chosen}
        busy = [str(t) for t in targets.values() if t.exists()]
        if busy:
            raise UsageError(f"already exists: {', '.join(busy)}; remove or move it first, or choose another folder")
        got = _gather(ws, source)
        the_wheel = kit_wheel()
        results = []
        for p in chosen:
            target = targets[p.key]
            tmp = _temporary_folder(out_dir, f".{kit_name(p.key)}.partial-")
            try:
                work = tmp / kit_name(p.key)
                work.mkdir()
                current, wheel_name = _build(ws, source, got, work, partner=p, wheel=the_wheel, archive=target.name)
                _zip_folder(work, kit_name(p.key), target)
            except OSError as exc:
                raise _cant_write(out_dir, exc) from None
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            source.append_event(
                "export-kit", f"partner kit {target.name} for {p.name}", actor=_actor(),
                object_sha256s=tuple(av.approved_sha256.hex for av in current),
                details={"archive": str(target.resolve()), "partner": p.key,
                         "versions": [av.label for av in got.versions], "wheel": wheel_name},
            )
            names = tuple(Path(kit_name(p.key)) / _file_name(av) for av in current)
            results.append(KitResult(
                Path(kit_name(p.key)), tuple(got.versions), names, partner=p.key, archive=target,
                wheel=wheel_name, signed_names=tuple(signed_name(n.name, p.key) for n in names),
            ))
        return results
