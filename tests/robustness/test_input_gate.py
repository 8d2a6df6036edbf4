"""Issue 15, input gate: only regular files are opened; names of any encoding."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from zvhsign.errors import InputError
from zvhsign.services.files import display_path, read_input

from ._util import run


def test_read_input_refuses_a_fifo_at_once(tmp_path):
    fifo = tmp_path / "copy.pdf"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(InputError, match="named pipe"):
        read_input(fifo)
    assert time.monotonic() - start < 5


def test_read_input_refuses_directory_device_and_socket(tmp_path):
    with pytest.raises(InputError, match="directory"):
        read_input(tmp_path)
    with pytest.raises(InputError, match="character device"):
        read_input(Path("/dev/zero"))  # would never end
    sock_path = tmp_path / "s.pdf"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock_path))
        with pytest.raises(InputError, match="socket"):
            read_input(sock_path)
    with pytest.raises(InputError, match="no such file"):
        read_input(tmp_path / "missing.pdf")


def test_read_input_follows_a_link_to_a_regular_file(tmp_path):
    target = tmp_path / "real.pdf"
    target.write_bytes(b"%PDF-1.7\n")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    assert read_input(link) == b"%PDF-1.7\n"


def test_display_path_is_always_valid_utf8():
    name = os.fsdecode(b"/tmp/kopie-\xff\xfe.pdf")  # surrogate-escaped
    shown = display_path(name)
    shown.encode("utf-8")  # no UnicodeEncodeError
    assert shown == "/tmp/kopie-\\xff\\xfe.pdf"
    assert display_path(Path("/tmp/gewoon-é.pdf")) == "/tmp/gewoon-é.pdf"
    assert display_path(b"/tmp/x-\xff.pdf") == "/tmp/x-\\xff.pdf"


def test_fifo_in_a_verify_batch_is_refused_at_once_and_the_others_judged(approved, signed_convenant, tmp_path):
    fifo = tmp_path / "hangt.pdf"
    os.mkfifo(fifo)
    other = tmp_path / "kopie.pdf"
    shutil.copyfile(signed_convenant, other)
    start = time.monotonic()
    # a FIFO opened for reading would block until a writer comes: the timeout catches a hang
    result = run(["-w", approved.ws.root, "verify", "--json", fifo, signed_convenant, other], timeout=240)
    assert time.monotonic() - start < 240
    assert result.returncode == 3, result.stderr.decode()  # one file could not be read
    doc = json.loads(result.stdout.decode("utf-8"))
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path[str(fifo)]["status"] == "ERROR"
    assert "named pipe" in by_path[str(fifo)]["error"]
    assert by_path[str(signed_convenant)]["status"] == "VERIFIED"
    assert by_path[str(other)]["status"] == "VERIFIED"
    assert b"Traceback" not in result.stderr


def test_a_directory_in_a_verify_batch_is_its_own_error(approved, signed_convenant, tmp_path):
    result = run(["-w", approved.ws.root, "verify", "--json", tmp_path, signed_convenant], timeout=240)
    assert result.returncode == 3, result.stderr.decode()
    doc = json.loads(result.stdout.decode("utf-8"))
    statuses = {f["path"]: f["status"] for f in doc["files"]}
    assert statuses == {str(tmp_path): "ERROR", str(signed_convenant): "VERIFIED"}


def test_non_utf8_file_name_gives_valid_utf8_json(approved, signed_convenant, tmp_path):
    name = os.fsdecode(os.fsencode(tmp_path) + b"/kopie-\xff.pdf")
    shutil.copyfile(signed_convenant, name)
    result = run(["-w", approved.ws.root, "verify", "--json", name], timeout=240)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    doc = json.loads(result.stdout.decode("utf-8"))  # strict: invalid UTF-8 raises
    assert doc["files"][0]["path"].endswith("kopie-\\xff.pdf")


def test_a_failed_write_is_one_error_and_leaves_nothing(tmp_path):
    """A write that fails half-way (here: the file size limit, as a full disk would)
    is one ZvhsignError with exit 3, and no partial file is left in the folder."""
    import subprocess
    import sys
    import textwrap

    target = tmp_path / "uit.pdf"
    script = textwrap.dedent(f"""
        import resource, signal
        from pathlib import Path
        from zvhsign.errors import ZvhsignError
        from zvhsign.services.files import write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_atomic(Path({str(target)!r}), b"x" * 100_000)
        except ZvhsignError as exc:
            print(exc.exit_code, exc.message)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    code, message = out.stdout.strip().split(" ", 1)
    assert code == "3" and message.startswith(f"can't write {target}: File too large; nothing was written")
    assert list(tmp_path.iterdir()) == []
