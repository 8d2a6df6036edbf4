"""``zvhsign report`` from the command line: formats, key rules, exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from zvhsign.cli.main import cli


def run(ws, *args: str):  # noqa: ANN001, ANN201
    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)


def test_json_and_html_report(approved, signed_convenant, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "r.json"
    res = run(approved.ws, "report", "--format", "json", "-o", str(out), "--responsible", "P. Jansen",
              str(signed_convenant))
    assert res.exit_code == 0, res.output
    assert "1/1 copies verified" in res.output and "audit log intact" in res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "zvhsign.report/1" and data["responsible"] == "P. Jansen"
    assert any(s["signatory"] == "Saskia Terpstra" for s in data["signatures"])
    html = tmp_path / "r.html"
    res = run(approved.ws, "report", "-f", "html", "-o", str(html), str(signed_convenant))
    assert res.exit_code == 0, res.output
    assert "Archiefregeling art. 24" in html.read_text(encoding="utf-8")


def test_pdf_needs_the_secretariat_key(approved, signed_convenant, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "r.pdf"
    res = run(approved.ws, "report", "--format", "pdf", "-o", str(out), str(signed_convenant))
    assert res.exit_code == 2
    assert "no signing key" in res.output
    assert not out.exists()


def test_output_may_not_be_an_input(approved, signed_convenant) -> None:  # noqa: ANN001
    res = run(approved.ws, "report", "--format", "html", "-o", str(signed_convenant), str(signed_convenant))
    assert res.exit_code == 2 and "is the input file" in res.output


def test_help_has_an_example() -> None:
    res = CliRunner().invoke(cli, ["report", "--help"])
    assert res.exit_code == 0 and "zvhsign report --format pdf -o rapport.pdf --key" in res.output
