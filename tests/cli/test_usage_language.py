"""Click's own texts -- the usage errors a signatory meets before any command runs, the
headings of ``--help`` -- are said in the language zvhsign speaks (cli/click_texts.py):
``$ZVHSIGN_LANG``, else the workspace's ``[display] lang`` (found from ``-w``,
``$ZVHSIGN_WORKSPACE`` or the current folder), else Dutch -- for the commands a signatory
uses (``sign``, ``mandate``), whose ``--help`` is then wholly in that language, the
command's text and every option's help too (cli/click_help.py). The secretariat's
commands and the top level stay click's English. English stays click's English, a broken
zvhsign.toml never stops the usage message, and the exit code stays 2. The real
``zvhsign`` process (the locale variables of the shell play no part), and click's
modules and the commands as they are afterwards."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from zvhsign.cli.click_help import marked_text
from zvhsign.cli.click_texts import SPEAKS_WORKSPACE_LANGUAGE


_words = runpy.run_path(str(Path(__file__).with_name("usage_words.py")))  # shared with ..._machinery.py
NL_MISSING_IN, EN_MISSING_IN, NL = _words["NL_MISSING_IN"], _words["EN_MISSING_IN"], _words["NL"]
_workspace, _walk, _command, _flat = _words["_workspace"], _words["_walk"], _words["_command"], _words["_flat"]


def _zvhsign(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed ``zvhsign`` as a signatory runs it, in a shell that speaks English
    (LANG, LANGUAGE: what the standard library's gettext would have looked at)."""
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]
    base = {k: v for k, v in os.environ.items() if k not in ("ZVHSIGN_LANG", "ZVHSIGN_WORKSPACE")}
    base.update(LANG="en_US.UTF-8", LANGUAGE="en", LC_ALL="en_US.UTF-8")
    return subprocess.run([*argv, *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture()
def nowhere(tmp_path) -> Path:
    """A folder with no workspace in it or above it."""
    assert not any((d / "zvhsign.toml").exists() for d in (tmp_path, *tmp_path.parents))
    return tmp_path


def _bare(text: str) -> str:
    """``text`` without any whitespace: click also breaks a long word after a hyphen."""
    return "".join(text.split())


def _examples(command: click.Command) -> list[tuple[str, str]]:
    """(command line, note after it or "") of each example line in the English help."""
    lines = [line.strip() for line in marked_text(command.help).split("\n") if line.startswith("  ")]
    return [re.fullmatch(r"(.*?)(?:\s{3,}(.*))?", line).groups("") for line in lines]


# ------------------------------------------------------------------- Dutch by default


def test_a_missing_argument_of_sign_is_said_in_dutch(nowhere):
    p = _zvhsign("sign", cwd=nowhere)
    assert (p.returncode, p.stdout, p.stderr) == (2, "", NL_MISSING_IN)


def test_an_unknown_option_is_said_in_dutch_with_the_suggestion(nowhere):
    p = _zvhsign("sign", "convenant-1.0.pdf", "--kye", "mijn-sleutel.p12", cwd=nowhere)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == (
        "Gebruik: zvhsign sign [OPTIES] IN\n"
        "Typ 'zvhsign sign --help' voor uitleg.\n"
        "\n"
        "Fout: Onbekende optie '--kye'. (Bedoelt u een van deze: '--key', '--yes'?)\n"
    )


def test_an_invalid_choice_is_said_in_dutch(nowhere):
    p = _zvhsign("sign", "convenant-1.0.pdf", "-o", "getekend.pdf", "--level", "B-X", cwd=nowhere)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.endswith(
        "Fout: Ongeldige waarde voor '--level': 'B-X' is geen van deze keuzes: "
        "'B-B', 'B-T', 'B-LT', 'B-LTA'.\n")
    assert p.stderr.startswith("Gebruik: zvhsign sign [OPTIES] IN\n")


@pytest.mark.parametrize("args, said", [
    (("sign", "x.pdf", "-o", "y.pdf", "extra"), "Fout: Onverwacht extra argument (extra)\n"),
    (("sign", "x.pdf", "-o"), "Fout: Optie '-o' heeft 1 waarde nodig.\n"),
    (("sign", "x.pdf", "-o", "y.pdf", "--dry-run=ja"), "Fout: Bij optie '--dry-run' hoort geen waarde.\n"),
    (("sign", "x.pdf", "--key", "k.p12"), "Fout: Ontbrekende optie '-o' / '--output'.\n"),
    (("sign", "x.pdf", "-o", "y.pdf", "--mandate", "."),
     "Fout: Ongeldige waarde voor '--mandate': Bestand '.' is een map.\n"),
    (("mandate", "regster"), "Fout: Onbekende opdracht 'regster'. Bedoelt u 'register'?\n"),
    (("mandate", "draft", "--gemeente", "Haarlem", "--burgemeester", "W. Bosschaart", "--date", "10-11-2026",
      "-o", "m.pdf"),
     "Fout: Ongeldige waarde voor '--date': '10-11-2026' past niet bij de notatie '%Y-%m-%d'.\n"),
    (("mandate", "register"), "Fout: Ontbrekend argument 'BESTAND'.\n"),
])
def test_other_usage_errors_are_said_in_dutch(nowhere, args, said):
    p = _zvhsign(*args, cwd=nowhere)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.endswith(said), p.stderr
    assert "Error" not in p.stderr and "Usage" not in p.stderr and "Traceback" not in p.stderr


def test_the_help_headings_are_dutch(nowhere):
    p = _zvhsign("sign", "--help", cwd=nowhere)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.startswith("Gebruik: zvhsign sign [OPTIES] IN\n")
    assert "\nOpties:\n" in p.stdout and "Options:" not in p.stdout
    assert "  -h, --help" in p.stdout and "Toon deze uitleg en stop." in p.stdout
    assert "-o, --output BESTAND" in p.stdout and "[verplicht]" in p.stdout
    group = _zvhsign("mandate", "-h", cwd=nowhere)
    assert group.stdout.startswith("Gebruik: zvhsign mandate [OPTIES] OPDRACHT [ARGUMENTEN]...\n")
    assert "\nOpdrachten:\n" in group.stdout and "Toon deze uitleg en stop." in group.stdout


# ------------------------------------------------------------------- wholly Dutch help


@pytest.mark.parametrize("path", sorted(SPEAKS_WORKSPACE_LANGUAGE))
def test_the_help_of_a_signatorys_command_is_wholly_dutch(nowhere, path):
    command = _command(path)
    english = marked_text(command.help)
    first = english.split("\n\n")[0]
    options = [param.help for param in command.params if param.help]
    p = _zvhsign(*path.split(), "--help", cwd=nowhere)
    assert (p.returncode, p.stderr) == (0, "")
    said = _bare(p.stdout)
    assert p.stdout.startswith(f"Gebruik: zvhsign {path} [OPTIES]") and "\nOpties:\n" in p.stdout
    assert _bare(first) not in said and _bare(NL.gettext(english).split("\n\n")[0]) in said
    for text in options:
        assert _bare(text) not in said and _bare(NL.gettext(text)) in said, text
    for line, note in _examples(command):  # the commands as they were; their notes in Dutch
        assert line in p.stdout and (not note or note not in p.stdout), line
    assert not re.search(r"\b(Examples?|The round):", p.stdout)
    # $ZVHSIGN_LANG=en: the original English, every word of it
    e = _zvhsign(*path.split(), "--help", cwd=nowhere, env={"ZVHSIGN_LANG": "en"})
    said = _bare(e.stdout)
    assert e.stdout.startswith(f"Usage: zvhsign {path} [OPTIONS]") and "\nOptions:\n" in e.stdout
    assert _bare(english) in said
    assert all(_bare(text) in said for text in options) and "Gebruik" not in said and "Opties" not in said


def test_sign_help_in_dutch_names_what_a_signatory_reads(nowhere):
    said = _flat(_zvhsign("sign", "--help", cwd=nowhere).stdout)
    for dutch in ("Onderteken een goedgekeurd exemplaar IN met uw sleutel",
                  "Toon de controle vooraf en stop: er wordt niets ondertekend of opgeslagen.",
                  "Lees het wachtwoord van uw sleutel uit dit bestand", "Voorbeelden:",
                  "zvhsign sign convenant-1.0.pdf --key mijn-sleutel.p12 -o convenant-1.0-getekend.pdf"):
        assert dutch in said, dutch
    for english in ("Sign an approved copy IN", "Signed PDF to write", "Show the pre-flight",
                    "PKCS#12 file (.p12/.pfx) with key and certificate.", "Read the token PIN", "Examples:"):
        assert english not in said, english


# ------------------------------------------------------------------- the secretariat's commands: English


TOP_USAGE = "Usage: zvhsign [OPTIONS] COMMAND [ARGS]...\n"


@pytest.mark.parametrize("args, usage", [
    (("stamp", "--help"), "Usage: zvhsign stamp [OPTIONS] SOURCE\n"),
    (("approve", "-h"), "Usage: zvhsign approve [OPTIONS] STAMPED\n"),
    (("verify", "--help"), "Usage: zvhsign verify [OPTIONS] FILES...\n"),
    (("--help",), TOP_USAGE),
    (("-h", "sign"), TOP_USAGE),  # the group's help, before the command
    ((), TOP_USAGE),
])
def test_the_secretariats_commands_and_the_top_level_are_clicks_english(nowhere, args, usage):
    p = _zvhsign(*args, cwd=nowhere)  # Dutch by default: not for these
    out = p.stdout + p.stderr
    assert out.startswith(usage), out
    assert "\nOptions:\n" in out and "Show this message and exit." in out
    assert not re.search(r"Gebruik|Opties|Opdrachten|verplicht|BESTAND|TEKST|Toon ", out), out


def test_the_top_level_lists_every_command_in_english_and_approve_keeps_its_key_options_english(nowhere):
    top = _flat(_zvhsign("--help", cwd=nowhere).stdout)
    assert "sign Sign an approved copy with your key (PAdES)." in top
    assert "mandate The machtigingsbesluit: the burgemeester signs for the college." in top
    assert "Commands:" in top
    approve = _flat(_zvhsign("approve", "--help", cwd=nowhere).stdout)  # the options sign shares
    assert "-k, --key FILE PKCS#12 file (.p12/.pfx) with key and certificate." in approve
    assert "Read the key passphrase from this file" in approve and "wachtwoord" not in approve


@pytest.mark.parametrize("args, said", [
    (("verify", "x.pdf", "--jobs", "veel"),
     "Error: Invalid value for '--jobs' / '-j': 'veel' is not a valid integer range.\n"),
    (("verify", "x.pdf", "--jobs", "0"),
     "Error: Invalid value for '--jobs' / '-j': 0 is not in the range 1<=x<=256.\n"),
    (("init", "ws", "--trust-root", "geen.pem"),
     "Error: Invalid value for '--trust-root': File 'geen.pem' does not exist.\n"),
    (("signn",), "Error: No such command 'signn'. Did you mean 'sign'?\n"),
    (("-w", "sign"), "Error: Missing command.\n"),  # "sign" is the workspace here
])
def test_usage_errors_of_the_secretariats_commands_and_the_top_level_are_english(nowhere, args, said):
    p = _zvhsign(*args, cwd=nowhere)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.startswith("Usage: zvhsign") and p.stderr.endswith(said), p.stderr
    assert "Fout" not in p.stderr and "Gebruik" not in p.stderr and "Typ " not in p.stderr


# ------------------------------------------------------------------- English stays English


def test_zvhsign_lang_en_gives_clicks_english(nowhere):
    p = _zvhsign("sign", cwd=nowhere, env={"ZVHSIGN_LANG": "en"})
    assert (p.returncode, p.stdout, p.stderr) == (2, "", EN_MISSING_IN)
    h = _zvhsign("sign", "--help", cwd=nowhere, env={"ZVHSIGN_LANG": "en"})
    assert h.stdout.startswith("Usage: zvhsign sign [OPTIONS] IN\n")
    assert "\nOptions:\n" in h.stdout and "Show this message and exit." in h.stdout
    assert "-o, --output FILE" in h.stdout and "[required]" in h.stdout


def test_an_english_workspace_found_from_the_current_folder_gives_english(tmp_path):
    ws = _workspace(tmp_path / "ws", b'[display]\nlang = "en"\n')
    (ws / "kit").mkdir()
    p = _zvhsign("sign", cwd=ws / "kit")  # a parent holds zvhsign.toml
    assert (p.returncode, p.stdout, p.stderr) == (2, "", EN_MISSING_IN)
    # $ZVHSIGN_LANG still wins over the workspace
    p = _zvhsign("sign", cwd=ws / "kit", env={"ZVHSIGN_LANG": "nl"})
    assert (p.returncode, p.stderr) == (2, NL_MISSING_IN)


def test_the_workspace_named_by_w_or_the_environment_decides(tmp_path, nowhere):
    ws = _workspace(tmp_path / "ws-en", b'[display]\nlang = "en"\n')
    elsewhere = nowhere / "elders"
    elsewhere.mkdir()
    for args, env in [(("-w", str(ws)), None), ((f"--workspace={ws}",), None),
                      ((), {"ZVHSIGN_WORKSPACE": str(ws)})]:
        p = _zvhsign(*args, "sign", cwd=elsewhere, env=env)
        assert p.returncode == 2 and p.stderr.endswith("Error: Missing argument 'IN'.\n"), (args, p.stderr)


@pytest.mark.parametrize("config", [
    b'[display\nlang = "en"\n',  # not TOML
    b'\xff\xfe[display]\n',  # not UTF-8
    b'display = 3\n',  # [display] not a table
    b'[display]\nlang = "fr"\n',  # a language zvhsign does not speak
])
def test_a_broken_workspace_config_does_not_stop_the_usage_message(tmp_path, config):
    ws = _workspace(tmp_path / "ws", config)
    p = _zvhsign("sign", cwd=ws)
    assert (p.returncode, p.stdout, p.stderr) == (2, "", NL_MISSING_IN)


def test_a_workspace_config_that_is_a_folder_or_unreadable_is_no_setting(tmp_path):
    ws = tmp_path / "ws"
    (ws / "zvhsign.toml").mkdir(parents=True)
    p = _zvhsign("-w", str(ws), "sign", cwd=tmp_path)
    assert (p.returncode, p.stderr) == (2, NL_MISSING_IN)
    p = _zvhsign("-w", str(tmp_path / "gone"), "sign", cwd=tmp_path)
    assert (p.returncode, p.stderr) == (2, NL_MISSING_IN)
