"""Signing with PKCS#12, PEM and a SoftHSM2 token; the visible appearance; the pre-flight.

Every signed copy is verified with zvhsign's own verify; the appearance text is
extracted from the rendered signature page with poppler (pdftotext), and the
page is rendered to PNG to check the slot is drawn in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from zvhsign.domain.documents import PadesLevel
from zvhsign.services.keys import KeySource
from zvhsign.services.operations import verify
from zvhsign.services.signing import sign
from zvhsign.testpki import certs_dir

CAPACITY = "namens het college van burgemeester en wethouders van Haarlem"


def _assert_verified(ws, path: Path) -> None:
    batch = verify(ws, [path])
    f = batch.files[0]
    assert f.verified, [(x.code, x.message) for x in f.findings] + [
        (s.evidence.field_name, [x.code for x in s.findings]) for s in f.signatures
    ]


def _page_text(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout


def _last_page(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def test_sign_with_pkcs12_visible_with_capacity(approved, passphrase, tmp_path):
    out = tmp_path / "haarlem.pdf"
    shown = []
    result = sign(
        approved.ws, approved.convenant, approved.key("haarlem-burgemeester", passphrase), out,
        capacity=CAPACITY, show=shown.append,
    )
    assert result.written and result.field_name == "ZVH_Handtekening_01"
    assert shown and shown[0].signer.common_name == "Willemijn Bosschaart"
    _assert_verified(approved.ws, out)


@pytest.mark.requires_tool("pdftotext")
@pytest.mark.requires_tool("pdftoppm")
def test_appearance_text_on_the_rendered_signature_page(approved, passphrase, tmp_path):
    out = tmp_path / "haarlem.pdf"
    sign(approved.ws, approved.convenant, approved.key("haarlem-burgemeester", passphrase), out,
         capacity=CAPACITY)
    page = _last_page(out)
    text = " ".join(_page_text(out, page).split())
    assert "Digitale ondertekening" in text  # the signature page stamp appended
    assert "Digitaal ondertekend door Willemijn Bosschaart" in text
    assert "burgemeester, Gemeente Haarlem" in text
    assert CAPACITY in text
    assert "Datum:" in text
    # rendered: the first slot holds ink (the appearance), the same slot in the approved copy doesn't
    from zvhsign.pdf.fields import partner_slot

    def slot_ink(pdf: Path) -> int:
        from PIL import Image

        prefix = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "144", "-png",
                        "-singlefile", str(pdf), str(prefix)], check=True)
        im = Image.open(f"{prefix}.png").convert("L")
        _p, (x1, y1, x2, y2) = partner_slot(1, im.width / 2, im.height / 2)
        x1, y1, x2, y2 = (2 * v for v in (x1, y1, x2, y2))  # 144 dpi: 2 pixels a point
        box = im.crop((int(x1) + 6, int(im.height - y2) + 6, int(x2) - 6, int(im.height - y1) - 6))
        return sum(box.histogram()[:160])  # dark pixels inside the frame

    assert slot_ink(out) > 300
    assert slot_ink(approved.convenant) == 0


@pytest.mark.requires_tool("pdftotext")
def test_invisible_leaves_the_slot_empty(approved, passphrase, tmp_path):
    out = tmp_path / "om-invisible.pdf"
    result = sign(approved.ws, approved.convenant, approved.key("om", passphrase), out, visible=False)
    assert result.written
    assert "Digitaal ondertekend" not in _page_text(out, _last_page(out))
    _assert_verified(approved.ws, out)


def test_sign_with_pem_key_and_chain(approved, tmp_path):
    certs = certs_dir()
    key = KeySource(
        pem_key=certs / "keys" / "politie.key.pem", pem_cert=certs / "out" / "politie.cert.pem",
        pem_chain=(certs / "out" / "zvh-ca.cert.pem",),
    )
    out = tmp_path / "politie.pdf"
    sign(approved.ws, approved.protocol, key, out)
    _assert_verified(approved.ws, out)


def test_sign_with_softhsm_token(approved, softhsm_token, tmp_path):
    out = tmp_path / "om-token.pdf"
    result = sign(approved.ws, approved.convenant, softhsm_token.key(), out)
    assert result.written and result.level is PadesLevel.B_LTA
    assert "PKCS#11" in result.preflight.key
    _assert_verified(approved.ws, out)


def test_second_signer_takes_the_next_slot(approved, passphrase, signed_convenant, tmp_path):
    out = tmp_path / "two.pdf"
    result = sign(approved.ws, signed_convenant, approved.key("ggz", passphrase), out)
    assert result.field_name == "ZVH_Handtekening_02"
    assert result.preflight.partner_signatures == 1
    _assert_verified(approved.ws, out)


def test_dry_run_shows_the_preflight_and_writes_nothing(approved, passphrase, tmp_path):
    out = tmp_path / "never.pdf"
    before = approved.convenant.read_bytes()
    shown = []
    result = sign(approved.ws, approved.convenant, approved.key("rvdk", passphrase), out,
                  dry_run=True, show=shown.append)
    assert not result.written and not out.exists()
    assert approved.convenant.read_bytes() == before
    pf = shown[0]
    av = approved.versions[pf.approved.document]
    assert pf.approved.approved_sha256 == av.approved_sha256
    assert str(pf.approved.decided_on) == "2026-11-02"
    assert pf.signer.organisation == "Raad voor de Kinderbescherming"
    assert pf.certificate_valid_now and pf.key_usage_ok
    assert "non_repudiation" in pf.signer.key_usage
    assert pf.level is PadesLevel.B_LTA and pf.tsa_problem is None
    assert list(tmp_path.iterdir()) == []
