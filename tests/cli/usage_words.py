"""What the usage-language tests share (loaded by file: the tests are no package)."""

from __future__ import annotations

from pathlib import Path

import click

from zvhsign import i18n
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


def _workspace(root: Path, config: bytes) -> Path:
    root.mkdir(parents=True)
    (root / "zvhsign.toml").write_bytes(config)
    return root


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
