"""Independent opinions on signatures made by ``zvhsign sign`` / ``approve``:
pyHanko's own validator (fed only the test root and the file's embedded
validation data) and poppler's ``pdfsig``; and zvhsign's verify on the same files."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess

import pytest

from zvhsign.testpki import certs_dir


def _root():
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(certs_dir() / "out" / "zvh-root.cert.pem"))


def _pyhanko_statuses(data: bytes):
    """pyHanko's own validator, with the test root and the file's DSS only (no fetching)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(data))
    sigs = list(reader.embedded_regular_signatures)

    def vc():
        return DocumentSecurityStore.read_dss(reader).as_validation_context(
            {"trust_roots": [_root()], "allow_fetching": False, "revocation_mode": "hard-fail"}
        )

    async def run():
        return [
            await async_validate_pdf_signature(
                s, signer_validation_context=vc(), ts_validation_context=vc()
            )
            for s in sigs
        ]

    return sigs, asyncio.run(run())


def test_pyhanko_validator_accepts_zvhsign_signatures(signed_convenant):
    sigs, statuses = _pyhanko_statuses(signed_convenant.read_bytes())
    assert [s.field_name for s in sigs] == ["ZVH_Goedkeuring", "ZVH_Handtekening_01"]
    for st in statuses:
        assert st.intact and st.valid, st.pretty_print_details()
        assert st.trusted and st.revoked is False, st.pretty_print_details()
        assert st.timestamp_validity is not None and st.timestamp_validity.trusted
    certification, partner = statuses
    assert certification.docmdp_ok is True
    assert partner.signing_cert.subject.native["common_name"] == "Saskia Terpstra"


def _pdfsig_blocks(path) -> dict[str, str]:
    out = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=False
    ).stdout
    blocks = {}
    for block in re.split(r"\nSignature #\d+:\n", out)[1:]:
        m = re.search(r"Signature Field Name: (\S+)", block)
        if m:
            blocks[m.group(1)] = block
    return blocks


@pytest.mark.requires_tool("pdfsig")
def test_pdfsig_reports_zvhsign_signatures_valid(signed_convenant):
    blocks = _pdfsig_blocks(signed_convenant)
    for name in ("ZVH_Goedkeuring", "ZVH_Handtekening_01"):
        assert "Signature Type: ETSI.CAdES.detached" in blocks[name]
        assert "Signature Validation: Signature is Valid." in blocks[name], blocks[name]


@pytest.mark.requires_tool("pdfsig")
def test_pdfsig_agrees_a_flipped_byte_breaks_the_signature(signed_convenant, tmp_path):
    data = bytearray(signed_convenant.read_bytes())
    m = list(re.finditer(rb"/M \(D\\072(\d)", bytes(data)))[-1]
    data[m.start(1) + 5] = ord("1") if data[m.start(1) + 5] != ord("1") else ord("2")
    broken = tmp_path / "flipped.pdf"
    broken.write_bytes(bytes(data))
    blocks = _pdfsig_blocks(broken)
    assert "Signature is Valid." in blocks["ZVH_Goedkeuring"]
    assert "Digest Mismatch." in blocks["ZVH_Handtekening_01"]


def test_zvhsign_verify_agrees(approved, signed_convenant):
    from zvhsign.services.operations import verify

    (fv,) = verify(approved.ws, [signed_convenant]).files
    assert fv.verified, fv.all_findings()
    by_field = {s.evidence.field_name: s for s in fv.signatures}
    assert by_field["ZVH_Goedkeuring"].evidence.kind.value == "certification"
    partner = by_field["ZVH_Handtekening_01"].evidence
    assert partner.pades_level == "B-LTA"
    assert partner.signature_timestamp is not None and partner.signature_timestamp.ok
    # the claim and the evidence are reported apart; the timestamp is not before the claim
    assert partner.claimed_signing_time is not None
    assert partner.signature_timestamp.time >= partner.claimed_signing_time.replace(microsecond=0)
