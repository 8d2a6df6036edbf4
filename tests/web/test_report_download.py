"""The audit report on the page: offered where the status is shown, as the PDF signed by
the secretariat (with ``serve --key``), HTML and JSON -- made by the same reporting service
as ``zvhsign report`` (not a second path), naming the workspace's responsible official."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

pytestmark = pytest.mark.xdist_group("web")


def client(ws, **kw):
    from starlette.testclient import TestClient

    from zvhsign.web import create_app

    return TestClient(create_app(ws, **kw), base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture(scope="module")
def secretariat_key(passphrase):
    from zvhsign.services.keys import KeySource
    from zvhsign.testpki import certs_dir

    return KeySource(pkcs12=certs_dir() / "out" / "secretariaat.p12", passphrase=passphrase)


@pytest.mark.requires_tool("pdftotext")
def test_status_page_offers_the_signed_pdf_report(web_world, secretariat_key, tmp_path):
    c = client(web_world.ws, report_key=secretariat_key)
    status = c.get("/status").text
    for fmt in ("pdf", "html", "json"):
        assert f'href="/rapport.{fmt}"' in status
    r = c.get("/rapport.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="zvh-auditrapport-')
    path = tmp_path / "rapport.pdf"
    path.write_bytes(r.content)
    # the one pipeline says: an audit report, intact, signed by the secretariat
    run = CliRunner().invoke(cli, ["--workspace", str(web_world.ws.root), "verify", "--json", str(path)])
    assert run.exit_code == 0, run.output
    (f,) = json.loads(run.output)["files"]
    assert f["status"] == "VERIFIED" and [x["code"] for x in f["findings"]] == ["AUDIT_REPORT"]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Overzicht: wie heeft wat ondertekend" in text
    assert "J. de Vries (Functionaris voor de gegevensbescherming)" in text
    assert "lokaal (via zvhsign serve)" in text  # who asked for it


def test_without_the_secretariat_key_no_pdf_is_offered(web_world):
    c = client(web_world.ws)
    status = c.get("/status").text
    assert 'href="/rapport.html"' in status and 'href="/rapport.pdf"' not in status
    assert "zvhsign serve --key" in status
    r = c.get("/rapport.pdf")
    assert r.status_code == 404 and "--key" in r.text


def test_the_page_report_is_the_report_of_zvhsign_report(web_world, tmp_path):
    """The same service and renderer: the JSON the page gives equals the CLI's on the same
    registry, apart from the moment and who asked for it."""
    page = client(web_world.ws).get("/rapport.json")
    assert page.status_code == 200, page.text
    out = tmp_path / "r.json"
    run = CliRunner().invoke(cli, ["--workspace", str(web_world.ws.root), "report", "--format", "json",
                                   "-o", str(out)])
    assert run.exit_code == 0, run.output
    a, b = page.json(), json.loads(out.read_text(encoding="utf-8"))
    assert a["requested_by"] == "lokaal (via zvhsign serve)" and b["requested_by"] == ""
    assert a["responsible"] == b["responsible"] == "J. de Vries (Functionaris voor de gegevensbescherming)"

    def same(r):  # noqa: ANN001, ANN202
        return {k: r[k] for k in ("matrix", "matrix_documents", "partners", "versions", "files")} | {
            "signatures": [{k: v for k, v in s.items() if k != "art24"} | {
                "art24": {k: v for k, v in s["art24"].items() if k != "validation_moment"}}
                for s in r["signatures"]]}

    assert same(a) == same(b)


def test_a_workspace_without_a_responsible_official_gives_no_report(tmp_path):
    from zvhsign.services.setup import init_test_workspace

    ws = init_test_workspace(tmp_path / "ws")
    r = client(ws).get("/rapport.json")
    assert r.status_code == 409
    assert "responsible_name" in r.text and "zvhsign.toml" in r.text
