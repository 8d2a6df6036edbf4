"""The machtigingsbesluit PDF: model text filled in, machine-readable terms, two visible fields."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind
from zvhsign.domain.mandates import (
    BURGEMEESTER_FIELD,
    SECRETARIS_FIELD,
    MandateCoverage,
    MandateTerms,
)
from zvhsign.errors import InputError
from zvhsign.pdf.mandate import ni_uri, parse_ni_uri, read_mandate_terms, render_mandate

TERMS = MandateTerms(
    "Haarlem", "Willemijn Bosschaart", date(2026, 11, 10),
    (MandateCoverage(DocumentKind.CONVENANT, "1.0", Sha256("a" * 64)),
     MandateCoverage(DocumentKind.PROTOCOL, "1.0", Sha256("b" * 64))),
)


@pytest.fixture(scope="module")
def draft() -> bytes:
    return render_mandate(TERMS)


def test_terms_read_back(draft):
    assert read_mandate_terms(draft) == TERMS


def test_two_visible_signature_fields_on_the_last_page(draft):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(draft))
    fields = {name: ref.get_object() for name, _v, ref in enumerate_sig_fields(reader)}
    assert set(fields) == {SECRETARIS_FIELD, BURGEMEESTER_FIELD}
    for f in fields.values():
        x1, y1, x2, y2 = (float(v) for v in f["/Rect"])
        assert x2 - x1 > 100 and y2 - y1 > 40 and y1 < 200  # a real box at the bottom


@pytest.mark.requires_tool("pdftotext")
def test_reads_like_the_model_decision(draft, tmp_path):
    (tmp_path / "m.pdf").write_bytes(draft)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "m.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for phrase in ("Burgemeester en wethouders van de gemeente Haarlem", "overwegende:", "machtigen",
                   "burgemeester Willemijn Bosschaart om het Samenwerkingsconvenant",
                   "Haarlem, 10 november 2026", "de secretaris,", "de burgemeester,", "a" * 20):
        assert phrase in flat, phrase


def test_pdf_without_terms_is_refused():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "not a mandate")
    c.save()
    with pytest.raises(InputError, match="not a machtigingsbesluit"):
        read_mandate_terms(buf.getvalue())


def test_ni_uri_round_trip_and_rejects_other_schemes():
    h = "fe" * 32
    assert ni_uri(h).startswith("ni:///sha-256;")
    assert parse_ni_uri(ni_uri(h)) == h
    assert parse_ni_uri(ni_uri(h).replace("ni:///", "ni:/")) == h
    assert parse_ni_uri("https://example.org/" + h) is None
    assert parse_ni_uri("ni:///sha-256;AAAA") is None
