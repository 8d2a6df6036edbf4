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
* ``LEESMIJ.txt``: the steps, in Dutch, to follow literally on a machine with
  Python 3.11: unpack, install the wheel in a fresh virtual environment, sign
  (writing ``<document>-<version>-<partner>.pdf``), check, send back.

:func:`export_kit` writes the same kit as a folder (the demo and a partner kit on
a shared drive use it). Folders are built in a temporary folder next to the target
and renamed into place at the end, zips written to a temporary file and renamed:
an interrupted export leaves no half-made kit.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..domain.documents import ApprovedVersion
from ..errors import RegistryError, UsageError
from .registry_access import open_registry
from .setup import init_workspace
from .workspace import Workspace

__all__ = ["KitResult", "export_kit", "export_partner_kits", "kit_wheel", "README_NAME"]

README_NAME = "LEESMIJ.txt"
DIST_NAME = "zvhsign"


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


def signed_name(pdf_name: str, partner: str | None) -> str:
    """The name LEESMIJ tells the partner to write: ``convenant-1.0-politie.pdf`` (the
    secretariat sees at a glance whose copy it is); ``…-getekend.pdf`` without a partner."""
    return pdf_name.removesuffix(".pdf") + (f"-{partner}.pdf" if partner else "-getekend.pdf")


def kit_name(partner: str) -> str:
    return f"kit-{partner}"


# --------------------------------------------------------------------------- LEESMIJ


def _readme(
    files: list[Path], versions: list[ApprovedVersion], mandates: Sequence[Path] = (), *,
    partner=None, wheel: str | None = None, archive: str | None = None,  # noqa: ANN001
) -> str:
    """The steps, in Dutch. Every command line (indented five spaces) works when typed
    literally in a terminal, in the order given, on a machine with Python 3.11; only
    ``mijn-certificaat.p12`` stands for the signatory's own file."""
    key = partner.key if partner is not None else None
    names = "\n".join(f"  - {f.name}" for f in files)
    outs = [signed_name(f.name, key) for f in files] or [signed_name("convenant-1.0.pdf", key)]
    ins = [f.name for f in files] or ["convenant-1.0.pdf"]
    listed = "\n".join(
        f"  - {v.document.value} {v.version}: SHA-256 {v.approved_sha256.hex}"
        + (f" (vervangen door {v.superseded_by})" if v.superseded_by else "")
        for v in versions
    )
    folder = Path(archive).stem if archive else None
    who = f" voor {partner.name}" if partner is not None else ""
    title = f"Ondertekenen voor het Zorg- en Veiligheidshuis Kennemerland{who}"

    unix, windows = [], []
    if archive:
        unix += [f"python3.11 -m zipfile -e {archive} .", f"cd {folder}"]
        windows += [f"py -3.11 -m zipfile -e {archive} .", f"cd {folder}"]
    install_unix = ["python3.11 -m venv .venv"]
    install_win = ["py -3.11 -m venv .venv"]
    if wheel:
        install_unix.append(f".venv/bin/python -m pip install {wheel}")
        install_win.append(f".venv\\Scripts\\python -m pip install {wheel}")
    else:
        install_unix.append(".venv/bin/python -m pip install zvhsign")
        install_win.append(".venv\\Scripts\\python -m pip install zvhsign")
    sign_unix = [f".venv/bin/zvhsign sign {i} --key mijn-certificaat.p12 -o {o}" for i, o in zip(ins, outs)]
    sign_win = [f".venv\\Scripts\\zvhsign sign {i} --key mijn-certificaat.p12 -o {o}" for i, o in zip(ins, outs)]
    check_unix = [".venv/bin/zvhsign verify " + " ".join(outs)]
    check_win = [".venv\\Scripts\\zvhsign verify " + " ".join(outs)]

    def block(lines: list[str]) -> str:
        return "\n".join("     " + line for line in lines)

    step = 1
    parts = []
    if archive:
        parts.append(
            f"{step}. Open een terminal in de map waarin {archive} staat en pak het uit:\n"
            f"{block(unix)}"
        )
        step += 1
    else:
        parts.append(f"{step}. Open een terminal in deze map.")
        step += 1
    parts.append(
        f"{step}. Installeer zvhsign in een eigen Python-omgeving in deze map (eenmalig; Python 3.11\n"
        "   of nieuwer is nodig, pip haalt de benodigde pakketten op van pypi.org):\n"
        f"{block(install_unix)}"
    )
    step += 1
    mandate_text = ""
    if mandates:
        mandate_text = (
            "\n   Tekent u als burgemeester namens het college, voeg dan het getekende\n"
            "   machtigingsbesluit van uw gemeente toe, bijvoorbeeld:\n"
            f"     --mandate {Path(mandates[0]).as_posix()}\n"
            f"   (in de map mandates/: {', '.join(Path(m).name for m in mandates)})."
        )
    parts.append(
        f"{step}. Onderteken. mijn-certificaat.p12 staat voor uw eigen certificaatbestand (.p12 of .pfx):\n"
        "   typ in plaats daarvan de naam of het pad van dat bestand.\n"
        f"{block(sign_unix)}\n"
        "   zvhsign laat eerst zien wat u ondertekent (document, versie, uw naam en functie) en\n"
        "   vraagt om bevestiging: typ y en Enter. Uw wachtwoord wordt gevraagd, niet op de\n"
        "   opdrachtregel. Met een smartcard of token: --pkcs11-module PAD --cert-label LABEL in\n"
        f"   plaats van --key mijn-certificaat.p12.{mandate_text}"
    )
    step += 1
    parts.append(
        f"{step}. Controleer uw getekende exemplaren zoals het secretariaat dat doet:\n"
        f"{block(check_unix)}"
    )
    step += 1
    parts.append(f"{step}. Stuur {' en '.join(outs)} terug naar het secretariaat.")

    win = block((windows + install_win + sign_win + check_win))
    steps = "\n\n".join(parts)
    return f"""{title}
{"=" * len(title)}

Deze kit bevat de goedgekeurde versies om te ondertekenen:
{names}

Stappen (Linux en macOS)
------------------------

{steps}

Windows
-------

Dezelfde stappen, in de Opdrachtprompt of PowerShell:
{win}

Liever in Adobe Acrobat? Dat kan ook: onderteken het bestand in uw eigen vak op de pagina
"Digitale ondertekening", bewaar het onder de naam hierboven ({outs[0]}) en verander verder
niets aan het document.

Deze map is ook een zvhsign-werkmap: ondertekenen en controleren gebeuren hier met dezelfde
vertrouwensinstellingen, tijdstempeldienst en registergegevens als bij het secretariaat.

Goedgekeurde versies (ter controle):
{listed}
"""


