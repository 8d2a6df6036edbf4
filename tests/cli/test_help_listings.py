"""Every group's ``--help`` lists its commands with a whole summary: click cuts a
command's first sentence at 45 characters with "..." unless the command gives a short
help, which left "Certify a stamped version (only signatures may follow) and..." in the
listing. Each command now has its own summary, the ``mandate`` commands in the
workspace's language (Dutch by default) like the rest of their help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from zvhsign.cli.click_texts import speaking, speaks_workspace_language
from zvhsign.cli.main import cli


def _help(argv: list[str], lang: str) -> str:
    """``zvhsign ARGV`` as ``zvhsign.cli.main`` runs it with the workspace speaking ``lang``:
    a signatory's command in that language, the others in English."""
    with speaking(lang if speaks_workspace_language(argv, cli) else "en", cli):
        result = CliRunner().invoke(cli, argv, prog_name="zvhsign", env={"COLUMNS": "80"}, catch_exceptions=False)
    return result.output


def _groups(group: click.Group, path: tuple[str, ...] = ()):
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _groups(command, (*path, name))


def _listing(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line in ("Commands:", "Opdrachten:"))
    return [line for line in lines[start + 1:] if line.strip()]


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("path", [p for p, _ in _groups(cli)], ids=lambda p: " ".join(p) or "zvhsign")
def test_every_command_has_a_whole_summary(path, lang, tmp_path):
    group = cli
    for name in path:
        group = group.commands[name]
    listing = _listing(_help([*path, "--help"], lang))
    text = "\n".join(listing)
    assert "..." not in text, text
    for name in group.commands:
        assert any(line.split()[0] == name for line in listing), (name, text)


def test_mandate_commands_are_summarised_in_dutch():
    listing = "\n".join(_listing(_help(["mandate", "--help"], "nl")))
    assert "register  Controleer beide handtekeningen en leg de machtiging vast." in listing, listing
    assert "revoke    Leg vast dat het college een machtiging heeft ingetrokken." in listing, listing
    assert "Ontbrekend argument 'BESTAND'" in _help(["mandate", "register"], "nl")
    assert "Gebruik: zvhsign mandate register [OPTIES] BESTAND" in _help(["mandate", "register", "-h"], "nl")
    assert "Missing argument 'FILE'" in _help(["mandate", "register"], "en")
