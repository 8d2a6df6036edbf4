"""The partner kit works alone (issue 12, item 3): a partner gets ``kit-politie.zip``
and follows its LEESMIJ.txt literally on a machine with Python 3.11 — unpack, a fresh
virtual environment, install the zvhsign wheel from the zip (its dependencies come
from the package index), sign on a terminal (passphrase and confirmation typed at
the prompts), check — and the secretariat verifies the signed copies.

Real registries, real signatures (the test PKI; the kit's own zvhsign serves it on
127.0.0.1 as the workspace says), a real venv. Nothing is mocked."""

from __future__ import annotations

import importlib.util
import os
import pty
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from zvhsign.services.governance import import_partners, write_test_pki_partners
from zvhsign.services.kit import README_NAME, export_partner_kits
from zvhsign.services.operations import verify
from zvhsign.testpki import TEST_PASSPHRASE

_spec = importlib.util.spec_from_file_location(
    "zvh_tests_conftest_kit_zip", Path(__file__).resolve().parents[1] / "conftest.py"
)
shared = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = shared
_spec.loader.exec_module(shared)

PLACEHOLDER = "mijn-certificaat.p12"


def _python311() -> str:
    found = shutil.which("python3.11")
    if found:
        return found
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    pytest.fail("the kit's steps need python3.11 on PATH")


def _clean_env() -> dict[str, str]:
    """A partner's shell: nothing of this test run's Python or workspace."""
    drop = {"ZVHSIGN_WORKSPACE", "ZVHSIGN_PASSPHRASE", "ZVHSIGN_PIN", "PYTHONPATH", "VIRTUAL_ENV",
            "PYTHONHOME", "NO_COLOR", "PYTEST_CURRENT_TEST"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST_")}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["TERM"] = "dumb"
    return env


def _steps(readme: str) -> list[str]:
    """The command lines of the Linux/macOS steps, in order: the lines indented by five
    spaces between 'Stappen (Linux en macOS)' and the Windows section."""
    section = readme.split("Stappen (Linux en macOS)", 1)[1].split("\nWindows\n", 1)[0]
    return [line[5:] for line in section.splitlines() if line.startswith("     ") and not line[5:6].isspace()]


def _on_a_terminal(argv: list[str], cwd: Path, env: dict, answers: list[tuple[str, str]],
                   timeout: float = 600) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal, typing each answer when its prompt appears."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: nothing but exec
        try:
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    out, seen, deadline = b"", 0, time.monotonic() + timeout
    pending = list(answers)
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"timed out; output so far:\n{out.decode(errors='replace')}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child has closed the terminal
                break
            if not chunk:
                break
            out += chunk
            if pending and pending[0][0].encode() in out[seen:]:
                seen = len(out)
                os.write(fd, pending.pop(0)[1].encode())
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", errors="replace")


def test_a_partner_follows_leesmij_literally_and_the_secretariat_verifies(tmp_path, passphrase):
    a = shared.make_approved_workspace(tmp_path / "secretariaat", passphrase)
    partners = tmp_path / "partners.toml"
    write_test_pki_partners(partners, shared.CERTS)
    import_partners(a.ws, partners)

    outbox = tmp_path / "uit"
    outbox.mkdir()
    (kit,) = export_partner_kits(a.ws, outbox, ["politie"])
    assert kit.archive == outbox / "kit-politie.zip" and kit.partner == "politie"
    assert kit.signed_names == ("convenant-1.0-politie.pdf", "protocol-1.0-politie.pdf")

    with zipfile.ZipFile(kit.archive) as z:
        names = z.namelist()
        readme = z.read(f"kit-politie/{README_NAME}").decode("utf-8")
    assert {n.split("/")[0] for n in names} == {"kit-politie"}
    for needed in ("zvhsign.toml", "zvhsign.db", "convenant-1.0.pdf", "protocol-1.0.pdf", kit.wheel):
        assert f"kit-politie/{needed}" in names, needed
    assert any(n.startswith("kit-politie/trust/") for n in names)

    # the partner's machine: only the zip, a terminal, Python 3.11 and the package index
    machine = tmp_path / "partner"
    machine.mkdir()
    shutil.copyfile(kit.archive, machine / kit.archive.name)
    key = shared.p12("politie")
    env = _clean_env()
    steps = _steps(readme)
    assert any(s.startswith(".venv/bin/zvhsign sign convenant-1.0.pdf ") and s.endswith("-o convenant-1.0-politie.pdf")
               for s in steps), steps
    cwd, log = machine, []
    for step in steps:
        argv = shlex.split(step.replace(PLACEHOLDER, str(key)))
        if argv[0] == "cd":
            cwd = cwd / argv[1]
            continue
        if argv[0] == "python3.11":
            argv[0] = _python311()
        elif argv[0].startswith(".venv/"):
            argv[0] = str(cwd / argv[0])  # a relative path: as the partner's shell resolves it
        if argv[1:2] == ["sign"]:
            # the kit speaks Dutch: LEESMIJ's language ([display] lang in the kit's zvhsign.toml)
            code, out = _on_a_terminal(argv, cwd, env, [("Wachtwoord van uw sleutel", TEST_PASSPHRASE + "\n"),
                                                         ("Dit document ondertekenen?", "y\n")])
            assert "Controle vooraf: u staat op het punt te ondertekenen" in out, out
        else:
            run = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
            code, out = run.returncode, run.stdout + run.stderr
        log.append(f"$ {step}\n{out}")
        assert code == 0, "\n".join(log)[-6000:]

    signed = [cwd / n for n in kit.signed_names]
    assert all(p.is_file() for p in signed), "\n".join(log)[-4000:]
    assert "2 of 2 file(s) verified" in log[-1], log[-1]

    # the secretariat: the signed copies the partner sends back
    batch = verify(a.ws, signed)
    for fv in batch.files:
        assert fv.verified, [f.to_json() for f in fv.all_findings() if f.level.blocks]
        (partner_sig,) = fv.partner_signatures
        assert partner_sig.evidence.signer.common_name == "Erik Hoogland"

    # the zvhsign installed from the kit can make a kit itself: its wheel is repacked
    # from the installed distribution and holds the same files
    repack = subprocess.run(
        [str(cwd / ".venv/bin/python"), "-c",
         "import sys; from zvhsign.services.kit import kit_wheel; n, d = kit_wheel(); "
         "open(sys.argv[1], 'wb').write(d); print(n)", str(tmp_path / "again.whl")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert repack.returncode == 0, repack.stderr
    assert repack.stdout.strip() == kit.wheel
    with zipfile.ZipFile(cwd / kit.wheel) as original, zipfile.ZipFile(tmp_path / "again.whl") as again:
        assert sorted(original.namelist()) == sorted(again.namelist())
