"""The page in a real headless Chromium: intake verdicts, the status matrix, recording,
and what a partner account may see."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.xdist_group("web")


def articles(page):
    return page.query_selector_all("article.copy")


def test_valid_copy_is_accepted(page, local_site, web_world, ui):
    ui.upload(page, local_site, [web_world.valid])
    (art,) = articles(page)
    assert art.get_attribute("data-outcome") == "geaccepteerd"
    assert art.query_selector(".verdict").inner_text().startswith("Geaccepteerd")
    assert "Fatima El Amrani" in art.inner_text()  # who signed, from the verdict's attribution
    # the technical detail is behind a click
    details = art.query_selector("details")
    assert not details.evaluate("d => d.open")
    details.query_selector("summary").click()
    assert "TOTAL-PASSED" in details.inner_text()
    # the eIDAS qualification per signature, in the report's words
    quals = details.query_selector_all(".qualification")
    assert quals and all(q.get_attribute("data-level") == "NOT-ASSESSED" for q in quals)
    assert "Kwalificatie (eIDAS): niet beoordeeld" in quals[0].inner_text()
    assert "ondertekend door Fatima El Amrani" in art.inner_text()


def test_tampered_copy_is_not_accepted_with_the_finding(page, local_site, web_world, ui):
    ui.upload(page, local_site, [web_world.tampered])
    (art,) = articles(page)
    assert art.get_attribute("data-outcome") == "niet-geaccepteerd"
    verdict = art.query_selector(".verdict").inner_text()
    assert verdict.startswith("Niet geaccepteerd: CONTENT_CHANGED_AFTER_APPROVAL")
    assert "Wat te doen" in art.inner_text()


def test_non_pdf_gets_a_clear_message(page, local_site, web_world, ui):
    ui.upload(page, local_site, [web_world.not_pdf])
    (art,) = articles(page)
    assert art.get_attribute("data-outcome") == "niet-geaccepteerd"
    assert "dit bestand is geen PDF" in art.query_selector(".verdict").inner_text()


def test_mixed_batch_shows_each_verdict_and_screenshot(page, local_site, web_world, ui):
    ui.upload(page, local_site, [web_world.valid, web_world.tampered, web_world.not_pdf])
    outcomes = [a.get_attribute("data-outcome") for a in articles(page)]
    assert outcomes == ["geaccepteerd", "niet-geaccepteerd", "niet-geaccepteerd"]
    articles(page)[1].query_selector("summary").click()  # show the detail of the tampered copy
    ui.screenshot(page, "web-intake.png")


def test_status_page_shows_the_matrix(page, local_site, web_world, ui):
    page.goto(f"{local_site.url}/status")
    rows = {r.get_attribute("data-partner"): r for r in page.query_selector_all("#matrix tbody tr")}
    assert set(rows) == {"haarlem", "zandvoort", "om", "politie", "rvdk", "ggz", "reclassering"}
    states = lambda key: [c.get_attribute("data-state") for c in rows[key].query_selector_all("td.cell")]  # noqa: E731
    assert states("om") == ["signed", "signed"]
    assert states("politie")[0] == "signed"
    assert states("ggz") == ["missing", "missing"]
    # the report's words for the matrix states (reports/words.py): "ondertekend", not "getekend"
    assert "ondertekend" in rows["om"].inner_text() and "Saskia Terpstra" in rows["om"].inner_text()
    assert "getekend" not in page.inner_text("#matrix").replace("ondertekend", "")
    assert "ontbreekt" in rows["haarlem"].inner_text()  # no mandate registered
    assert "geldend" in page.query_selector("table.versions").inner_text()
    # the page renders services.governance.status: the same states as its JSON
    doc = json.loads(page.request.get(f"{local_site.url}/status.json").text())
    by_key = {p["partner"]: [d["state"] for d in p["documents"].values()] for p in doc["partners"]}
    assert all(by_key[k] == states(k) for k in rows)
    ui.screenshot(page, "web-status.png")


def test_secretariat_records_accepted_copies_naming_the_web_user(page, account_site, web_world, ui):
    from zvhsign.services.registry_access import open_registry

    ui.login(page, account_site, "secretariaat")
    ui.upload(page, account_site, [web_world.politie_protocol, web_world.not_pdf])
    page.click("#vastleggen")
    page.wait_for_selector(".notice")
    assert "1 geaccepteerde kopie" in page.inner_text(".notice")
    assert "vastgelegd in het register" in articles(page)[0].inner_text()
    events = [e for e in open_registry(web_world.ws).events() if e.action == "record-copy"]
    assert events[-1].actor == "web:secretariaat"
    page.goto(f"{account_site.url}/status")
    row = page.query_selector("#matrix tr[data-partner=politie]")
    assert [c.get_attribute("data-state") for c in row.query_selector_all("td.cell")] == ["signed", "signed"]


def test_partner_cannot_record_nor_see_other_partners_uploads(browser, account_site, web_world, ui):
    om = browser.new_context().new_page()
    om.set_default_timeout(180_000)
    ui.login(om, account_site, "om")
    ui.upload(om, account_site, [web_world.valid])
    om_intake = om.url
    assert re.search(r"/inname/[\w-]+$", om_intake)
    assert om.query_selector("#vastleggen") is None  # no record button for a partner
    # a forged record request with the partner's own valid CSRF token is refused
    token = om.get_attribute("input[name=csrf]", "value")
    resp = om.request.post(f"{om_intake}/vastleggen", form={"csrf": token}, max_redirects=0)
    assert resp.status == 403
    # the partner's status shows only its own row
    om.goto(f"{account_site.url}/status")
    assert [r.get_attribute("data-partner") for r in om.query_selector_all("#matrix tbody tr")] == ["om"]
    assert om.request.get(f"{account_site.url}/rapport.json", max_redirects=0).status == 403

    politie = browser.new_context().new_page()
    ui.login(politie, account_site, "politie")
    resp = politie.goto(om_intake)
    assert resp.status == 404
    assert "niet van u" in politie.inner_text("main")
    assert politie.request.get(f"{om_intake}/kopie/0.json").status == 404
    politie.goto(f"{account_site.url}/inname")
    assert om_intake.rsplit("/", 1)[1] not in politie.content()  # not listed either
    # the secretariat sees it
    sec = browser.new_context().new_page()
    ui.login(sec, account_site, "secretariaat")
    assert sec.goto(om_intake).status == 200
    # and downloads the audit report of the recorded copies (services.reporting + zvhsign.reports)
    sec.goto(f"{account_site.url}/rapport")
    report = sec.request.get(f"{account_site.url}/rapport.json")
    assert report.status == 200 and "attachment" in report.headers["content-disposition"]
    assert json.loads(report.text())["schema"] == "zvhsign.report/1"
    html = sec.request.get(f"{account_site.url}/rapport.html")
    # the official the workspace names is responsible; the web user asked for it
    assert html.status == 200 and "secretariaat (via zvhsign serve)" in html.text()
    assert "J. de Vries (Functionaris voor de gegevensbescherming)" in html.text()
    for p in (om, politie, sec):
        p.context.close()


def test_anonymous_visitor_is_sent_to_login(page, account_site):
    page.goto(f"{account_site.url}/status")
    assert page.url.endswith("/inloggen")
    page.fill("input[name=naam]", "om")
    page.fill("input[name=wachtwoord]", "fout-wachtwoord-123")
    page.click("button[type=submit]")
    assert "klopt niet" in page.inner_text(".error")


def test_page_runs_no_inline_script_and_sends_security_headers(page, local_site):
    resp = page.goto(f"{local_site.url}/inname")
    h = resp.headers
    assert "script-src 'self'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert page.query_selector_all("script:not([src])") == []
