"""An output folder zvhsign can't write to (a read-only file system, no permission): one clear
line, exit 3, nothing half-written -- never an internal error (`kit`, `init`, `demo`).

Tests run as root, for whom ``chmod 0555`` stops nothing: the folder is then a read-only tmpfs
mounted for the test (skipped where mounting is not allowed); another user gets ``chmod 0555``."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli


@pytest.fixture
def read_only_dir(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder, "Permission denied"
        folder.chmod(0o755)
        return
    if shutil.which("mount") is None:
        pytest.skip("no mount(8): can't make a read-only folder for root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"can't mount a read-only tmpfs here (root ignores chmod): {r.stderr.strip()}")
    try:
        yield folder, "Read-only file system"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture(scope="module")
def secretariat(tmp_path_factory, passphrase, approved_workspace_factory):
    from zvhsign.services.governance import write_test_pki_partners
    from zvhsign.testpki import certs_dir

    root = tmp_path_factory.mktemp("kit-ro")
    app = approved_workspace_factory(root, passphrase)
    write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    r = CliRunner().invoke(cli, ["-w", str(app.ws.root), "partner", "import", str(root / "partners.toml")])
    assert r.exit_code == 0, r.output
    return app.ws


def _export_events(ws) -> int:
    from zvhsign.services.registry_access import open_registry

    with open_registry(ws) as reg:
        return sum(1 for e in reg.events() if e.action == "export-kit")


def _says_it_cannot_write(result, ro, named, reason: str) -> None:
    """Exit 3, one line naming ``named`` and the system's reason; nothing made in ``ro``."""
    assert result.exit_code == 3, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert result.output.startswith("zvhsign: error: ") and f"{named}" in result.output, result.output
    assert reason in result.output, result.output
    assert list(ro.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize("as_folder", [False, True], ids=["zip", "folder"])
def test_kit_into_a_folder_it_cannot_write(secretariat, read_only_dir, as_folder):
    folder, reason = read_only_dir
    where = [str(folder / "kit-politie")] if as_folder else ["-o", str(folder)]
    before = _export_events(secretariat)
    r = CliRunner().invoke(cli, ["-w", str(secretariat.root), "kit", "--partner", "politie", *where])
    assert r.output.startswith(f"zvhsign: error: can't write to {folder}: {reason}; nothing was written")
    assert "hint: choose an output folder you can write to" in r.output
    _says_it_cannot_write(r, folder, folder, reason)
    assert _export_events(secretariat) == before  # no export logged


def test_init_and_demo_in_a_folder_they_cannot_write(read_only_dir):
    folder, reason = read_only_dir
    r = CliRunner().invoke(cli, ["init", str(folder / "w"), "--test-pki"])
    _says_it_cannot_write(r, folder, folder / "w", reason)
    r = CliRunner().invoke(cli, ["demo", str(folder / "d")])
    _says_it_cannot_write(r, folder, folder / "d", reason)
