"""Signing and approving write straight into the staged output (issue 16, large files).

pyHanko signs into a temporary file next to the target -- unnamed (O_TMPFILE) where the
kernel allows, else a hidden ``.NAME.*.partial`` file -- and makes its post-sign updates
(DSS, document timestamp) there; the file gets its name only when everything succeeded.
Checked with real PDFs, real signatures and a real TSA behind a proxy that stops
answering: a signing that fails after the signed file was written leaves no output and
no temporary file, registers nothing, and a signed output is its input plus an
incremental update. Each case runs with O_TMPFILE and with the named fallback.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import copy_workspace
from tests.pgurl import backends, pg_schema, require
from zvhsign.domain.documents import DocumentKind, PadesLevel
from zvhsign.errors import ServiceError
from zvhsign.registry import Registry
from zvhsign.services.operations import approve, stamp, verify
from zvhsign.services.signing import sign
from zvhsign.services.workspace import load_workspace
from zvhsign.testpki import TEST_PASSPHRASE, TSA_URL, LocalTestPKI, certs_dir

REPO = Path(__file__).resolve().parents[2]
CERTS = certs_dir() / "out"


@pytest.fixture(params=["O_TMPFILE", "named"])
def staging(request, monkeypatch) -> str:
    """Both ways of staging: the unnamed file, and the hidden named file (as on file
    systems or kernels without O_TMPFILE)."""
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return request.param


class _FlakyTSA(http.server.BaseHTTPRequestHandler):
    """Forwards timestamp requests to the test PKI's TSA; after ``answers`` of them
    it answers 503 (``answers`` None: always forwards), calling ``on_refusal`` first.
    Counts the requests."""

    upstream = ""
    answers: int | None = None
    requests = 0
    on_refusal = None

    def do_POST(self):  # noqa: N802
        cls = type(self)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        cls.requests += 1
        if cls.answers is not None and cls.requests > cls.answers:
            if cls.on_refusal is not None:
                cls.on_refusal()
            self.send_error(503)
            return
        req = urllib.request.Request(cls.upstream, data=body,
                                     headers={"Content-Type": "application/timestamp-query"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            data, ctype = resp.read(), resp.headers.get("Content-Type")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def flaky_tsa():
    """``(url, handler class)`` of a TSA proxy in front of a served test PKI."""
    with LocalTestPKI(certs_dir()) as pki:
        _FlakyTSA.upstream = pki.local_url(TSA_URL)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FlakyTSA)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/tsa", _FlakyTSA
        finally:
            server.shutdown()
            server.server_close()


def _workspace_with_tsa(approved, root: Path, url: str):
    """A copy of the approved workspace whose TSA is ``url``."""
    copy_workspace(approved.ws.root, root)
    cfg = root / "zvhsign.toml"
    text = cfg.read_text(encoding="utf-8").replace(f'url = "{TSA_URL}"', f'url = "{url}"')
    assert url in text
    cfg.write_text(text, encoding="utf-8")
    return load_workspace(root)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _assert_verified(ws, path: Path) -> None:
    f = verify(ws, [path]).files[0]
    assert f.verified, [(x.code, x.message) for x in f.findings] + [
        (s.evidence.field_name, [x.code for x in s.findings]) for s in f.signatures]


# ------------------------------------------------------------------------- sign


def test_signed_output_is_the_input_plus_an_incremental_update(approved, passphrase, tmp_path, staging):
    inp = tmp_path / "in" / "convenant.pdf"
    inp.parent.mkdir()
    shutil.copyfile(approved.convenant, inp)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "convenant-om.pdf"
    result = sign(approved.ws, inp, approved.key("om", passphrase), out, level=PadesLevel.B_LTA)
    assert result.written
    assert os.listdir(outdir) == [out.name]  # no temporary file left beside it
    assert oct(out.stat().st_mode & 0o777) == oct(0o600)  # created private, like before
    before, after = approved.convenant.read_bytes(), out.read_bytes()
    assert inp.read_bytes() == before  # the input untouched
    assert len(after) > len(before) and after[:len(before)] == before  # byte-for-byte prefix
    assert after.rstrip().endswith(b"%%EOF")
    if shutil.which("qpdf"):
        r = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    _assert_verified(approved.ws, out)


def test_a_signing_that_fails_after_writing_leaves_no_file(approved, passphrase, tmp_path, flaky_tsa, staging):
    """The TSA stops answering at the last timestamp of a B-LTA signature: the document
    timestamp, requested after the signature and its validation data were written."""
    url, tsa = flaky_tsa
    ws = _workspace_with_tsa(approved, tmp_path / "ws", url)
    key = approved.key("om", passphrase)
    outdir = tmp_path / "out"
    outdir.mkdir()

    tsa.answers, tsa.requests = None, 0  # a successful signing: how many timestamps it takes
    sign(ws, approved.convenant, key, outdir / "counted.pdf", level=PadesLevel.B_LTA)
    needed = tsa.requests
    assert needed >= 3  # content timestamp, signature timestamp, document timestamp

    before = _snapshot(outdir)
    out = outdir / "convenant-om.pdf"
    seen: list[dict[str, int]] = []  # the folder while the TSA refuses
    tsa.answers, tsa.requests = needed - 1, 0
    tsa.on_refusal = lambda: seen.append({p.name: p.stat().st_size for p in outdir.iterdir()})
    try:
        with pytest.raises(ServiceError, match="answered with an error: HTTP 503.*tried twice.*nothing was signed"):
            sign(ws, approved.convenant, key, out, level=PadesLevel.B_LTA)
    finally:
        tsa.on_refusal = None
    assert tsa.requests == needed + 1  # the last one failed, and its retry
    assert not out.exists()
    assert _snapshot(outdir) == before  # no temporary file, nothing else changed
    # it failed with the signed file written: hidden (named staging) or invisible (O_TMPFILE)
    new = [{n: size for n, size in names.items() if n not in before} for names in seen]
    assert len(new) == 2
    if staging == "named":
        assert all(len(n) == 1 and next(iter(n)).startswith(".convenant-om.pdf.")
                   and next(iter(n)).endswith(".partial")
                   and next(iter(n.values())) > approved.convenant.stat().st_size for n in new), new
    else:
        assert new == [{}, {}]


# ---------------------------------------------------------------------- approve


def _stamp_11(tmp_path: Path) -> Path:
    stamped = tmp_path / "convenant-1.1-stamped.pdf"
    stamp(REPO / "fixtures" / "samenwerkingsconvenant-1.1.pdf", DocumentKind.CONVENANT, "1.1", stamped)
    return stamped


def _registry_state(ws):
    from zvhsign.services.registry_access import open_registry

    open_registry(ws)  # logs the changed TSA setting first, as any command would
    with Registry.open(ws.config.database_url) as reg:
        return ({a.version: a.superseded_by for a in reg.approved_versions(DocumentKind.CONVENANT)},
                [e.action for e in reg.events()])


def test_approve_streams_the_staged_file_into_the_registry(approved, passphrase, tmp_path, staging):
    ws = load_workspace(copy_workspace(approved.ws.root, tmp_path / "ws"))
    stamped = _stamp_11(tmp_path)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "convenant-1.1.pdf"
    av = approve(ws, stamped, approved.key("secretariaat", passphrase), out, decided_on=date(2026, 12, 1))
    assert os.listdir(outdir) == [out.name]
    data = out.read_bytes()
    assert data[:stamped.stat().st_size] == stamped.read_bytes()  # an incremental update
    assert av.approved_sha256.hex == hashlib.sha256(data).hexdigest() and av.approved_size == len(data)
    with Registry.open(ws.config.database_url) as reg:
        assert reg.get_blob(av.approved_sha256) == data  # the blob: the file's exact bytes
        assert reg.get_approved(DocumentKind.CONVENANT, "1.0").superseded_by == "1.1"
        assert reg.check_storage().intact  # re-hashed: the streamed blob matches its SHA-256
    f = verify(ws, [out]).files[0]
    assert "APPROVED_VERSION" in [x.code for x in f.findings]
    assert [s.evidence.field_name for s in f.signatures] == ["ZVH_Goedkeuring"] and f.signatures[0].ok


def test_an_approve_that_fails_after_writing_registers_nothing(approved, passphrase, tmp_path, flaky_tsa, staging):
    url, tsa = flaky_tsa
    key = approved.key("secretariaat", passphrase)
    stamped = _stamp_11(tmp_path)
    outdir = tmp_path / "out"
    outdir.mkdir()

    tsa.answers, tsa.requests = None, 0  # a successful approve (B-LT), in another copy
    approve(_workspace_with_tsa(approved, tmp_path / "ws-count", url), stamped, key,
            outdir / "counted.pdf", decided_on=date(2026, 12, 1), level=PadesLevel.B_LT)
    needed = tsa.requests
    assert needed >= 2  # content timestamp, signature timestamp

    ws = _workspace_with_tsa(approved, tmp_path / "ws", url)
    registered = _registry_state(ws)
    before = _snapshot(outdir)
    out = outdir / "convenant-1.1.pdf"
    tsa.answers, tsa.requests = needed - 1, 0
    with pytest.raises(ServiceError, match="answered with an error: HTTP 503.*nothing was signed"):
        approve(ws, stamped, key, out, decided_on=date(2026, 12, 1), level=PadesLevel.B_LT)
    assert not out.exists()
    assert _snapshot(outdir) == before  # no temporary file
    assert _registry_state(ws) == registered  # nothing registered, superseded or logged


# ------------------------------------------------------------------- full disk


def _file_size_limit(size: int):
    def preexec():  # a write beyond the limit fails with EFBIG instead of killing the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return preexec


def test_sign_that_does_not_fit_says_so_and_leaves_nothing(approved, tmp_path):
    """A size limit (RLIMIT_FSIZE, as a full disk or a quota) hit while pyHanko writes the
    signed file: the output's error, not a signing or network error; nothing written."""
    ws = tmp_path / "ws"
    copy_workspace(approved.ws.root, ws)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "convenant-om.pdf"
    limit = 48 * 1024  # room for SQLite's shared-memory file, not for the signed copy
    assert approved.convenant.stat().st_size > limit
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    env = {**os.environ, "ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en"}
    env.pop("ZVHSIGN_DEBUG", None)
    r = subprocess.run(
        [*([exe] if exe else [sys.executable, "-m", "zvhsign.cli"]), "-w", str(ws), "sign",
         str(approved.convenant), "--key", str(CERTS / "om.p12"), "-o", str(out), "--yes"],
        env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        preexec_fn=_file_size_limit(limit),
    )
    err = r.stderr
    assert r.returncode == 3, r.stdout + err
    assert "Traceback" not in err and "internal error" not in err, err
    assert f"can't write {out}: File too large; nothing was written" in err, err
    assert "network" not in err and "signing failed" not in err, err
    assert os.listdir(outdir) == []


