"""The report a privacy officer reads at a glance (issue 12 item 7), checked on the signed
PDF itself with poppler: page 1 carries the partner × document matrix in coloured cells and
the counts; every table keeps its right-most column on every page it runs over; no text runs
outside the page; signature cards several to a page; subjects as names, never OIDs; times in
Dutch local time; the responsible official from the workspace; the eIDAS qualification."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from zvhsign.domain.status import CellState

pytestmark = [pytest.mark.requires_tool("pdftotext"), pytest.mark.requires_tool("pdfinfo")]

MM = 72 / 25.4
MARGIN_MIN = 12 * MM  # the smallest left/right page margin of the report's @page rules

# (the left-most header, the right-most header) of each table with column headers
TABLES = {
    "versies": ("Besluitdatum", "Geldige partnerhandtekeningen"),
    "partners": ("Ondertekenaar", "Ontbreekt nog"),
    "kopieën": ("Bestand en SHA-256", "Partnerhandtekeningen"),
}


def _norm(text: str) -> str:
    """pdftotext text with hyphenation and line breaks undone, for phrase matching."""
    text = re.sub("[\u00ad\u2010-]\n", "", text.replace("\u00ad", ""))  # pdftotext writes U+2010
    return re.sub(r"\s+", " ", text)


def _bbox_pages(pdf: Path):
    """(width, height, [(xMin, yMin, xMax, yMax, word)]) per page, from pdftotext -bbox."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(xhtml)
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")),
                  w.text or "") for w in page.findall("h:word", ns)]
        yield float(page.get("width")), float(page.get("height")), words


def test_page_one_is_the_summary_with_the_matrix(report_world) -> None:
    r = report_world.report
    page1 = _norm(report_world.page_text(1))
    assert "Overzicht: wie heeft wat ondertekend" in page1
    for row in r.matrix:
        assert row.partner in page1
    for title in r.matrix_documents:
        assert _norm(title) in page1
    # the counts: the tiles and the number of cells per state
    for n, what, _tone in r.tiles:
        assert n in page1 and what in page1
    assert "ondertekend:" in page1 and "ontbreekt:" in page1
    states = {c.state for row in r.matrix for c in row.cells}
    assert CellState.SIGNED.value in states and CellState.MISSING.value in states
    assert len(states) >= 3, states  # the mayor without a mandate makes a third state
    # not the detail: the partner table and the signature cards start on later pages
    assert "Ontbreekt nog" not in page1 and "Archiefregeling" not in page1


