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

import gettext
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zvhsign import i18n
from zvhsign.cli import click_texts
from zvhsign.cli.click_help import help_text, marked_text
from zvhsign.cli.click_texts import (
    SPEAKS_WORKSPACE_LANGUAGE,
    speaking,
    speaks_workspace_language,
    usage_language,
)
from zvhsign.cli.main import cli

NL_MISSING_IN = (
    "Gebruik: zvhsign sign [OPTIES] IN\n"
    "Typ 'zvhsign sign --help' voor uitleg.\n"
    "\n"
    "Fout: Ontbrekend argument 'IN'.\n"
)
EN_MISSING_IN = (  # click's own words, as before
    "Usage: zvhsign sign [OPTIONS] IN\n"
    "Try 'zvhsign sign --help' for help.\n"
    "\n"
    "Error: Missing argument 'IN'.\n"
)


def _zvhsign(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed ``zvhsign`` as a signatory runs it, in a shell that speaks English
    (LANG, LANGUAGE: what the standard library's gettext would have looked at)."""
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]
    base = {k: v for k, v in os.environ.items() if k not in ("ZVHSIGN_LANG", "ZVHSIGN_WORKSPACE")}
    base.update(LANG="en_US.UTF-8", LANGUAGE="en", LC_ALL="en_US.UTF-8")
    return subprocess.run([*argv, *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True,
                          text=True, timeout=60, check=False)


def _workspace(root: Path, config: bytes) -> Path:
    root.mkdir(parents=True)
    (root / "zvhsign.toml").write_bytes(config)
    return root


@pytest.fixture()
def nowhere(tmp_path) -> Path:
    """A folder with no workspace in it or above it."""
    assert not any((d / "zvhsign.toml").exists() for d in (tmp_path, *tmp_path.parents))
    return tmp_path


NL = i18n.translation("nl")


def _walk(command: click.Command, path: str = ""):
    """Every command below ``command`` with its path ("mandate sign"), the group first."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, f"{path} {name}".strip())


def _command(path: str) -> click.Command:
    return dict(_walk(cli))[path]


def _flat(text: str) -> str:
    """``text`` with its line breaks and indentation as single spaces (click wraps help)."""
    return " ".join(text.split())


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


# ------------------------------------------------------------------- the decision, in-process


def test_the_language_is_decided_without_failing(tmp_path, monkeypatch):
    monkeypatch.delenv("ZVHSIGN_LANG", raising=False)
    monkeypatch.delenv("ZVHSIGN_WORKSPACE", raising=False)
    ws = _workspace(tmp_path / "ws", b'[display]\nlang = "en"\n')
    monkeypatch.chdir(tmp_path)
    assert usage_language(["sign"]) == "nl"
    assert usage_language(["-w", str(ws), "sign"]) == "en"
    assert usage_language([f"-w{ws}", "sign"]) == "en"
    assert usage_language(["--workspace", str(ws), "sign"]) == "en"
    assert usage_language(["sign", "-w", str(ws)]) == "nl"  # -w is the group's: before the command
    monkeypatch.setenv("ZVHSIGN_LANG", "en_GB.UTF-8")
    assert usage_language(["sign"]) == "en"
    monkeypatch.setenv("ZVHSIGN_LANG", "fr")  # not spoken: the command says so; meanwhile the workspace's
    assert usage_language(["-w", str(ws)]) == "en" and usage_language([]) == "nl"


@pytest.mark.parametrize("argv, dutch", [
    (["sign"], True),
    (["sign", "--help"], True),
    (["-w", "ws", "sign", "x.pdf"], True),
    (["-wws", "sign"], True),
    (["--workspace", "ws", "sign"], True),
    (["--workspace=ws", "sign"], True),
    (["--", "sign"], True),
    (["mandate"], True),
    (["mandate", "-h"], True),
    (["mandate", "sign", "m.pdf", "--as", "secretaris"], True),
    (["-w", "ws", "mandate", "revoke", "3f9a1c0e"], True),
    (["mandate", "regster"], True),  # the mandate group says it does not know that one
    ([], False),
    (["--help"], False),
    (["-h", "sign"], False),  # the top level's help, before the command
    (["--version"], False),
    (["-w", "sign"], False),  # "sign" is the workspace: no command
    (["--workspace"], False),
    (["signn"], False),  # the top level says it does not know that one
    (["stamp", "bron.pdf"], False),
    (["verify", "sign"], False),
    (["-w", "ws", "approve", "mandate"], False),
    (["partner", "show", "haarlem"], False),
])
def test_which_command_runs_is_read_from_the_command_line(argv, dutch):
    assert speaks_workspace_language(argv, cli) is dutch


def test_the_command_line_of_this_process_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["zvhsign", "mandate", "register", "m.pdf"])
    assert speaks_workspace_language(None, cli)
    monkeypatch.setattr(sys, "argv", ["zvhsign", "verify", "x.pdf"])
    assert not speaks_workspace_language(None, cli)


def _help_texts(group: click.Command) -> list:
    return [(path, c.help, c.short_help, [(p.name, p.type.name, p.help, getattr(p, "show_default", None))
                                          for p in c.params]) for path, c in _walk(group)]


def test_click_is_put_back_after_the_run():
    names = {m: (sys.modules[m].__dict__.get("_"), sys.modules[m].__dict__.get("ngettext"))
             for m in click_texts.CLICK_MODULES if m in sys.modules}
    before = _help_texts(cli)
    with speaking("nl", cli):
        r = CliRunner().invoke(cli, ["sign"])
        assert r.exit_code == 2 and r.stderr == NL_MISSING_IN.replace("zvhsign", "cli", 2)
        assert "Opties:" in CliRunner().invoke(cli, ["sign", "-h"]).stdout
        revoke = _flat(CliRunner().invoke(cli, ["mandate", "revoke", "-h"]).stdout)
        assert "Leg vast dat het college" in revoke and "Record that" not in revoke
        group = _flat(CliRunner().invoke(cli, ["mandate", "-h"]).stdout)
        assert "register Controleer beide handtekeningen" in group and "Verify both" not in group
    for m, pair in names.items():
        assert (sys.modules[m].__dict__.get("_"), sys.modules[m].__dict__.get("ngettext")) == pair, m
    assert click.core._ is gettext.gettext and click.exceptions.ngettext is gettext.ngettext
    assert _help_texts(cli) == before
    r = CliRunner().invoke(cli, ["sign", "-h"])
    assert "\nOptions:\n" in r.stdout and "Show this message and exit." in r.stdout and "BESTAND" not in r.stdout
    assert "Sign an approved copy IN" in r.stdout and "Signed PDF to write" in _flat(r.stdout)
    assert "\b" in cli.commands["sign"].help  # the examples kept as written again
    with speaking("en", cli) as lang:
        assert lang == "en" and click.core._ is gettext.gettext


# ------------------------------------------------------------------- in step with click


def test_every_click_module_that_translates_is_switched():
    root = Path(click.__file__).parent
    binding = {f"click.{p.stem}" for p in root.glob("*.py") if "from gettext import" in p.read_text("utf-8")}
    assert binding - {"click._winconsole"} <= set(click_texts.CLICK_MODULES)  # (Windows only)
    assert set(click_texts.CLICK_MODULES) <= binding


def test_the_marked_texts_are_clicks():
    babel = pytest.importorskip("babel.messages.extract", reason="Babel comes with the [test] extra")
    root = Path(click.__file__).parent
    in_click = {m if isinstance(m, str) else tuple(m)
                for _f, _l, m, _c, _ctx in babel.extract_from_dir(str(root), method_map=[("**.py", "python")])}
    # "required" reaches click's _() through a variable (core.py: extra["required"] = "required")
    assert 'extra["required"] = "required"' in (root / "core.py").read_text("utf-8")
    in_click.add("required")
    assert not [t for t in click_texts.TEXTS if t not in in_click], "click changed its words: mark them anew"
    named = {click.Path(dir_okay=False).name, click.Path(file_okay=False).name, click.Path().name,
             click.STRING.name, click.INT.name, click.IntRange(1, 2).name, click.FLOAT.name,
             click.FloatRange(1, 2).name}
    assert named == set(click_texts.TYPE_NAMES)
    assert {click.Command("c").options_metavar, click.Group("g").subcommand_metavar,
            click.version_option("1")(click.Command("c")).params[-1].help} == set(click_texts.DECLARED_TEXTS)


def test_the_dutch_speaking_commands_are_the_ones_that_run_inside_using():
    """SPEAKS_WORKSPACE_LANGUAGE names the commands whose callback switches the workspace's
    language on (``with using(ws.config.lang)``), and the groups all of whose commands do."""
    inside = {path for path, c in _walk(cli)
              if c.callback is not None and re.search(r"\busing\(", inspect.getsource(c.callback))}
    assert "sign" in inside, "no command found running inside i18n.using: the test looks in the wrong place"
    groups = {path for path, c in _walk(cli) if path and isinstance(c, click.Group) and c.commands
              and all(f"{path} {name}" in inside for name in c.commands)}
    assert inside | groups == SPEAKS_WORKSPACE_LANGUAGE


@pytest.mark.parametrize("path", sorted(SPEAKS_WORKSPACE_LANGUAGE))
def test_every_help_text_of_a_dutch_speaking_command_is_in_the_catalogue(path):
    command = _command(path)
    english = marked_text(command.help)
    assert help_text(english) == command.help and "\b" not in english
    texts = [english, *(p.help for p in command.params if p.help)]
    assert [t for t in texts if NL.gettext(t) == t] == [], "mark it with N_ and translate it (babel.cfg)"
    # the examples are kept as written in Dutch too (click's \b before the same paragraphs)
    assert help_text(NL.gettext(english)).count("\b\n") == command.help.count("\b\n") > 0


def test_help_text_keeps_the_indented_paragraphs_as_written():
    text = "First line.\n\nProse that\nclick wraps.\n\nExamples:\n  zvhsign sign a.pdf\n  zvhsign sign b.pdf"
    shown = help_text(text)
    assert shown == ("First line.\n\nProse that\nclick wraps.\n\n"
                     "\b\nExamples:\n  zvhsign sign a.pdf\n  zvhsign sign b.pdf")
    assert marked_text(shown) == text and help_text("One line.") == "One line."
