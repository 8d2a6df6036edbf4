"""Every ``zvhsign …`` command line in the README and in the commands' own --help
examples names a command and options that exist (a documented option that the CLI
doesn't have is a defect users hit first)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from zvhsign.cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def _lines_from_readme() -> list[str]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return _command_lines("\n".join(blocks))


def _command_lines(text: str) -> list[str]:
    """Example lines: those that start with ``zvhsign `` (or run it after ``&&``), joined
    over trailing backslashes, cut where a description follows after 2+ spaces."""
    out, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if current:
            current += " " + line
        elif line.startswith("zvhsign "):
            current = line
        elif "&& zvhsign " in line:
            current = line[line.index("&& zvhsign ") + 3:]
        else:
            continue
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        out.append(re.split(r"\s{2,}", current)[0])
        current = ""
    return out


def _lines_from_help() -> list[str]:
    lines = []

    def walk(cmd: click.Command) -> None:
        lines.extend(_command_lines(cmd.help or ""))
        if isinstance(cmd, click.Group):
            for sub in cmd.commands.values():
                walk(sub)

    walk(cli)
    return lines


def check(line: str) -> list[str]:
    """Problems with one documented command line (empty: fine)."""
    # cut at shell operators and comments
    words = []
    for w in shlex.split(line.split(" #")[0], posix=True):
        if w in ("&&", "|", ">", ";", "||") or w.startswith(">"):
            break
        words.append(w)
    assert words[0] == "zvhsign"
    cmd: click.Command = cli
    ctx_options = {o for p in cli.params for o in getattr(p, "opts", [])}
    problems = []
    i = 1
    while i < len(words):
        w = words[i]
        if w.startswith("-"):
            name = w.split("=")[0]
            known = {o for p in cmd.params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
            known |= {"--help", "-h"}
            if cmd is cli:
                known |= ctx_options
            if name not in known:
                problems.append(f"{' '.join(words[:i])}: no option {name}")
            opt = next((p for p in cmd.params if name in getattr(p, "opts", [])), None)
            if opt is not None and not getattr(opt, "is_flag", False) and "=" not in w:
                i += 1  # skip its value
        elif isinstance(cmd, click.Group):
            sub = cmd.commands.get(w)
            if sub is None:
                problems.append(f"{' '.join(words[:i])}: no command {w}")
                break
            cmd = sub
        i += 1
    return problems


LINES = sorted(set(_lines_from_readme() + _lines_from_help()))


def test_there_are_lines_to_check():
    assert len(LINES) > 30
    assert any("--mandate" in line for line in LINES)


@pytest.mark.parametrize("line", LINES)
def test_documented_command_exists(line):
    assert check(line) == []


def test_the_check_finds_a_phantom_option():
    assert check("zvhsign sign a.pdf --no-such-option -o b.pdf")
    assert check("zvhsign nosuchcommand")


def test_shell_completion_and_version_work_as_the_readme_says():
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("zvhsign"))
    script = subprocess.run([exe], env={**os.environ, "_ZVHSIGN_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=60).stdout
    assert "_zvhsign_completion" in script and "complete " in script
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("zvhsign, version ")
