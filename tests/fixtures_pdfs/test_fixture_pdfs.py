"""Checks on the fictional fixture PDFs in fixtures/ and on their generator."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
GENERATOR = FIXTURES / "generate.py"

MM = 72 / 25.4
FREE_BOTTOM = 20 * MM  # zvhsign's stamp zone at the bottom of every page
FREE_TOP = 15 * MM  # ... and at the top

# filename -> (title, phrases that must appear in the extracted text)
DOCUMENTS = {
    "samenwerkingsconvenant-1.0.pdf": (
        "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland",
        ["versie 1.0", "De ondergetekenden", "Overwegende dat",
         "Artikel 6 Privacy en gegevensdeling",
         "Artikel 9 Slotbepalingen", "Aldus overeengekomen en ondertekend",
         "opzegtermijn van zes maanden"],
    ),
    "samenwerkingsconvenant-1.1.pdf": (
        "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland",
        ["versie 1.1", "De ondergetekenden", "Artikel 6 Privacy en gegevensdeling",
         "Artikel 9 Slotbepalingen", "Aldus overeengekomen en ondertekend",
         "opzegtermijn van drie maanden"],
    ),
    "privacyprotocol-1.0.pdf": (
        "Privacy Protocol Zorg&Veiligheidshuis Kennemerland",
        ["versie 1.0", "Artikel 3 Uitgangspunten", "Artikel 5 Juridische grondslagen",
         "Artikel 6 Rechten van betrokkenen", "Wet verplichte geestelijke gezondheidszorg",
         "Artikel 12 Slotbepalingen", "Aldus overeengekomen en ondertekend"],
    ),
}
PAGE_RANGES = {
    "samenwerkingsconvenant-1.0.pdf": range(4, 7),
    "samenwerkingsconvenant-1.1.pdf": range(4, 7),
    "privacyprotocol-1.0.pdf": range(5, 8),
}

PDFTOTEXT = shutil.which("pdftotext")


def needs_pdftotext(test):
    """Skip (with a reason) when poppler's pdftotext is missing; CI treats that skip as failure."""
    test = pytest.mark.skipif(
        PDFTOTEXT is None,
        reason="pdftotext (poppler-utils) is not installed; cannot extract text from the fixtures",
    )(test)
    return pytest.mark.requires_tool("pdftotext")(test)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_generator(out_dir: Path) -> None:
    # A conflicting SOURCE_DATE_EPOCH in the caller's environment must not leak into the output.
    env = dict(os.environ, SOURCE_DATE_EPOCH="1")
    subprocess.run([sys.executable, str(GENERATOR), str(out_dir)], check=True, env=env,
                   capture_output=True, text=True)


def _generator_reportlab_version() -> str:
    match = re.search(r'^GENERATED_WITH_REPORTLAB = "([^"]+)"', GENERATOR.read_text(), re.M)
    assert match, "generate.py must define GENERATED_WITH_REPORTLAB"
    return match.group(1)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixtures-regenerated")
    _run_generator(out)
    return out


def _pdftotext(*args: str) -> str:
    result = subprocess.run([PDFTOTEXT, *args], check=True, capture_output=True, text=True)
    return result.stdout


# ------------------------------------------------------------------ reproducibility

def test_generator_writes_every_fixture(regenerated):
    assert sorted(p.name for p in regenerated.glob("*.pdf")) == sorted(DOCUMENTS)


def test_generator_is_deterministic(regenerated, tmp_path):
    _run_generator(tmp_path)
    for name in DOCUMENTS:
        assert _sha256(tmp_path / name) == _sha256(regenerated / name), name


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_generator_reproduces_committed_file(regenerated, name):
    import reportlab

    expected = _generator_reportlab_version()
    if reportlab.Version != expected:
        pytest.skip(f"fixtures were generated with reportlab {expected}, installed is "
                    f"{reportlab.Version}; byte equality is only guaranteed for the same version")
    committed = FIXTURES / name
    assert committed.is_file(), f"{committed} missing: run python fixtures/generate.py"
    assert _sha256(regenerated / name) == _sha256(committed), (
        f"{name} differs from the generator output; rerun python fixtures/generate.py "
        "and commit the result"
    )


# ------------------------------------------------------------------ structure

@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_pdf_opens_and_has_expected_pages_and_metadata(name):
    title, _ = DOCUMENTS[name]
    with pikepdf.open(FIXTURES / name) as pdf:
        assert len(pdf.pages) >= 4
        assert len(pdf.pages) in PAGE_RANGES[name]
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            assert (round(x1 - x0), round(y1 - y0)) == (595, 842)  # A4
        info = pdf.docinfo
        assert str(info["/Title"]) == title
        assert str(info["/Author"]) == "Zorg&Veiligheidshuis Kennemerland"
        assert "fictief" in str(info["/Subject"])
        assert "/AcroForm" not in pdf.Root  # no form fields / signatures yet
        assert not pdf.is_encrypted


def test_versions_differ():
    assert _sha256(FIXTURES / "samenwerkingsconvenant-1.0.pdf") != _sha256(
        FIXTURES / "samenwerkingsconvenant-1.1.pdf")


# ------------------------------------------------------------------ text (pdftotext)

@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@needs_pdftotext
def test_text_contains_title_and_articles(name):
    title, phrases = DOCUMENTS[name]
    text = " ".join(_pdftotext("-enc", "UTF-8", str(FIXTURES / name), "-").split())
    assert title in text
    for phrase in phrases:
        assert phrase in text, phrase
    assert "Fictief testdocument" in text


@needs_pdftotext
def test_version_1_1_amends_article_7_only():
    def article(name: str, number: int) -> str:
        text = " ".join(_pdftotext("-enc", "UTF-8", str(FIXTURES / name), "-").split())
        start = text.index(f"Artikel {number} ")
        end = text.index(f"Artikel {number + 1} ", start)
        # drop running headers / page numbers that may fall inside the article
        text = re.sub(r"Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland – versie 1\.[01] "
                      r"Zorg&Veiligheidshuis Kennemerland", "", text[start:end])
        return " ".join(re.sub(r"pagina \d+ van \d+", "", text).split())

    old, new = "samenwerkingsconvenant-1.0.pdf", "samenwerkingsconvenant-1.1.pdf"
    assert article(old, 7) != article(new, 7)
    for number in (1, 2, 3, 4, 5, 6, 8):
        assert article(old, number) == article(new, number), f"Artikel {number}"


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@needs_pdftotext
def test_stamp_zones_are_free_of_text(name):
    bbox = _pdftotext("-bbox", "-enc", "UTF-8", str(FIXTURES / name), "-")
    pages = _PAGE.findall(bbox)
    assert len(pages) in PAGE_RANGES[name]
    for number, (_, height, body) in enumerate(pages, start=1):
        height = float(height)
        words = _WORD.findall(body)
        assert words, f"page {number} has no text"
        for _, y_min, _, y_max, word in words:
            # pdftotext's y axis runs downwards from the top edge
            assert float(y_max) <= height - FREE_BOTTOM, (
                f"page {number}: {html.unescape(word)!r} lies in the bottom 20 mm")
            assert float(y_min) >= FREE_TOP, (
                f"page {number}: {html.unescape(word)!r} lies in the top 15 mm")
