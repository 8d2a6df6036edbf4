"""The page over HTTP (Starlette's TestClient): CSRF on every form, upload limits,
uploads kept in memory, accounts, and headers."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture(scope="module")
def bare_ws(tmp_path_factory):
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("web-bare") / "ws")


def client(ws, accounts=None, **kw):
    from starlette.testclient import TestClient

    from zvhsign.web import create_app

    return TestClient(create_app(ws, accounts, **kw), base_url="http://127.0.0.1", follow_redirects=False)


def token_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def test_every_form_carries_a_csrf_token(bare_ws, accounts):
    c = client(bare_ws, accounts)
    login = c.get("/inloggen").text
    assert login.count('name="csrf"') == login.count("<form")
    c = client(bare_ws)
    page = c.get("/inname").text
    assert page.count('name="csrf"') == page.count("<form") >= 1


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_upload_without_the_csrf_token_is_refused(bare_ws, token):
    c = client(bare_ws)
    c.get("/inname")  # a session with a token exists, the post just doesn't carry it
    data = {} if token is None else {"csrf": token}
    r = c.post("/inname", data=data, files=[("bestanden", ("a.pdf", b"%PDF-1.7\n", "application/pdf"))])
    assert r.status_code == 403
    assert "formulier" in r.text
    assert c.app.state.store.visible(__import__("zvhsign.web.accounts", fromlist=["LOCAL"]).LOCAL) == []


def test_login_and_logout_without_the_csrf_token_are_refused(bare_ws, accounts, ui):
    c = client(bare_ws, accounts)
    c.get("/inloggen")
    r = c.post("/inloggen", data={"naam": "secretariaat", "wachtwoord": ui.passwords["secretariaat"]})
    assert r.status_code == 403
    assert c.get("/inname").headers["location"] == "/inloggen"  # not logged in
    token = token_of(c.get("/inloggen").text)
    r = c.post("/inloggen", data={"csrf": token, "naam": "secretariaat",
                                  "wachtwoord": ui.passwords["secretariaat"]})
    assert r.status_code == 303 and r.headers["location"] == "/inname"
    assert c.post("/uitloggen", data={}).status_code == 403
    assert c.get("/inname").status_code == 200  # still logged in


def test_wrong_password_and_unknown_name_look_the_same(bare_ws, accounts):
    c = client(bare_ws, accounts)
    token = token_of(c.get("/inloggen").text)
    a = c.post("/inloggen", data={"csrf": token, "naam": "om", "wachtwoord": "niet-het-wachtwoord"})
    b = c.post("/inloggen", data={"csrf": token, "naam": "niemand", "wachtwoord": "niet-het-wachtwoord"})
    assert a.status_code == b.status_code == 401
    assert "Naam of wachtwoord klopt niet." in a.text and "Naam of wachtwoord klopt niet." in b.text


def test_too_many_files_are_refused(bare_ws):
    c = client(bare_ws, max_files=3)
    token = token_of(c.get("/inname").text)
    files = [("bestanden", (f"{i}.pdf", b"%PDF-1.7\n", "application/pdf")) for i in range(4)]
    r = c.post("/inname", data={"csrf": token}, files=files)
    assert r.status_code == 400
    assert "ten hoogste 3" in r.text


def test_too_large_an_upload_is_refused(bare_ws):
    c = client(bare_ws, max_files=2, max_file_bytes=1024)
    token = token_of(c.get("/inname").text)
    r = c.post("/inname", data={"csrf": token},
               files=[("bestanden", ("groot.pdf", b"%PDF-" + b"x" * 200_000, "application/pdf"))])
    assert r.status_code == 413


def test_an_empty_choice_is_a_clear_message(bare_ws):
    c = client(bare_ws)
    token = token_of(c.get("/inname").text)
    r = c.post("/inname", data={"csrf": token}, files=[("bestanden", ("", b"", "application/octet-stream"))])
    assert r.status_code == 400
    assert "Kies een of meer ondertekende PDF-kopie" in r.text


def test_uploads_stay_in_memory(bare_ws, tmp_path, monkeypatch):
    """The multipart parser never spools an upload to a file on disk."""
    import tempfile

    from zvhsign.web.app import _InMemoryParser

    assert _InMemoryParser.spool_max_size > 20 * 25 * 1024 * 1024
    made = []
    real = tempfile.SpooledTemporaryFile

    class Watch(real):
        def rollover(self):
            made.append(self)
            return super().rollover()

    monkeypatch.setattr("starlette.formparsers.SpooledTemporaryFile", Watch)
    c = client(bare_ws)
    token = token_of(c.get("/inname").text)
    r = c.post("/inname", data={"csrf": token + "x"},  # parsed, then refused: nothing is judged
               files=[("bestanden", ("../../etc/x.pdf", b"%PDF-" + b"x" * 3_000_000, "application/pdf"))])
    assert r.status_code == 403
    assert made == []


def test_upload_names_are_display_only():
    from zvhsign.web.app import safe_label

    assert safe_label("../../etc/passwd", 1) == "passwd"
    assert safe_label("C:\\Users\\x\\conv\x00enant.pdf", 1) == "convenant.pdf"
    assert safe_label("", 3) == "bestand-3"


def test_partner_cannot_download_the_report_or_record(bare_ws, accounts, ui):
    c = client(bare_ws, accounts)
    token = token_of(c.get("/inloggen").text)
    c.post("/inloggen", data={"csrf": token, "naam": "om", "wachtwoord": ui.passwords["om"]})
    assert c.get("/rapport.html").status_code == 403
    assert c.get("/rapport").status_code == 403
    token = token_of(c.get("/inname").text)
    assert c.post("/inname/onbekend/vastleggen", data={"csrf": token}).status_code == 403


def test_security_headers_on_every_response(bare_ws):
    c = client(bare_ws)
    for path in ("/inname", "/static/style.css", "/bestaat-niet"):
        h = c.get(path).headers
        assert "default-src 'none'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"


def test_each_copy_offers_its_etsi_validation_report(bare_ws):
    """The ETSI TS 119 102-2 report of one uploaded copy, made by the same pipeline."""
    from pathlib import Path

    signed = Path(__file__).resolve().parents[2].parent / "shared" / "external-signed" / "BILLS-106s761enr.pdf"
    c = client(bare_ws)
    token = token_of(c.get("/inname").text)
    r = c.post("/inname", data={"csrf": token},
               files=[("bestanden", ("wet.pdf", signed.read_bytes(), "application/pdf"))])
    assert r.status_code == 303, r.text
    result = c.get(r.headers["location"]).text
    link = re.search(r'href="(/inname/[^"]+/kopie/0\.xml)"', result)
    assert link, "no ETSI report link on the result page"
    xml = c.get(link.group(1))
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert xml.text.startswith("<?xml") and "SignatureValidationReport" in xml.text
    assert c.get(link.group(1).replace("/0.xml", "/7.xml")).status_code == 404
