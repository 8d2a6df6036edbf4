"""Click's own texts -- the usage errors a signatory meets before any command runs, the
headings of ``--help`` -- are said in the language zvhsign speaks (cli/click_texts.py):
``$ZVHSIGN_LANG``, else the workspace's ``[display] lang`` (found from ``-w``,
``$ZVHSIGN_WORKSPACE`` or the current folder), else Dutch. English stays click's English,
a broken zvhsign.toml never stops the usage message, and the exit code stays 2. The real
``zvhsign`` process (the locale variables of the shell play no part), and click's
modules as they are afterwards."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zvhsign.cli import click_texts
from zvhsign.cli.click_texts import speaking, usage_language
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
    (("signn",), "Fout: Onbekende opdracht 'signn'. Bedoelt u 'sign'?\n"),
    (("verify", "x.pdf", "--jobs", "veel"),
     "Fout: Ongeldige waarde voor '--jobs' / '-j': 'veel' is geen geldig geheel getal.\n"),
    (("verify", "x.pdf", "--jobs", "0"),
     "Fout: Ongeldige waarde voor '--jobs' / '-j': 0 valt buiten het bereik 1<=x<=256.\n"),
    (("init", "ws", "--trust-root", "geen.pem"),
     "Fout: Ongeldige waarde voor '--trust-root': Bestand 'geen.pem' bestaat niet.\n"),
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
    top = _zvhsign("-h", cwd=nowhere)
    assert top.stdout.startswith("Gebruik: zvhsign [OPTIES] OPDRACHT [ARGUMENTEN]...\n")
    assert "\nOpdrachten:\n" in top.stdout and "Toon het versienummer en stop." in top.stdout


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


def test_click_is_put_back_after_the_run():
    names = {m: (sys.modules[m].__dict__.get("_"), sys.modules[m].__dict__.get("ngettext"))
             for m in click_texts.CLICK_MODULES if m in sys.modules}
    sign = cli.commands["sign"]
    before = [(p.name, p.type.name, p.help) for p in sign.params]
    with speaking("nl", cli):
        r = CliRunner().invoke(cli, ["sign"])
        assert r.exit_code == 2 and r.stderr == NL_MISSING_IN.replace("zvhsign", "cli", 2)
        assert "Opties:" in CliRunner().invoke(cli, ["sign", "-h"]).stdout
    for m, pair in names.items():
        assert (sys.modules[m].__dict__.get("_"), sys.modules[m].__dict__.get("ngettext")) == pair, m
    assert click.core._ is gettext.gettext and click.exceptions.ngettext is gettext.ngettext
    assert [(p.name, p.type.name, p.help) for p in sign.params] == before
    r = CliRunner().invoke(cli, ["sign", "-h"])
    assert "\nOptions:\n" in r.stdout and "Show this message and exit." in r.stdout and "BESTAND" not in r.stdout
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
