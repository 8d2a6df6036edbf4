"""Foreign signatures (issue 4 item 4): an approved copy signed by a second,
independent library (endesive: ``adbe.pkcs7.detached`` with its own field,
appearance and AcroForm update) and by pyHanko's CLI into a free field (both
Acrobat-style and, with ``--use-pades``, ``ETSI.CAdES.detached`` B-T) are
judged by the same rules, without false alarms."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from zvhsign.services.operations import verify
from zvhsign.testpki import certs_dir

PASS = b"zvh-test-only"


def blocking(fv) -> list[str]:
    return [f"{f.code}: {f.message}" for f in fv.all_findings() if f.level.blocks]


def _endesive_cms():
    """endesive's PDF signer, ``endesive.pdf.cms``. Its package ``__init__`` also imports
    endesive's *verifier*, which pulls in oscrypto 1.3.0, whose OpenSSL version check
    fails on OpenSSL 3.0.1x (a known oscrypto bug). Signing doesn't need the verifier,
    so the signer module is imported without running that ``__init__``."""
    import importlib
    import importlib.util
    import types

    if "endesive.pdf.cms" in sys.modules:
        return sys.modules["endesive.pdf.cms"]
    pkg = importlib.util.find_spec("endesive")
    if pkg is None:
        pytest.skip("endesive is not installed (test extra)")
    if "endesive.pdf" not in sys.modules:
        shell = types.ModuleType("endesive.pdf")
        shell.__path__ = [str(Path(pkg.origin).parent / "pdf")]
        sys.modules["endesive.pdf"] = shell
    return importlib.import_module("endesive.pdf.cms")


@contextlib.contextmanager
def _docmdp_digest_method_default():
    """endesive 3.0.1 reads ``/DigestMethod`` from a certified document's DocMDP
    signature reference dictionary unconditionally, but that entry is optional
    (ISO 32000-1 table 253; pyHanko doesn't write it), so it fails with KeyError on
    every certified PDF that lacks it. While endesive signs, a missing
    ``/DigestMethod`` of a ``/SigRef`` dictionary reads as ``/SHA256`` (the approval's
    actual digest). Only endesive's reading is affected; the bytes signed and the
    validation are untouched."""
    from pypdf.generic import DictionaryObject, NameObject

    original = DictionaryObject.__getitem__

    def getitem(self, key):
        if key == "/DigestMethod" and dict.get(self, "/Type") == "/SigRef" and not dict.__contains__(self, key):
            return NameObject("/SHA256")
        return original(self, key)

    DictionaryObject.__getitem__ = getitem
    try:
        yield
    finally:
        DictionaryObject.__getitem__ = original


def endesive_sign(source: Path, out: Path, label: str, field: str | None = "ZVH_Handtekening_02") -> None:
    """Sign with endesive into the approved copy's empty ``field`` (``signform``), or,
    with ``field=None``, into a field endesive creates itself (with a visible widget)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    cms = _endesive_cms()

    key, cert, chain = pkcs12.load_key_and_certificates(
        (certs_dir() / "out" / f"{label}.p12").read_bytes(), PASS
    )
    data = source.read_bytes()
    now = datetime.now(timezone.utc)
    udct = {
        "aligned": 0,
        "sigflags": 3,
        "sigpage": 0,
        "sigfield": field or "Endesive_Handtekening",
        "auto_sigfield": field is None,
        "signform": field is not None,
        "signaturebox": (40, 40, 260, 100),
        "signature": "Getekend met endesive",
        "contact": "secretariaat@zvh-test.invalid",
        "location": "Haarlem",
        "signingdate": now.strftime("D:%Y%m%d%H%M%S+00'00'").encode(),
        "reason": "Akkoord",
    }
    with _docmdp_digest_method_default():
        update = cms.sign(data, udct, key, cert, list(chain or []), "sha256")
    out.write_bytes(data + update)


@pytest.fixture(scope="module")
def endesive_copy(approved, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("foreign") / "convenant-endesive.pdf"
    endesive_sign(approved.convenant, out, "om")
    return out


def test_endesive_signature_is_judged_without_false_alarms(approved, endesive_copy):
    (fv,) = verify(approved.ws, [endesive_copy]).files
    sigs = {s.evidence.field_name: s for s in fv.signatures}
    foreign = [s for s in fv.signatures if s.evidence.subfilter == "/adbe.pkcs7.detached"]
    assert len(foreign) == 1, list(sigs)
    ev = foreign[0].evidence
    assert ev.intact and ev.valid and ev.covers_whole_revision
    assert ev.signer is not None and ev.signer.organisation == "Openbaar Ministerie"
    assert ev.kind.value == "signature"
    # no structural false alarm from the foreign field/appearance/AcroForm update;
    # what remains is what any copy without a signature timestamp gets
    codes = {f.code for f in fv.all_findings() if f.level.blocks}
    assert codes <= {"NO_SIGNATURE_TIMESTAMP", "GOVERNANCE_NOT_CONFIGURED"}, blocking(fv)
    assert "NO_SIGNATURE_TIMESTAMP" in codes  # endesive added no timestamp: still a warning
    assert ev.trusted and ev.indication.value == "TOTAL-PASSED"


def test_endesive_signature_on_a_tampered_copy_fails(approved, endesive_copy, tmp_path):
    data = bytearray(endesive_copy.read_bytes())
    i = data.rfind(b"/Location")
    assert i > 0
    data[i + 11] ^= 0x01  # a byte of the signed /Location string
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(data))
    (fv,) = verify(approved.ws, [bad]).files
    assert not fv.verified
    assert "SIGNATURE_NOT_INTACT" in {f.code for f in fv.all_findings()}


def test_endesive_new_field_after_certification_is_a_named_change(approved, tmp_path):
    """endesive by default creates a new field with a visible widget on page 1. The
    approval certifies with DocMDP P=2 (fill in forms and sign), which covers signing
    the pre-created fields, not adding annotations/fields: pyHanko's difference
    analysis names it, and zvhsign reports it as CHANGED_AFTER_SIGNING -- not as a
    broken signature."""
    out = tmp_path / "new-field.pdf"
    endesive_sign(approved.convenant, out, "om", field=None)
    (fv,) = verify(approved.ws, [out]).files
    (foreign,) = [s for s in fv.signatures if s.evidence.subfilter == "/adbe.pkcs7.detached"]
    assert foreign.evidence.intact and foreign.evidence.valid and foreign.evidence.trusted
    codes = {f.code for f in fv.all_findings() if f.level.blocks}
    assert "CHANGED_AFTER_SIGNING" in codes
    assert not codes & {"SIGNATURE_NOT_INTACT", "SIGNATURE_MALFORMED", "SIGNATURE_INVALID"}


def test_untrusted_endesive_signer_is_untrusted_not_broken(approved, tmp_path):
    out = tmp_path / "untrusted.pdf"
    endesive_sign(approved.convenant, out, "untrusted-signer")
    (fv,) = verify(approved.ws, [out]).files
    (foreign,) = [s for s in fv.signatures if s.evidence.subfilter == "/adbe.pkcs7.detached"]
    assert foreign.evidence.intact and foreign.evidence.valid and not foreign.evidence.trusted
    assert "SIGNER_NOT_TRUSTED" in {f.code for f in foreign.findings}
    assert "SIGNATURE_NOT_INTACT" not in {f.code for f in fv.all_findings()}


@pytest.fixture
def pyhanko_cli(tmp_path):
    """Run pyHanko's CLI (``pyhanko sign addsig ... pemder``) with the OM's key as PEM files."""
    pyhanko = Path(sys.executable).with_name("pyhanko")
    if not pyhanko.exists():
        pytest.skip("pyhanko-cli is not installed (test extra)")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = tmp_path / "om.key.pem"
    k, _cert, chain = pkcs12.load_key_and_certificates((certs_dir() / "out" / "om.p12").read_bytes(), PASS)
    key.write_bytes(k.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    chain_pem = tmp_path / "chain.pem"
    chain_pem.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain or []))

    def run(src: Path, out: Path, *options: str) -> None:
        res = subprocess.run(
            [str(pyhanko), "sign", "addsig", "--field", "ZVH_Handtekening_02", *options, "pemder",
             "--no-pass", "--key", str(key), "--cert", str(certs_dir() / "out" / "om.cert.pem"),
             "--chain", str(chain_pem), str(src), str(out)],
            capture_output=True, text=True, timeout=120,
        )
        assert res.returncode == 0, res.stderr

    return run


