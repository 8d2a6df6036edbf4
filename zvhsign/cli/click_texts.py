"""Click's own texts -- usage errors, ``--help`` headings, prompts' complaints -- in the
language zvhsign speaks (``i18n.py``), for the whole run of one command.

**What.** A signatory who forgets an argument meets click, not zvhsign: the usage line,
``Error: Missing argument 'IN'.`` and ``Try '… --help' for help.`` are raised while click
parses, before any command runs and so before any ``i18n.using``. Click marks those
texts with the standard library's ``gettext``/``ngettext`` so an application can
translate them; their Dutch is in zvhsign's own catalogue (``zvhsign.po``), marked
below (:data:`TEXTS`, each with a ``Translators: click's …`` comment) so that
``pybabel extract`` per ``babel.cfg`` keeps them and ``tests/services/test_i18n_catalogue.py``
holds them to a translation. One catalogue, not a domain of their own: the same
extract/update/compile round and the same completeness test cover them, and a
signatory's texts stay in one file for the translator.

**Which language.** :func:`usage_language` decides before click parses, never failing:
``$ZVHSIGN_LANG`` when it names a language zvhsign speaks; else ``[display] lang`` of
the workspace found the way ``services.workspace.find_workspace`` finds it (``-w DIR`` /
``--workspace DIR`` before the command, ``$ZVHSIGN_WORKSPACE``, the current folder or
a parent holding ``zvhsign.toml``) -- only that one key is read, with ``tomllib``, and a
missing, unreadable or broken file counts as no setting (the command itself reports
it); else Dutch. English changes nothing: click's texts stay exactly click's.

**Which commands.** Only the commands a signatory uses speak the workspace's language
(:data:`SPEAKS_WORKSPACE_LANGUAGE`: ``sign``, ``mandate`` and its subcommands, the ones
that run inside ``i18n.using``); the secretariat's commands and the top level
(``zvhsign``, ``zvhsign --help``, an unknown command) stay English, click's texts
included. :func:`speaks_workspace_language` finds from the command line which command
runs (``cli/__init__.py`` asks it before :func:`usage_language`). For those commands the
help texts themselves -- the command's text with its examples, every option's help --
are said in that language too (``cli/click_help.py``), so their ``--help`` is wholly Dutch.

**How.** Each click module binds the functions at import (``from gettext import
gettext as _``), so they can't be reached through the standard library. Binding the
global domain instead (``gettext.textdomain``) was rejected: ``gettext.gettext`` picks
its language from ``$LANGUAGE``/``$LC_ALL``/``$LC_MESSAGES``/``$LANG`` (a signatory's
``LANG=en_US.UTF-8`` would win over zvhsign's choice, and forcing ``$LANGUAGE`` would be
inherited by every child process) and the domain is process-wide for every library
that uses it. :func:`speaking` instead points the names ``_`` and ``ngettext`` of the
click modules in :data:`CLICK_MODULES` at the chosen catalogue for the duration of the
run, and puts back what was there afterwards. Names click's types give themselves
when a command is declared (at import, in English: ``File``, ``integer range``, the
metavar ``FILE``), the usage line's ``[OPTIONS]`` and the help of ``--version`` are
renamed for the run the same way (:data:`TYPE_NAMES`, :data:`DECLARED_TEXTS`); the
help option click caches per command is made anew for the run, and the one cached
before is put back afterwards. The ``--version`` line (``zvhsign, version …``) is fixed
at import and stays English.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from gettext import NullTranslations
from pathlib import Path

import click

from ..errors import N_, ZvhsignError
from ..i18n import DEFAULT_LANGUAGE, ENV_VAR, LANGUAGES, resolve, translation
from ..services.workspace import CONFIG_NAME
from ..services.workspace import ENV_VAR as WORKSPACE_ENV_VAR
from .click_help import spoken_help

#: the commands (by their path below ``zvhsign``) that speak the workspace's language:
#: they run inside ``i18n.using``, and click's texts and their help are said in it
#: (tests/cli/test_usage_language.py checks this against the commands' source)
SPEAKS_WORKSPACE_LANGUAGE = frozenset({
    "sign", "mandate", "mandate draft", "mandate sign", "mandate register", "mandate revoke",
})

#: the click modules that bind ``_`` (and ``ngettext``) from ``gettext`` at import
#: (tests/cli/test_usage_language.py checks this against click's source)
CLICK_MODULES = (
    "click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
    "click.termui", "click.types", "click.utils", "click._termui_impl", "click.shell_completion",
)


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """A plural mark for Babel (``ngettext`` is one of its default keywords): click says
    these through its own ``ngettext``, never through this function."""
    return singular, plural


#: click's texts a signatory can meet, in click's words (the msgids); the names click's
#: types give themselves come last (:data:`TYPE_NAMES`)
TEXTS = (
    # Translators: click's label before the usage line ("Usage: zvhsign sign [OPTIONS] IN")
    N_("Usage:"),
    # Translators: click's pointer to the help, below the usage line of an error
    N_("Try '{command} {option}' for help."),
    # Translators: click's prefix of a usage error
    N_("Error: {message}"),
    # Translators: click's missing argument, followed by its name ("Missing argument 'IN'.")
    N_("Missing argument"),
    # Translators: click's missing option, followed by its names ("Missing option '-o' / '--output'.")
    N_("Missing option"),
    # Translators: click's missing parameter, followed by its name
    N_("Missing parameter"),
    # Translators: click's missing parameter of another kind
    N_("Missing {param_type}"),
    # Translators: click's missing parameter, named
    N_("Missing parameter: {param_name}"),
    # Translators: click's missing command of a command group
    N_("Missing command."),
    # Translators: click's unknown option
    N_("No such option {name!r}."),
    # Translators: click's suggestion after an unknown option (one option or several)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    # Translators: click's unknown command
    N_("No such command {name!r}."),
    # Translators: click's wrong value of an argument or option ('--document', '-d')
    N_("Invalid value for {param_hint}: {message}"),
    # Translators: click's wrong value
    N_("Invalid value: {message}"),
    # Translators: click's arguments left over after parsing
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    # Translators: click's option given without its value
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    # Translators: click's flag given a value (--yes=x)
    N_("Option {name!r} does not take a value."),
    # Translators: click's argument of several values
    N_("Argument {name!r} takes {nargs} values."),
    # Translators: click's parameter of several values given another number of them
    ngettext("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    # Translators: click's choice that is not one of the choices (choices quoted, separated by commas)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    # Translators: click's number that is not a number (number_type: one of the type names below)
    N_("{value!r} is not a valid {number_type}."),
    # Translators: click's number outside its range (range: "1<=x<=99")
    N_("{value} is not in the range {range}."),
    # Translators: click's date that is not in the format asked for
    ngettext("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
    # Translators: click's yes/no value that is neither
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    # Translators: click's identifier that is not a UUID
    N_("{value!r} is not a valid UUID."),
    # Translators: click's path that does not exist (name: file, directory or path, capitalised)
    N_("{name} {filename!r} does not exist."),
    # Translators: click's path that is a file where a directory was asked for
    N_("{name} {filename!r} is a file."),
    # Translators: click's path that is a directory where a file was asked for
    N_("{name} {filename!r} is a directory."),
    # Translators: click's path that can't be read
    N_("{name} {filename!r} is not readable."),
    # Translators: click's path that can't be written
    N_("{name} {filename!r} is not writable."),
    # Translators: click's path that can't be run
    N_("{name} {filename!r} is not executable."),
    # Translators: click's file that could not be opened (message: the system's reason)
    N_("Could not open file {filename!r}: {message}"),
    # Translators: click's reason when the system gave none
    N_("unknown error"),
    # Translators: click's heading of the options in --help
    N_("Options"),
    # Translators: click's heading of the arguments in --help
    N_("Positional arguments"),
    # Translators: click's heading of a command group's commands in --help
    N_("Commands"),
    # Translators: click's help of -h/--help
    N_("Show this message and exit."),
    # Translators: click's note after an option's help in --help ("[default: 24]")
    N_("default: {default}"),
    # Translators: click's note after a required option's help in --help ("[required]")
    N_("required"),
    # Translators: click's note after an option's help in --help: the environment variable read
    N_("env var: {var}"),
    # Translators: click's default that is computed when the command runs
    N_("(dynamic)"),
    # Translators: click's complaint when a yes/no question gets another answer
    N_("Error: invalid input"),
    # Translators: click's complaint when a repeated secret differs from the first
    N_("Error: The two entered values do not match."),
    # Translators: click's prompt to type a secret again
    N_("Repeat for confirmation"),
    # Translators: click's prompt of a list of choices
    N_("Choose from:\n\t{choices}"),
    # Translators: click's last word when a prompt is ended with Ctrl-C or Ctrl-D
    N_("Aborted!"),
)

#: the names click's types give themselves when a command is declared, renamed for the
#: run: the type in click's messages ("File 'x.pdf' does not exist.") and, in capitals,
#: the metavar in --help (-o FILE)
TYPE_NAMES = (
    # Translators: click's name of a path that must be a file (also the metavar FILE in --help)
    N_("file"),
    # Translators: click's name of a path that must be a directory (also the metavar DIRECTORY)
    N_("directory"),
    # Translators: click's name of a path that may be a file or a directory (also the metavar PATH)
    N_("path"),
    # Translators: click's name of an option taking text (the metavar TEXT in --help)
    N_("text"),
    # Translators: click's name of a whole number (the metavar INTEGER; "'x' is not a valid integer.")
    N_("integer"),
    # Translators: click's name of a whole number within bounds (the metavar INTEGER RANGE)
    N_("integer range"),
    # Translators: click's name of a number (the metavar FLOAT; "'x' is not a valid float.")
    N_("float"),
    # Translators: click's name of a number within bounds (the metavar FLOAT RANGE)
    N_("float range"),
)

#: texts click sets when a command or option is declared (at import, in English), renamed
#: for the run: the options and commands in the usage line, the help of --version
DECLARED_TEXTS = (
    # Translators: click's stand-in for the options in the usage line ("Usage: zvhsign sign [OPTIONS] IN")
    N_("[OPTIONS]"),
    # Translators: click's stand-in for the command in a command group's usage line
    N_("COMMAND [ARGS]..."),
    # Translators: click's help of --version
    N_("Show the version and exit."),
)


# -------------------------------------------------------------------------- language


def usage_language(argv: Sequence[str] | None = None) -> str:
    """The language of click's texts for the command line ``argv`` (default: this
    process's arguments): ``$ZVHSIGN_LANG``, else the workspace's ``[display] lang``,
    else Dutch. Never raises: what it can't read counts as not said."""
    if os.environ.get(ENV_VAR, "").strip():
        try:
            return resolve(None)
        except ZvhsignError:  # a language zvhsign does not speak: the command says so
            pass
    setting = _workspace_setting(sys.argv[1:] if argv is None else argv)
    return setting if setting in LANGUAGES else DEFAULT_LANGUAGE


