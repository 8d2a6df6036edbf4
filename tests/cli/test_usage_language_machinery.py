"""Click's own texts in the language zvhsign speaks (cli/click_texts.py), the machinery: which
language a command line is given (decided without failing), click put back after a run, and
the catalogue and click's own words kept in step. Continues test_usage_language.py."""

from __future__ import annotations

import gettext
import inspect
import re
import runpy
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zvhsign.cli import click_texts
from zvhsign.cli.click_help import help_text, marked_text
from zvhsign.cli.click_texts import (
    SPEAKS_WORKSPACE_LANGUAGE,
    speaking,
    speaks_workspace_language,
    usage_language,
)
from zvhsign.cli.main import cli


_words = runpy.run_path(str(Path(__file__).with_name("usage_words.py")))  # (the tests are no package)
NL, NL_MISSING_IN, _workspace = _words["NL"], _words["NL_MISSING_IN"], _words["_workspace"]
_walk, _command, _flat = _words["_walk"], _words["_command"], _words["_flat"]


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
