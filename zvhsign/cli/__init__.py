"""Command-line interface: the only place that imports click.

Renders results and maps errors to exit codes: 0 verified, 1 findings,
2 usage, 3 could not complete (also: interrupted by Ctrl-C or SIGTERM,
see ``cli/interrupts.py``).
"""

from __future__ import annotations

import sys

from ..errors import interrupted
from .interrupts import exit_interrupted, install_interrupt_handlers
from .main import cli


def main(argv: list[str] | None = None) -> None:
    from .click_texts import speaking, speaks_workspace_language, usage_language
    from .keyopts import take_secret_env
    from ..services.heap import allow
    from .logsetup import configure_logging

    allow()  # the command owns this process: its set-up is set apart on its first file
    take_secret_env()  # before anything can start a child process
    configure_logging()
    install_interrupt_handlers()
    try:
        # click's own texts (and the help) in the language of the command that runs: the
        # workspace's for a signatory's command (sign, mandate), else English (cli/click_texts.py)
        lang = usage_language(argv) if speaks_workspace_language(argv, cli) else "en"
        with speaking(lang, cli):
            cli.main(args=argv, prog_name="zvhsign")
    except SystemExit as done:
        if interrupted():
            exit_interrupted(done.code if isinstance(done.code, int) else 3)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
