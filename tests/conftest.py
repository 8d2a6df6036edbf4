"""Shared test fixtures: the real test PKI over HTTP, workspaces, approved versions.

Nothing here mocks pyHanko or the database: signatures are real PAdES
signatures by the ZVH Test PKI, the TSA/OCSP/CRL answer over HTTP on 127.0.0.1,
the registry is a real SQLite (or PostgreSQL) database.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from zvhsign.domain.documents import ApprovedVersion, DocumentKind
from zvhsign.domain.secrets import Secret
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CERTS = certs_dir() / "out"
EXTERNAL_SIGNED = REPO.parent / "shared" / "external-signed"


STRICT = os.environ.get("ZVHSIGN_STRICT_SKIPS") == "1"


def pytest_collection_modifyitems(config, items):
    """``requires_tool(name)``: skip when the program is missing (locally)."""
    for item in items:
        for mark in item.iter_markers("requires_tool"):
            tool = mark.args[0]
            if shutil.which(tool) is None:
                item.add_marker(pytest.mark.skip(reason=f"{tool} is not installed"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (ZVHSIGN_STRICT_SKIPS=1) a skipped test is a failed test: nothing
    required may silently not run."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


def pytest_report_header(config):
    """Which PostgreSQL this session tests against, or why none (tests/pgurl.py)."""
    from tests.pgurl import choice

    return choice().header()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """An explicit opt-out (ZVHSIGN_TEST_POSTGRES_URL=off) is said at the end, where a
    quiet run (-q, no header) still shows it."""
    from tests.pgurl import OFF, PG_ENV, opted_out

    if opted_out():
        terminalreporter.write_line(f"PostgreSQL tests were left out by {PG_ENV}={OFF} (not collected)",
                                    yellow=True)


@pytest.fixture(scope="session")
def passphrase() -> Secret:
    return Secret(TEST_PASSPHRASE, source="test")


def p12(label: str) -> Path:
    return CERTS / f"{label}.p12"


@dataclass(frozen=True)
class Approved:
    """A workspace with both documents approved (version 1.0)."""

    ws: object  # zvhsign.services.workspace.Workspace
    convenant: Path
    protocol: Path
    versions: dict

    def key(self, label: str, passphrase: Secret):
        from zvhsign.services.keys import KeySource

        return KeySource(pkcs12=p12(label), passphrase=passphrase)


def make_approved_workspace(root: Path, passphrase: Secret, database_url: str | None = None) -> Approved:
    from zvhsign.services.keys import KeySource
    from zvhsign.services.operations import approve, stamp
    from zvhsign.services.setup import init_test_workspace

    ws = init_test_workspace(root / "ws", database_url=database_url, responsible_name="J. de Vries",
                             responsible_function="Functionaris voor de gegevensbescherming")
    key = KeySource(pkcs12=p12("secretariaat"), passphrase=passphrase)
    out: dict[DocumentKind, Path] = {}
    versions: dict[DocumentKind, ApprovedVersion] = {}
    for doc, name in (
        (DocumentKind.CONVENANT, "samenwerkingsconvenant-1.0.pdf"),
        (DocumentKind.PROTOCOL, "privacyprotocol-1.0.pdf"),
    ):
        stamped = root / f"{doc.value}-stamped.pdf"
        stamp(FIXTURES / name, doc, "1.0", stamped)
        out[doc] = root / f"{doc.value}-approved.pdf"
        versions[doc] = approve(ws, stamped, key, out[doc], decided_on=date(2026, 11, 2))
    return Approved(ws, out[DocumentKind.CONVENANT], out[DocumentKind.PROTOCOL], versions)


@pytest.fixture(scope="session")
def approved(tmp_path_factory, passphrase) -> Approved:
    """Session-wide workspace with approved convenant and protocol 1.0 (read-only for tests)."""
    return make_approved_workspace(tmp_path_factory.mktemp("approved"), passphrase)


@pytest.fixture(scope="session")
def signed_convenant(approved, passphrase, tmp_path_factory) -> Path:
    """The approved covenant signed by the OM (B-LTA)."""
    from zvhsign.services.signing import sign

    out = tmp_path_factory.mktemp("signed") / "convenant-om.pdf"
    sign(approved.ws, approved.convenant, approved.key("om", passphrase), out)
    return out


def sign_unchecked(ws, inp: Path, key, out: Path, *, level=None, mandate_sha256=None, capacity=None,
                   field_name=None) -> Path:
    """Sign the way another product (Acrobat, a script) would: a real PAdES signature by
    pyHanko with zvhsign's signing code, but without ``sign``'s pre-flight. Tests use it to
    make the copies the pre-flight refuses, which verify must still judge."""
    import asyncio

    from zvhsign.domain.documents import PadesLevel
    from zvhsign.pdf.fields import PARTNER_FIELD_PREFIX
    from zvhsign.pdf.signing import add_signature, free_signature_fields
    from zvhsign.services.runtime import open_runtime

    data = Path(inp).read_bytes()
    target = field_name or next(n for n in free_signature_fields(data) if n.startswith(PARTNER_FIELD_PREFIX))
    level = level or PadesLevel.B_LTA

    async def run(signer) -> bytes:
        async with open_runtime(ws) as rt:
            return await add_signature(data, signer, rt.env, level=level, field_name=target,
                                       mandate_sha256=mandate_sha256, mandate_capacity=capacity)

    with key.open() as signer:
        Path(out).write_bytes(asyncio.run(run(signer)))
    return Path(out)


@pytest.fixture(scope="session")
def approved_workspace_factory():
    """:func:`make_approved_workspace` as a fixture, for a test that needs a workspace of its own."""
    return make_approved_workspace


@pytest.fixture(scope="session")
def unchecked_signer():
    """:func:`sign_unchecked` as a fixture (test modules are imported with importlib)."""
    return sign_unchecked


# ------------------------------------------------------------------ SoftHSM2 token

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class SoftToken:
    """A real SoftHSM2 token holding the OM's key, its certificate and the issuing CA."""

    module: Path
    label: str
    pin: str
    key_label: str
    conf: Path

    def key(self, pin: str | None = None, **kw):
        from zvhsign.services.keys import KeySource

        args = dict(pkcs11_module=self.module, token_label=self.label, key_label=self.key_label,
                    pin=Secret(pin if pin is not None else self.pin, source="test"))
        args.update(kw)
        return KeySource(**args)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory) -> SoftToken:
    """Initialise a private SoftHSM2 token (own SOFTHSM2_CONF) with key + certificate from
    the test PKI: ``softhsm2-util --import`` for the PKCS#8 key, python-pkcs11 for the
    certificates. The PIN appears only in this setup, never in zvhsign's argv."""
    import subprocess

    if not SOFTHSM_MODULE.is_file() or shutil.which("softhsm2-util") is None:
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2)")
    from asn1crypto import pem, x509

    d = tmp_path_factory.mktemp("softhsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # before the module is loaded in this process
    token = SoftToken(SOFTHSM_MODULE, "zvh-test-token", "zvh-pin-7391", "om", conf)
    run = lambda *a: subprocess.run(["softhsm2-util", *a], check=True, capture_output=True)  # noqa: E731
    run("--init-token", "--free", "--label", token.label, "--pin", token.pin, "--so-pin", "zvh-so-0000")
    run("--import", str(certs_dir() / "keys" / "om.key.pem"), "--token", token.label,
        "--label", "om", "--id", "01", "--pin", token.pin)

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    with lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin) as session:
        for label, obj_id in (("om", b"\x01"), ("zvh-ca", b"\x02")):
            der = pem.unarmor((CERTS / f"{label}.cert.pem").read_bytes())[2]
            cert = x509.Certificate.load(der)
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: obj_id,
                Attribute.SUBJECT: cert.subject.dump(),
                Attribute.VALUE: der,
            })
    return token


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a workspace folder whose registry may be open in this process (the session's
    shared workspaces are). The SQLite registry is copied with SQLite's backup API, never read
    as a plain file: opening and closing a live database file in a process that holds a
    connection to it drops that connection's POSIX locks, and a writer in another process
    (a `zvhsign` subprocess) can then corrupt it (sqlite.org/howtocorrupt.html, 2.2; seen here:
    "database disk image is malformed" in the shared approved workspace)."""
    import shutil
    import sqlite3
    from contextlib import closing

    names = ("zvhsign.db", "zvhsign.db-wal", "zvhsign.db-shm", "zvhsign.db-journal")
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*names))
    db = Path(src) / "zvhsign.db"
    if db.is_file():
        with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(Path(dst) / "zvhsign.db")) as copy:
            source.backup(copy)
    return Path(dst)