def test_pyhanko_cli_signature_into_a_free_field(approved, pyhanko_cli, tmp_path):
    out = tmp_path / "convenant-pyhanko-cli.pdf"
    pyhanko_cli(approved.convenant, out)
    (fv,) = verify(approved.ws, [out]).files
    (partner,) = [s for s in fv.signatures if s.evidence.field_name == "ZVH_Handtekening_02"]
    assert partner.evidence.intact and partner.evidence.valid and partner.evidence.trusted
    # pyHanko's CLI signs Acrobat-style unless told --use-pades
    assert partner.evidence.subfilter == "/adbe.pkcs7.detached" and partner.evidence.pades_level is None
    codes = {f.code for f in fv.all_findings() if f.level.blocks}
    assert codes <= {"NO_SIGNATURE_TIMESTAMP", "GOVERNANCE_NOT_CONFIGURED"}, blocking(fv)


def test_pyhanko_cli_pades_signature_with_a_timestamp(approved, pyhanko_cli, tmp_path):
    """``--use-pades`` makes an ETSI.CAdES.detached signature; with the test TSA
    (reached by its real local address) it is PAdES B-T."""
    from zvhsign.domain.evidence import Indication
    from zvhsign.testpki import TSA_URL, LocalTestPKI

    out = tmp_path / "convenant-pyhanko-cli-pades.pdf"
    with LocalTestPKI() as pki:
        pyhanko_cli(approved.convenant, out, "--use-pades", "--timestamp-url", pki.local_url(TSA_URL))
    (fv,) = verify(approved.ws, [out]).files
    (partner,) = [s for s in fv.signatures if s.evidence.field_name == "ZVH_Handtekening_02"]
    ev = partner.evidence
    assert ev.subfilter == "/ETSI.CAdES.detached" and ev.pades_level == "B-T"
    assert ev.indication is Indication.TOTAL_PASSED, blocking(fv)
    assert ev.signature_timestamp is not None and ev.signature_timestamp.ok
    assert ev.best_signature_time == ev.signature_timestamp.time
    codes = {f.code for f in fv.all_findings() if f.level.blocks}
    assert codes <= {"GOVERNANCE_NOT_CONFIGURED"}, blocking(fv)
