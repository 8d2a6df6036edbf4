"""A partner kit speaks the workspace's language (issue 12 item 2): LEESMIJ in Dutch by
default, in English with ``[display] lang = "en"``; the kit's zvhsign.toml carries the
same setting, so ``sign`` in the kit speaks the language of its LEESMIJ. Real
workspaces and registries, the real CLI in the kit folder (the wheel is left out here:
tests/services/test_kit_zip.py installs it in a fresh venv and follows LEESMIJ)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import copy_workspace
from zvhsign.cli.main import cli
from zvhsign.services.governance import import_partners, write_test_pki_partners
from zvhsign.services.kit import README_NAME, export_kit
from zvhsign.services.workspace import load_workspace
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"


def _workspace(approved, dest: Path, lang: str | None):
    import tomlkit

    root = dest / "ws"
    copy_workspace(approved.ws.root, root)
    if lang is not None:
        cfg = root / "zvhsign.toml"
        doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
        doc.setdefault("display", tomlkit.table())["lang"] = lang
        cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    ws = load_workspace(root)
    write_test_pki_partners(dest / "partners.toml", P12)
    import_partners(ws, dest / "partners.toml")
    return ws


@pytest.fixture(autouse=True)
def _no_language_override(monkeypatch):
    monkeypatch.delenv("ZVHSIGN_LANG", raising=False)


def test_leesmij_is_dutch_by_default_and_the_kit_signs_in_dutch(approved, tmp_path):
    ws = _workspace(approved, tmp_path, None)
    kit = tmp_path / "kit-politie"
    result = export_kit(ws, kit, partner="politie", wheel=False)
    readme = (kit / README_NAME).read_text(encoding="utf-8")
    for dutch in (
        "Ondertekenen voor het Zorg- en Veiligheidshuis Kennemerland voor Politie Eenheid Noord-Holland",
        "Deze kit bevat de goedgekeurde versies om te ondertekenen:",
        "Stappen (Linux en macOS)",
        "1. Open een terminal in deze map.",
        "Installeer zvhsign in een eigen Python-omgeving in deze map",
        "Onderteken. mijn-certificaat.p12 staat voor uw eigen certificaatbestand (.p12 of .pfx):",
        "     .venv/bin/zvhsign sign convenant-1.0.pdf --key mijn-certificaat.p12 -o convenant-1.0-politie.pdf",
        "vraagt om bevestiging: typ j en Enter",
        "Controleer uw getekende exemplaren zoals het secretariaat dat doet:",
        "Stuur convenant-1.0-politie.pdf en protocol-1.0-politie.pdf terug naar het secretariaat.",
        "Dezelfde stappen, in de Opdrachtprompt of PowerShell:",
        "Liever in Adobe Acrobat?",
        "Goedgekeurde versies (ter controle):",
    ):
        assert dutch in readme, (dutch, readme)
    for english in ("Signing for", "Steps (", "Open a terminal", "my-certificate", "Send ", "Approved versions"):
        assert english not in readme, english
    assert result.signed_names == ("convenant-1.0-politie.pdf", "protocol-1.0-politie.pdf")
    cfg = tomllib.loads((kit / "zvhsign.toml").read_text(encoding="utf-8"))
    assert cfg["display"]["lang"] == "nl"

    # sign in the kit, as LEESMIJ says (a dry run): the kit speaks Dutch too
    r = CliRunner().invoke(cli, ["-w", str(kit), "sign", str(kit / "convenant-1.0.pdf"), "--key",
                                 str(P12 / "politie.p12"), "-o", str(kit / "convenant-1.0-politie.pdf"), "--dry-run"],
                           env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE})
    assert r.exit_code == 0, r.output
    assert "Controle vooraf: u staat op het punt te ondertekenen" in r.stdout
    assert "proefrun: niets ondertekend, niets geschreven" in r.stdout


def test_leesmij_is_english_with_lang_en(approved, tmp_path):
    ws = _workspace(approved, tmp_path, "en")
    kit = tmp_path / "kit-om"
    export_kit(ws, kit, partner="om", wheel=False)
    readme = (kit / README_NAME).read_text(encoding="utf-8")
    for english in (
        "Signing for the Zorg- en Veiligheidshuis Kennemerland for Openbaar Ministerie",
        "This kit holds the approved versions to sign:",
        "Steps (Linux and macOS)",
        "Sign. my-certificate.p12 stands for your own certificate file (.p12 or .pfx):",
        "     .venv/bin/zvhsign sign convenant-1.0.pdf --key my-certificate.p12 -o convenant-1.0-om.pdf",
        "Send convenant-1.0-om.pdf and protocol-1.0-om.pdf back to the secretariat.",
        "Approved versions (for checking):",
    ):
        assert english in readme, (english, readme)
    for dutch in ("Ondertekenen voor", "Stappen", "Onderteken.", "mijn-certificaat", "Stuur "):
        assert dutch not in readme, dutch
    assert tomllib.loads((kit / "zvhsign.toml").read_text(encoding="utf-8"))["display"]["lang"] == "en"
    r = CliRunner().invoke(cli, ["-w", str(kit), "sign", str(kit / "convenant-1.0.pdf"), "--key",
                                 str(P12 / "om.p12"), "-o", str(kit / "convenant-1.0-om.pdf"), "--dry-run"],
                           env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE})
    assert r.exit_code == 0, r.output
    assert "Pre-flight: you are about to sign" in r.stdout and "dry run: nothing signed" in r.stdout
