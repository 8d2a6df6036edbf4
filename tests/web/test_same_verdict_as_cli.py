"""For every copy of a mixed batch, the verdict on the page is `zvhsign verify --json`'s:
the same outcome, per signature the same indication, the same finding codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("web")

ZVHSIGN = Path(sys.executable).with_name("zvhsign")


def expected_outcome(f: dict) -> str:
    """The page's three outcomes, from the CLI's JSON (docs/verify-json.md)."""
    if f["status"] == "VERIFIED":
        return "geaccepteerd"
    if f["status"] == "ERROR":
        return "niet-geaccepteerd"
    levels = [x["level"] for x in f["findings"]] + [x["level"] for s in f["signatures"] for x in s["findings"]]
    indications = {s["indication"] for s in f["signatures"]}
    if "FAIL" in levels or "TOTAL-FAILED" in indications:
        return "niet-geaccepteerd"
    return "nog-niet" if "INDETERMINATE" in indications else "niet-geaccepteerd"


def test_page_verdicts_equal_verify_json(page, local_site, web_world, ui):
    files = web_world.mixed
    ui.upload(page, local_site, files)
    cli = subprocess.run([str(ZVHSIGN), "--workspace", str(web_world.ws.root), "verify", "--json",
                          *map(str, files)], capture_output=True, text=True, timeout=900)
    assert cli.returncode in (1, 3) and cli.stdout.strip(), cli.stderr
    expected = json.loads(cli.stdout)["files"]
    shown = page.query_selector_all("article.copy")
    assert len(shown) == len(expected) == len(files)
    outcomes = set()
    for n, (art, f) in enumerate(zip(shown, expected)):
        assert art.query_selector("h2").inner_text() == Path(f["path"]).name
        outcome = art.get_attribute("data-outcome")
        outcomes.add(outcome)
        assert outcome == expected_outcome(f), f["path"]
        file_codes = [r.get_attribute("data-code") for r in art.query_selector_all("table.file-findings tr[data-code]")]
        assert file_codes == [x["code"] for x in f.get("findings", [])], f["path"]
        sigs = art.query_selector_all("section.signature")
        assert [(s.get_attribute("data-field"), s.get_attribute("data-indication")) for s in sigs] == [
            (s["field"], s["indication"]) for s in f.get("signatures", [])], f["path"]
        for sec, s in zip(sigs, f.get("signatures", [])):
            assert [r.get_attribute("data-code") for r in sec.query_selector_all("tr[data-code]")] == [
                x["code"] for x in s["findings"]], (f["path"], s["field"])
        # the per-copy JSON download is the same verdict object
        mine = json.loads(page.request.get(f"{page.url}/kopie/{n}.json").text())
        assert mine["status"] == f["status"]
        assert [x["code"] for x in mine.get("findings", [])] == [x["code"] for x in f.get("findings", [])]
        assert [(s["indication"], [x["code"] for x in s["findings"]]) for s in mine.get("signatures", [])] == [
            (s["indication"], [x["code"] for x in s["findings"]]) for s in f.get("signatures", [])]
    assert {"geaccepteerd", "niet-geaccepteerd"} <= outcomes  # a mixed batch indeed
