"""The ``--help`` of the commands that speak the workspace's language (``sign``, the
``mandate`` commands: ``click_texts.SPEAKS_WORKSPACE_LANGUAGE``) in that language, all of
it: the command's text with its examples and every option's help, not only click's
headings around them.

**Marking.** A command's help is one English text, marked for extraction and given to
click: ``@cli.command(help=help_text(_SIGN_HELP))`` with ``_SIGN_HELP = N_(\"\"\"...\"\"\")``
written without indentation at module level (a ``Translators:`` comment above it); an
option's help is marked in place, ``help=N_("...")``. ``N_`` (``errors.py``) changes
nothing at run time, so English commands and ``ZVHSIGN_LANG=en`` read exactly the
English; ``pybabel extract`` per ``babel.cfg`` puts the texts in ``zvhsign.po`` and
``tests/services/test_i18n_catalogue.py`` holds them to a translation.

**Examples.** Click rewraps every paragraph of a help text except one that starts with a
line holding only ``\\b`` (backspace). That control character is kept out of the
catalogue (a translator's editor shows it as garbage, and a ``.po`` file can't spell it):
:func:`help_text` adds it when the text is given to click -- before every paragraph whose
lines after the first are indented (the examples, the round of commands) -- and
:func:`marked_text` takes it out again to find the text in the catalogue. A translation
gets the same treatment, so the translator writes the examples as they appear, indented.

**Switching.** :func:`spoken_help` gives, for one command, the help texts as the
catalogue says them; ``click_texts.speaking`` sets them for the run and puts the English
back afterwards, like click's own texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import click

_KEPT = "\b\n"  # click: "do not rewrap this paragraph"


def _kept_as_written(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return len(lines) > 1 and all(line.startswith("  ") for line in lines[1:])


def help_text(text: str) -> str:
    """The help click shows for ``text`` (a marked English help or its translation): the
    paragraphs whose later lines are indented are kept as written, the others wrapped."""
    return "\n\n".join(_KEPT + p if _kept_as_written(p) else p for p in text.split("\n\n"))


def marked_text(shown: str) -> str:
    """The marked text (the msgid) of a help :func:`help_text` made."""
    return shown.replace(_KEPT, "")


def spoken_help(command: click.Command, gettext: Callable[[str], str]) -> Iterator[tuple[object, str, object]]:
    """(object, attribute, value said by ``gettext``) of every help text of ``command``:
    its help and short help, the help of each of its options and arguments, an option's
    ``show_default`` text and an argument's name in the usage line (its ``metavar``). A text
    the catalogue does not know stays as it is."""
    if command.help:
        yield command, "help", help_text(gettext(marked_text(command.help)))
    if command.short_help:
        yield command, "short_help", gettext(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            yield param, "help", gettext(param.help)
        if isinstance(getattr(param, "show_default", None), str):
            yield param, "show_default", gettext(param.show_default)
        if isinstance(param, click.Argument) and param.metavar:
            yield param, "metavar", gettext(param.metavar)


__all__ = ["help_text", "marked_text", "spoken_help"]
