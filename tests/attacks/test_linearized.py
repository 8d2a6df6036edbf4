"""issue 11: linearized files have the right revision boundaries -- no TRAILING_DATA, the
approved version found, every signature in its revision. Made with `qpdf --linearize`
before approval (the approved version is itself linearized), then signed by zvhsign."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from zvhsign.domain.documents import DocumentKind
from zvhsign.services.operations import approve, stamp, verify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external-signed"


@pytest.fixture(scope="module")
def linearized_copy(tmp_path_factory, passphrase, approved):
    import shutil

    from zvhsign.services.keys import KeySource
    from zvhsign.services.setup import init_test_workspace
    from zvhsign.services.signing import sign
    from zvhsign.testpki import certs_dir

    if not shutil.which("qpdf"):
        pytest.skip("qpdf is needed")  # CI installs it
    root = tmp_path_factory.mktemp("linearized")
    ws = init_test_workspace(root / "ws")
    stamp(FIXTURES / "samenwerkingsconvenant-1.0.pdf", DocumentKind.CONVENANT, "1.0", root / "stamped.pdf")
    subprocess.run(["qpdf", "--linearize", str(root / "stamped.pdf"), str(root / "lin.pdf")], check=True)
    key = lambda label: KeySource(pkcs12=certs_dir() / "out" / f"{label}.p12", passphrase=passphrase)  # noqa: E731
    approve(ws, root / "lin.pdf", key("secretariaat"), root / "approved.pdf", decided_on=date(2026, 11, 2))
    sign(ws, root / "approved.pdf", key("om"), root / "signed.pdf")
    return ws, root / "approved.pdf", root / "signed.pdf"


def test_linearized_approved_and_signed_copy_verifies(linearized_copy):
    ws, approved_pdf, signed = linearized_copy
    assert b"/Linearized" in approved_pdf.read_bytes()[:2048]
    (fv,) = verify(ws, [signed]).files
    codes = {f.code for f in fv.all_findings() if f.level.blocks}
    assert not codes, fv.all_findings()
    assert fv.verified
    assert fv.evidence.trailing_bytes == 0
    assert fv.evidence.revision_ends[-1] == signed.stat().st_size


def test_linearized_unsigned_update_is_still_named(linearized_copy):
    """The boundaries are right, not lenient: bytes after a linearized copy are still trailing data."""
    ws, _, signed = linearized_copy
    tampered = signed.with_name("tampered.pdf")
    tampered.write_bytes(signed.read_bytes() + b"\nNIET GELDIG\n")
    (fv,) = verify(ws, [tampered]).files
    assert "TRAILING_DATA" in {f.code for f in fv.findings}
    assert fv.evidence.trailing_bytes == len(b"\nNIET GELDIG\n")


@pytest.mark.parametrize("name", ["adbe_ocsp_signed.pdf", "GlobalSign_CP_v5.8.pdf"])
def test_real_linearized_files_have_no_trailing_data(approved, name):
    path = EXTERNAL / name
    if not path.is_file():
        pytest.skip(f"{path} is not present (it is in CI)")
    (fv,) = verify(approved.ws, [path]).files
    assert fv.completed, fv.error
    assert fv.evidence.trailing_bytes == 0
    assert fv.evidence.revision_ends[-1] == path.stat().st_size
    assert "TRAILING_DATA" not in {f.code for f in fv.all_findings()}
    (sig,) = fv.signatures
    assert sig.evidence.intact and sig.evidence.valid and sig.evidence.covers_whole_revision