def speaks_workspace_language(argv: Sequence[str] | None, group: click.Group) -> bool:
    """Whether the command ``argv`` (default: this process's arguments) runs in ``group``
    speaks the workspace's language (:data:`SPEAKS_WORKSPACE_LANGUAGE`): the first word
    after the group's own options names the command, and the next one after a subgroup's
    options (``mandate``) its subcommand. The top level -- no command, ``--help``,
    ``--version``, a command that does not exist -- speaks English."""
    path = _command_path(sys.argv[1:] if argv is None else argv, group)
    return " ".join(path) in SPEAKS_WORKSPACE_LANGUAGE


def _command_path(args: Sequence[str], group: click.Group) -> list[str]:
    """The names of the command that runs, from the top (``["mandate", "sign"]``); a
    help or version option before a command, or a name that is no command, ends it."""
    _workspace, ends_here, rest = _group_options(args)
    path: list[str] = []
    command: click.Command = group
    while rest and not ends_here and isinstance(command, click.Group) and rest[0] in command.commands:
        path.append(rest[0])
        command = command.commands[rest[0]]
        _workspace, ends_here, rest = _group_options(rest[1:], workspace_option=False)
    return path


_HELP_OR_VERSION = ("-h", "--help", "--version")


def _group_options(args: Sequence[str], workspace_option: bool = True) -> tuple[str | None, bool, list[str]]:
    """A group's options at the start of ``args``: (DIR of ``-w DIR``, ``-wDIR``,
    ``--workspace DIR`` or ``--workspace=DIR``, or None; whether ``-h``/``--help``/
    ``--version`` ends the run there; the words from the command on). The other options
    take no value; so do all of a subgroup's (``workspace_option=False``: ``mandate``)."""
    workspace, ends_here = None, False
    it = iter(args)
    for token in it:
        if token == "--":
            return workspace, ends_here, list(it)
        if token == "-" or not token.startswith("-"):  # the command: the group's options are behind
            return workspace, ends_here, [token, *it]
        if not workspace_option:
            ends_here = ends_here or token in _HELP_OR_VERSION
        elif token in ("-w", "--workspace"):
            workspace = next(it, None)
        elif token.startswith("--workspace="):
            workspace = token.partition("=")[2]
        elif token.startswith("-w") and not token.startswith("--"):
            workspace = token[2:]
        else:
            ends_here = ends_here or token in _HELP_OR_VERSION
    return workspace, ends_here, []