# --------------------------------------------------------------------- registry

@pytest.fixture(params=backends())
def registry_url(request, tmp_path):
    """SQLite (its blob is written piece by piece), and PostgreSQL (in one piece; the server
    tests/pgurl.py chooses, a fresh schema in its database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    with pg_schema(require()) as url:
        yield url


def _version(version: str, pdf: bytes):
    from datetime import datetime, timezone

    from zvhsign.domain.digests import Sha256
    from zvhsign.domain.documents import ApprovedVersion

    return ApprovedVersion(
        document=DocumentKind.PROTOCOL, version=version, source_sha256=Sha256.of(b"source " + version.encode()),
        approved_sha256=Sha256.of(pdf), approved_size=len(pdf), decided_on=date(2026, 11, 2),
        approved_at=datetime.now(timezone.utc), approver_fingerprint="ab" * 32,
    )


def test_registering_from_a_file_stores_its_exact_bytes_or_nothing(registry_url, tmp_path):
    import io

    from zvhsign.errors import RegistryError

    pdf = b"%PDF-1.7\n" + os.urandom(3 << 20) + b"\n%%EOF\n"  # more than one chunk
    path = tmp_path / "approved.pdf"
    path.write_bytes(pdf)
    with Registry.create(registry_url, actor="t") as reg:
        events = [e.action for e in reg.events()]
        # a file that is not what the version says: refused, and nothing of it stored
        tampered = pdf[:-20] + bytes([pdf[-20] ^ 0xFF]) + pdf[-19:]  # always a different byte
        for wrong in (tampered, pdf + b"more", pdf[:-1]):
            with pytest.raises(RegistryError, match="does not match it"):
                reg.add_approved_version(_version("1.0", pdf), io.BytesIO(wrong), actor="t", actor_certificate=None)
        assert reg.approved_versions() == [] and reg.get_blob(_version("1.0", pdf).approved_sha256) is None
        assert [e.action for e in reg.events()] == events

        with open(path, "rb") as fh:
            reg.add_approved_version(_version("1.0", pdf), fh, actor="t", actor_certificate=None)
        (av,) = reg.approved_versions()
        assert reg.get_blob(av.approved_sha256) == pdf and av.approved_size == len(pdf)
        assert reg.check_storage().intact

        # bytes already stored (as another kind of file): checked, not stored twice
        other = b"%PDF-1.7\n% a mandate\n" + os.urandom(1 << 20)
        reg.put_blob(other, actor="t")
        reg.add_approved_version(_version("1.1", other), io.BytesIO(other), actor="t", actor_certificate=None)
        assert reg.get_blob(_version("1.1", other).approved_sha256) == other
        third = b"%PDF-1.7\n% a recorded copy\n" + os.urandom(1 << 20)
        reg.put_blob(third, actor="t")
        with pytest.raises(RegistryError, match="does not match it"):
            reg.add_approved_version(_version("1.2", third), io.BytesIO(third[:-1]), actor="t",
                                     actor_certificate=None)
        assert [a.version for a in reg.approved_versions()] == ["1.0", "1.1"]
        assert reg.check_storage().intact
