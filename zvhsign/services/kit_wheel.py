"""The zvhsign wheel in a partner kit: the wheel of the zvhsign running now.

Repacked from the installed distribution's own RECORD (a normal install, e.g. from
the kit's own wheel), or -- an editable install, a source checkout -- built from the
project source with ``pip wheel --no-deps`` once per process and source state. The
partner installs it with pip; its dependencies come from the package index.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..errors import UsageError

__all__ = ["DIST_NAME", "kit_wheel"]

DIST_NAME = "zvhsign"

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