def _explicit_workspace(args: Sequence[str]) -> str | None:
    """DIR of ``-w DIR``, ``-wDIR``, ``--workspace DIR`` or ``--workspace=DIR`` given
    before the command (the group's option); None without one."""
    return _group_options(args)[0]


def _workspace_root(args: Sequence[str]) -> Path | None:
    explicit = _explicit_workspace(args)
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(WORKSPACE_ENV_VAR)
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    return next((d for d in (here, *here.parents) if (d / CONFIG_NAME).is_file()), None)


def _workspace_setting(args: Sequence[str]) -> str | None:
    """``[display] lang`` of the workspace ``args`` point at; None when there is none
    or it can't be read (a broken configuration is the command's to report)."""
    try:
        root = _workspace_root(args)
        if root is None:
            return None
        raw = tomllib.loads((root / CONFIG_NAME).read_bytes().decode("utf-8"))
        lang = raw.get("display", {}).get("lang")
        return lang if isinstance(lang, str) else None
    except Exception:  # noqa: BLE001 - unreadable, not UTF-8, not TOML, a folder gone: no setting
        return None


# ----------------------------------------------------------------------- translation


def _commands(group: click.Command) -> Iterator[tuple[str, click.Command]]:
    """Every command of ``group`` with its path (``"mandate sign"``; ``""``: the group)."""
    stack = [("", group)]
    while stack:
        path, command = stack.pop()
        yield path, command
        if isinstance(command, click.Group):
            stack.extend((f"{path} {name}".strip(), sub) for name, sub in command.commands.items())