# --------------------------------------------------------------------------- the wheel

_WHEELS: dict[str, tuple[str, bytes]] = {}  # source fingerprint -> (file name, bytes)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _wheel_bytes(name: str, version: str, files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """A pure-Python wheel (``py3-none-any``) of ``files`` (dist-info included, RECORD
    written here). Entries in a fixed order with a fixed time: the same files always
    give the same bytes."""
    dist_info = f"{name}-{version}.dist-info"
    files = [(n, d) for n, d in files if n != f"{dist_info}/RECORD"]
    if not any(n == f"{dist_info}/WHEEL" for n, _ in files):
        files.append((f"{dist_info}/WHEEL",
                      b"Wheel-Version: 1.0\nGenerator: zvhsign kit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    files.sort(key=lambda f: (f[0].startswith(dist_info), f[0]))
    record = io.StringIO()
    w = csv.writer(record, lineterminator="\n")
    for n, d in files:
        w.writerow([n, _record_hash(d), len(d)])
    w.writerow([f"{dist_info}/RECORD", "", ""])
    files.append((f"{dist_info}/RECORD", record.getvalue().encode("utf-8")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            info = zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
    return f"{name}-{version}-py3-none-any.whl", buf.getvalue()


def _repack_installed(dist) -> tuple[str, bytes]:  # noqa: ANN001
    """The wheel of an installed (not editable) zvhsign, from its own RECORD."""
    name = dist.metadata["Name"].replace("-", "_").lower()
    files: list[tuple[str, bytes]] = []
    for f in dist.files or ():
        parts = f.parts
        if "__pycache__" in parts or f.name.endswith((".pyc", ".pyo")):
            continue
        if parts[0].endswith(".dist-info"):
            if f.name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL"):
                continue
        elif parts[0] != "zvhsign":
            continue  # console scripts (../../bin/zvhsign): pip writes them anew
        files.append((f.as_posix(), Path(f.locate()).read_bytes()))
    if not any(n.startswith("zvhsign/") for n, _ in files):
        raise UsageError("the installed zvhsign lists no files; can't put it in the kit",
                         hint="reinstall zvhsign with pip")
    return _wheel_bytes(name, dist.version, files)


def _source_tree(dist) -> Path | None:  # noqa: ANN001
    """The project folder of an editable install (``pip install -e``), or of a source
    checkout run without installing; ``None`` for a normal install."""
    if dist is not None:
        text = dist.read_text("direct_url.json")
        if not text:
            return None
        info = json.loads(text)
        if not info.get("dir_info", {}).get("editable"):
            return None
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else None


def _source_fingerprint(root: Path) -> str:
    h = hashlib.sha256()
    roots = [root / "zvhsign", root / "certs", root / "fixtures"]
    singles = [root / "pyproject.toml", root / "README.md"]
    paths = [p for p in singles if p.is_file()]
    for r in roots:
        if r.is_dir():
            paths += sorted(p for p in r.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                            and not p.name.endswith((".pyc", ".pyo")))
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _build_from_source(root: Path) -> tuple[str, bytes]:
    """``pip wheel --no-deps`` of the project source (its build backend comes from the
    package index, as with ``pip install -e``)."""
    with tempfile.TemporaryDirectory(prefix="zvhsign-wheel-") as tmp:
        env = {**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", tmp, str(root)],
                capture_output=True, text=True, env=env, timeout=900,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"could not build the zvhsign wheel for the kit: {exc}") from None
        wheels = sorted(Path(tmp).glob("zvhsign-*.whl"))
        if run.returncode != 0 or not wheels:
            tail = " ".join((run.stderr or run.stdout).strip().splitlines()[-3:])
            raise UsageError(
                f"could not build the zvhsign wheel for the kit (pip wheel {root}): {tail}",
                hint="pip needs the package index to get the build backend (hatchling)",
            )
        return wheels[0].name, wheels[0].read_bytes()


def kit_wheel() -> tuple[str, bytes]:
    """File name and bytes of the wheel of the zvhsign running now: repacked from the
    installed distribution, or (an editable install, a source checkout) built from the
    project source with ``pip wheel --no-deps`` — once per process and source state."""
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    root = _source_tree(dist)
    if root is None:
        if dist is None:
            raise UsageError("zvhsign is not installed as a package; can't put its wheel in the kit",
                             hint="install it with pip (pip install zvhsign-*.whl, or pip install -e .)")
        return _repack_installed(dist)
    key = _source_fingerprint(root)
    if key not in _WHEELS:
        _WHEELS[key] = _build_from_source(root)
    return _WHEELS[key]


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
    return written


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


def _build(ws: Workspace, source, got: _Source, work: Path, *, partner, wheel, archive: str | None):  # noqa: ANN001
    """Fill the empty folder ``work`` with the kit; returns (copies to sign, wheel name)."""
    from .governance import _actor

    cfg = ws.config
    kit_ws = init_workspace(
        work, trust_roots=list(cfg.trust_roots), secretariat=list(cfg.secretariat_certs),
        other_certs=list(cfg.other_certs), tsa_url=cfg.tsa_url, test_pki=cfg.test_pki,
    )
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
        _readme(names, got.versions, mandate_files, partner=partner, wheel=wheel_name, archive=archive),
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
    source = open_registry(ws)
    who = _partner(source, partner)
    got = _gather(ws, source)
    the_wheel = kit_wheel() if wheel else None
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        current, wheel_name = _build(ws, source, got, work, partner=who, wheel=the_wheel, archive=None)
        if directory.exists():
            directory.rmdir()  # empty, checked above
        work.rename(directory)
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
    writing anything) when one of the zips already exists."""
    from .governance import _actor

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"the folder {out_dir} does not exist")
    source = open_registry(ws)
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
        with tempfile.TemporaryDirectory(prefix=f".{kit_name(p.key)}.partial-", dir=out_dir) as tmp:
            work = Path(tmp) / kit_name(p.key)
            work.mkdir()
            current, wheel_name = _build(ws, source, got, work, partner=p, wheel=the_wheel, archive=target.name)
            _zip_folder(work, kit_name(p.key), target)
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
