"""What a partner signatory reads is Dutch by default (issue 12 item 2): ``sign``'s
pre-flight and messages, the mandate commands and the kit's LEESMIJ, from the gettext
catalogue ``zvhsign/locale/nl``; ``[display] lang = "en"`` (or ``$ZVHSIGN_LANG``) gives
English. Real workspaces on the test PKI, the real CLI; nothing is mocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_workspace
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"

DUTCH_DRY_RUN = (
    "Controle vooraf: u staat op het punt te ondertekenen",
    "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland, versie 1.0",
    "besloten op 2026-11-02 (Bestuurlijke Regiegroep)",
    "tot nu toe 0 handtekeningen van partners",
    "ondertekenaar",
    "geldig van 2025-01-01 tot 2035-01-01",
    "sleutelgebruik",
    "PKCS#12-bestand",
    "PAdES B-LTA, zichtbaar, in ZVH_Handtekening_01 op de ondertekeningspagina",
    "antwoordt",
    "opslaan als",
    "controles",
    "proefrun: niets ondertekend, niets geschreven",
)
ENGLISH_DRY_RUN = (
    "Pre-flight: you are about to sign",
    "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland, version 1.0",
    "decided on 2026-11-02 (Bestuurlijke Regiegroep)",
    "0 partner signatures so far",
    "signer",
    "valid 2025-01-01 to 2035-01-01",
    "key usage",
    "PKCS#12 file",
    "PAdES B-LTA, visible, in ZVH_Handtekening_01 on the signature page",
    "answers",
    "output",
    "checks",
    "dry run: nothing signed, nothing written",
)


def _copy_workspace(approved, dest: Path, lang: str | None) -> Path:
    """A private copy of the approved workspace (the registry is a file in it), with
    ``[display] lang`` set when given."""
    root = dest / "ws"
    copy_workspace(approved.ws.root, root)
    if lang is not None:
        import tomlkit

        cfg = root / "zvhsign.toml"
        doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
        doc.setdefault("display", tomlkit.table())["lang"] = lang
        cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return root


def _dry_run(ws_root: Path, inp: Path, tmp_path: Path, env: dict | None = None, key: str = "om"):
    out = tmp_path / "nooit.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(ws_root), "sign", str(inp), "--key", str(P12 / f"{key}.p12"), "-o", str(out), "--dry-run"],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": None, **(env or {})},
    )
    assert r.exit_code == 0, r.output
    assert not out.exists()
    return r.stdout


def _lines_with(text: str, words) -> list[str]:
    return [w for w in words if w not in text]


def test_sign_dry_run_speaks_dutch_by_default(approved, tmp_path):
    text = _dry_run(approved.ws.root, approved.convenant, tmp_path)
    assert not _lines_with(text, DUTCH_DRY_RUN), text
    # nothing of the English texts is left (labels, the closing line)
    for english in ("Pre-flight", "you are about", "version 1.0", "decided on", "dry run", "visible, in",
                    "partner signature", "PKCS#12 file", "signature page"):
        assert english not in text, (english, text)


def test_sign_dry_run_in_english_with_lang_en(approved, tmp_path):
    root = _copy_workspace(approved, tmp_path, "en")
    text = _dry_run(root, approved.convenant, tmp_path)
    assert not _lines_with(text, ENGLISH_DRY_RUN), text
    for dutch in ("Controle vooraf", "versie", "besloten op", "proefrun", "zichtbaar", "PKCS#12-bestand"):
        assert dutch not in text, (dutch, text)


def test_zvhsign_lang_overrides_the_workspace(approved, tmp_path):
    english_ws = _copy_workspace(approved, tmp_path, "en")
    text = _dry_run(english_ws, approved.convenant, tmp_path, env={"ZVHSIGN_LANG": "nl"})
    assert "Controle vooraf" in text and "proefrun: niets ondertekend" in text
    text = _dry_run(approved.ws.root, approved.convenant, tmp_path, env={"ZVHSIGN_LANG": "en_GB.UTF-8"})
    assert "Pre-flight: you are about to sign" in text
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(approved.convenant), "--key", str(P12 / "om.p12"),
              "-o", str(tmp_path / "x.pdf"), "--dry-run"],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "de"},
    )
    assert r.exit_code == 2 and "ZVHSIGN_LANG=de" in r.output and "nl, en" in r.output
    assert "Traceback" not in r.output


def test_a_refusal_is_dutch_with_a_dutch_hint(approved, tmp_path):
    """A mayor whose card holds an expired certificate reads why, in Dutch, in one line
    and a hint; nothing is written."""
    out = tmp_path / "getekend.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(approved.convenant), "--key",
              str(P12 / "expired-signer.p12"), "-o", str(out), "--yes"],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": None},
    )
    assert r.exit_code == 3, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("zvhsign: fout:")]
    assert len(errors) == 1 and "is verlopen op 2022-06-01; het kan niet ondertekenen" in errors[0], r.output
    assert "\n  tip: onderteken met uw huidige certificaat" in r.output
    assert "error:" not in r.output and "hint:" not in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_no_terminal_and_no_yes_is_refused_in_dutch(approved, tmp_path):
    out = tmp_path / "getekend.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(approved.convenant), "--key", str(P12 / "om.p12"),
              "-o", str(out)],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": None}, input="",
    )
    assert r.exit_code == 2, r.output
    assert "niet ondertekend: bevestiging nodig, maar er is geen terminal om die te vragen" in r.output
    assert "voeg --yes toe" in r.output and "Controle vooraf" in r.output
    assert not out.exists()


def test_other_commands_stay_english_after_sign_spoke_dutch(approved, tmp_path):
    """The language is switched on per command: a secretariat command run after `sign`
    in the same process is not Dutch."""
    _dry_run(approved.ws.root, approved.convenant, tmp_path)
    r = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "versions"])
    assert r.exit_code == 0 and "current" in r.output, r.output
    from zvhsign.i18n import _, language

    assert language() == "en" and _("Sign this document?") == "Sign this document?"


@pytest.mark.parametrize("lang, expected", [(None, "volgende stap: de secretaris en de burgemeester"),
                                            ("en", "next: the secretaris and the burgemeester")])
def test_mandate_draft_speaks_the_workspace_language(approved, tmp_path, lang, expected):
    from zvhsign.services.governance import import_partners, write_test_pki_partners

    root = _copy_workspace(approved, tmp_path, lang)
    write_test_pki_partners(tmp_path / "partners.toml", P12)
    from zvhsign.services.workspace import load_workspace

    import_partners(load_workspace(root), tmp_path / "partners.toml")
    out = tmp_path / "machtiging.pdf"
    r = CliRunner().invoke(cli, ["-w", str(root), "mandate", "draft", "--gemeente", "Haarlem",
                                 "--burgemeester", "Willemijn Bosschaart", "--date", "2026-11-10", "-o", str(out)],
                           env={"ZVHSIGN_LANG": None})
    assert r.exit_code == 0, r.output
    assert expected in r.output and out.is_file()
    drafted = ("machtigingsbesluit van Haarlem voor burgemeester Willemijn Bosschaart opgesteld" if lang is None
               else "drafted the machtigingsbesluit of Haarlem for burgemeester Willemijn Bosschaart")
    assert drafted in r.output, r.output