@pytest.mark.requires_tool("pdftoppm")
def test_matrix_cells_are_coloured(report_world, tmp_path) -> None:
    """Page 1 rendered: the cell colours of the states present are there (green = signed)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(report_world.pdf),
                    str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p-*.png")
    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    count = {rgb: n for n, rgb in colours}

    def near(target, tol=6) -> int:  # noqa: ANN001
        return sum(n for rgb, n in count.items() if all(abs(a - b) <= tol for a, b in zip(rgb, target)))

    assert near((0xCF, 0xEA, 0xD6)) > 500  # td.signed
    states = {c.state for row in report_world.report.matrix for c in row.cells}
    if CellState.INVALID.value in states:
        assert near((0xF6, 0xCF, 0xD0)) > 200  # td.invalid
    if CellState.INDETERMINATE.value in states:
        assert near((0xE4, 0xE4, 0xE4)) > 200  # td.indeterminate


def test_every_page_shows_the_right_most_column_headers(report_world) -> None:
    """Where a table with column headers runs, its right-most header is on the page too
    (the header row repeats on every page, nothing runs off the right edge)."""
    pages = [_norm(report_world.page_text(n)) for n in range(1, report_world.page_count() + 1)]
    seen = {name: 0 for name in TABLES}
    for text in pages:
        for name, (left, right) in TABLES.items():
            if left in text:
                seen[name] += 1
                assert right in text, f"page with the {name} table lacks its column {right!r}"
    assert all(seen.values()), seen
    # the matrix: its right-most column is the last document
    assert _norm(report_world.report.matrix_documents[-1]) in pages[0]


def test_the_partner_table_is_on_landscape_pages_with_every_partner(report_world) -> None:
    pages = list(_bbox_pages(report_world.pdf))
    wide = [n for n, (w, h, _words) in enumerate(pages, start=1) if w > h]
    assert wide, "no landscape page"
    text = " ".join(_norm(report_world.page_text(n)) for n in wide)
    for n in wide:
        assert "Ontbreekt nog" in _norm(report_world.page_text(n))
    for p in report_world.report.partners:
        assert p.name in text
        for label in p.missing:
            assert label in text


def test_no_text_is_cut_off(report_world) -> None:
    """Every word lies inside its page, between the left and right margins (the footer too):
    no cell runs over the edge. And long values (hashes, file names) are all there."""
    all_words = []
    for n, (w, h, words) in enumerate(_bbox_pages(report_world.pdf), start=1):
        assert words, f"page {n} is empty"
        for x0, y0, x1, y1, word in words:
            assert MARGIN_MIN - 1 <= x0 and x1 <= w - MARGIN_MIN + 1, (n, word, x0, x1, w)
            assert 0 <= y0 and y1 <= h, (n, word, y0, y1, h)
        all_words.append("".join(word for *_xy, word in words))
    joined = "".join(all_words).replace("\u00ad", "").replace("-", "")
    r = report_world.report
    for v in r.versions:
        assert v.approved_sha256 in joined and v.source_sha256 in joined
    for f in r.files:
        assert f.sha256 in joined
        assert Path(f.file).name.replace("-", "") in joined
    for s in r.signatures:
        if s.certificate:
            assert s.certificate.fingerprint_sha256 in joined


def test_signature_cards_are_several_to_a_page(report_world) -> None:
    r = report_world.report
    per_page = []
    for n in range(1, report_world.page_count() + 1):
        text = _norm(report_world.page_text(n))
        per_page.append(len(re.findall(r"Archiefregeling art\. 24 Houder", text)))
    assert sum(per_page) == len(r.signatures) >= 6
    pages_with_cards = [c for c in per_page if c]
    assert max(pages_with_cards) >= 3
    assert len(pages_with_cards) <= -(-len(r.signatures) // 2)  # at least two a page on average


def test_subjects_are_names_and_no_oid_shows(report_world, tmp_path) -> None:
    from zvhsign.reports.render import render_html, render_json

    r = report_world.report
    texts = [render_html(r), render_json(r)] + [
        report_world.page_text(n) for n in range(1, report_world.page_count() + 1)]
    for text in texts:
        assert not re.search(r"\b2\.5\.4\.\d+", text), "a raw attribute OID in the report"
        assert not re.search(r"\b\d+(\.\d+){3,}\s*=", text), "an OID=value pair in the report"
    om = next(s for s in r.signatures if s.signatory == "Saskia Terpstra")
    assert om.holder == "Saskia Terpstra (hoofdofficier van justitie, Openbaar Ministerie)"
    assert om.certificate.holder == "Saskia Terpstra (hoofdofficier van justitie, Openbaar Ministerie)"
    assert "organisatie-identificatie (organizationIdentifier): NTRNL-90000044" in om.certificate.subject
    assert om.certificate.issuer == "ZVH Test Issuing CA - TEST ONLY (ZVH Test PKI (TEST ONLY))"
    secretariat = r.trust.secretariat[0]  # logged as RFC 4514 with OIDs; shown as a name
    assert secretariat.startswith("Annelies van Dijk (Secretaris ZVH, Zorg&Veiligheidshuis Kennemerland)")


def test_times_are_dutch_local_time_with_the_zone_named(report_world) -> None:
    from zoneinfo import ZoneInfo

    facts, r = report_world.facts, report_world.report
    local = facts.validated_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert r.generated_at == f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"
    assert local.tzname() in ("CET", "CEST")
    assert r.generated_at_utc == facts.validated_at.isoformat()
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( \w+)?")
    for s in r.signatures:
        for value in (s.signing_time, s.art24.validation_moment):
            m = stamp.search(value)
            assert m and m.group(1) in (" CET", " CEST"), value
    text = "".join(report_world.page_text(n) for n in range(1, report_world.page_count() + 1))
    assert " UTC" not in text.replace("(UTC+1)", "").replace("(UTC+2)", "")
    assert "Europe/Amsterdam" in report_world.page_text(1)


def test_the_responsible_official_comes_from_the_workspace(report_world) -> None:
    r = report_world.report.to_json()
    assert r["responsible"] == "J. de Vries (Functionaris voor de gegevensbescherming)"
    assert {s["art24"]["responsible_official"] for s in r["signatures"]} == {r["responsible"]}
    page1 = _norm(report_world.page_text(1))
    assert "Verantwoordelijke voor de" in page1 and r["responsible"] in page1


def test_each_card_shows_the_eidas_qualification(report_world) -> None:
    """No trusted lists are loaded here: every card says briefly that the qualification was
    not assessed (an assessed level is rendered in test_report_settings and by the demo)."""
    r = report_world.report
    for s in r.signatures:
        q = s.qualification
        assert q.level == "NOT-ASSESSED" and not q.assessed
        assert q.text.startswith("niet beoordeeld — geen EU-vertrouwenslijsten")
    text = " ".join(_norm(report_world.page_text(n)) for n in range(1, report_world.page_count() + 1))
    assert text.count("Kwalificatie (eIDAS)") == len(r.signatures)
    assert text.count("niet beoordeeld — geen EU-vertrouwenslijsten") == len(r.signatures)


def test_report_modules_stay_small() -> None:
    """The report model is split by concern (rows, signature cards, words, names)."""
    pkg = Path(__file__).resolve().parents[2] / "zvhsign" / "reports"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in pkg.glob("*.py")}
    assert all(n <= 400 for n in sizes.values()), sizes