def _names(catalogue: NullTranslations, group: click.Command) -> Iterator[tuple[object, str, object]]:
    """(object, attribute, value in ``catalogue``) of every name :func:`speaking` changes,
    given one at a time: a type shared by several options is renamed once."""
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a click without that module
            continue
        for attr, function in (("_", catalogue.gettext), ("ngettext", catalogue.ngettext)):
            if hasattr(module, attr):
                yield module, attr, function
    for path, command in _commands(group):
        if hasattr(command, "_help_option"):  # click caches it: made anew, in the run's language
            yield command, "_help_option", None
        for attr in ("options_metavar", "subcommand_metavar"):
            if getattr(command, attr, None) in DECLARED_TEXTS:
                yield command, attr, catalogue.gettext(getattr(command, attr))
        for param in command.params:
            if getattr(param.type, "name", None) in TYPE_NAMES:
                yield param.type, "name", catalogue.gettext(param.type.name)
            if getattr(param, "help", None) in DECLARED_TEXTS:
                yield param, "help", catalogue.gettext(param.help)
        if path in SPEAKS_WORKSPACE_LANGUAGE:  # its own texts too: the command's help, its options'
            yield from spoken_help(command, catalogue.gettext)


@contextlib.contextmanager
def speaking(lang: str, group: click.Command) -> Iterator[str]:
    """Click says its texts in ``lang`` inside the block, for the commands of ``group``,
    and the commands that speak the workspace's language their help texts too;
    everything is put back afterwards. ``"en"`` (or a catalogue that is missing: the
    command reports that) changes nothing. Yields the language click speaks."""
    try:
        catalogue = None if lang == "en" else translation(lang)
    except ZvhsignError:
        catalogue = None
    if catalogue is None:
        yield "en"
        return
    saved: list[tuple[object, str, object]] = []
    try:
        for obj, attr, value in _names(catalogue, group):
            saved.append((obj, attr, getattr(obj, attr)))
            setattr(obj, attr, value)
        yield lang
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


__all__ = ["CLICK_MODULES", "DECLARED_TEXTS", "SPEAKS_WORKSPACE_LANGUAGE", "TEXTS", "TYPE_NAMES",
           "speaking", "speaks_workspace_language", "usage_language"]
