"""Workspaces: a folder with ``zvhsign.toml`` (database, trust, TSA) and the registry.

Commands find the workspace through ``--workspace``, the ``ZVHSIGN_WORKSPACE``
environment variable, or the current directory and its parents.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import N_, WorkspaceError

CONFIG_NAME = "zvhsign.toml"
ENV_VAR = "ZVHSIGN_WORKSPACE"


@dataclass(frozen=True)
class Config:
    database_url: str
    trust_roots: tuple[Path, ...]
    secretariat_certs: tuple[Path, ...]
    other_certs: tuple[Path, ...] = ()
    tsa_url: str | None = None
    tsa_timeout: float = 10.0
    test_pki: bool = False  # TEST ONLY: serve the bundled test PKI for each command
    # TEST ONLY: the served test PKI answers (OCSP, CRL, TSA) as if it were this
    # time -- to rehearse a verification years from now
    test_pki_clock: datetime | None = None
    # [display] lang: language of what people read ("nl" default, or "en")
    lang: str = "nl"
    # [report] the official responsible for validation, named in the audit report
    # (the Archiefregeling asks for a person and function, not the OS user)
    responsible_name: str | None = None
    responsible_function: str | None = None
    # [trusted_lists] EU trusted lists as a trust source and for eIDAS qualification:
    # who may sign the list of trusted lists (empty: the certificates pyHanko knows from
    # the Official Journal) and which national lists to read through it
    lotl_signers: tuple[Path, ...] = ()
    territories: tuple[str, ...] = ("NL",)
    # [policy] require_qualified: every partner signature must be a qualified electronic
    # signature (QES); not_qualified: the level of the finding when one is not ("fail"/"warn")
    require_qualified: bool = False
    not_qualified: str = "fail"


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config = field(repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def own_files(self) -> tuple[Path, ...]:
        """The files the workspace lives on -- its configuration, its SQLite registry (with
        SQLite's journal files) and its trust certificates: never an output."""
        files = [self.config_path, *self.config.trust_roots, *self.config.secretariat_certs,
                 *self.config.other_certs, *self.config.lotl_signers]
        url = self.config.database_url
        if url.startswith("sqlite:///") and ":memory:" not in url:
            db = Path(url[len("sqlite:///"):])
            files += [db, *(db.with_name(db.name + suffix) for suffix in ("-journal", "-wal", "-shm"))]
        return tuple(files)

    @property
    def trusted_lists_dir(self) -> Path:
        """Where ``zvhsign trust tl add`` keeps the verified trusted lists."""
        return self.root / "trusted-lists"


def _resolve(root: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


def _db_url(root: Path, url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rel = url[len(prefix):]
        if rel and rel != ":memory:":
            return prefix + str((root / rel).resolve())
    return url


def _clock(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"[testpki] clock must be a date-time, not {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------ the schema

_LIST = "list"  # a list of strings (file names)
_TIMEOUT = "timeout"  # a number of seconds > 0
_DATETIME = "datetime"
_LANG = "lang"  # one of LANGUAGES
_TERRITORIES = "territories"  # a list of two-letter country codes
_LEVEL = "level"  # "fail" or "warn"
LANGUAGES = ("nl", "en")

SCHEMA: dict[str, dict[str, object]] = {
    "database": {"url": str},
    "trust": {"roots": _LIST, "secretariat": _LIST, "other_certs": _LIST},
    "tsa": {"url": str, "timeout": _TIMEOUT},
    "testpki": {"serve": bool, "clock": _DATETIME},
    "display": {"lang": _LANG},
    "report": {"responsible_name": str, "responsible_function": str},
    "trusted_lists": {"lotl_signers": _LIST, "territories": _TERRITORIES},
    "policy": {"require_qualified": bool, "not_qualified": _LEVEL},
}
"""Every section and key zvhsign.toml may hold, and what each value must be.
A new setting is added here (and read in :func:`load_workspace`)."""

MAX_TIMEOUT_S = 3600


def _closest(word: str, options) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _type_name(value) -> str:
    return {
        bool: "true/false", int: "a number", float: "a number", str: "a string",
        list: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)


def _check_str(where: str, value) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a string (in quotes), not {_type_name(value)}")


def _check_bool(where: str, value) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false, not {_type_name(value)}")


def _check_list(where: str, value) -> None:
    if not isinstance(value, list):
        example = f'["{value}"]' if isinstance(value, str) else '["file.pem"]'
        raise ValueError(f"{where} must be a list of file names, e.g. {example}, not {_type_name(value)}")
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item:
            raise ValueError(f"{where}: item {i} must be a file name (a string), not {_type_name(item)}")


def _check_timeout(where: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number of seconds, not {_type_name(value)}")
    if not value > 0 or value > MAX_TIMEOUT_S:  # also catches nan
        raise ValueError(
            f"{where} = {value} is out of range: give a number of seconds greater than 0 "
            f"and at most {MAX_TIMEOUT_S} (0 would mean waiting forever)"
        )


def _check_territories(where: str, value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) == 2 and v.isalpha() for v in value):
        raise ValueError(f'{where} must be a list of two-letter country codes, e.g. ["NL"], not {value!r}')


def _check_level(where: str, value) -> None:
    if value not in ("fail", "warn"):
        raise ValueError(f'{where} must be "fail" or "warn", not {value!r}')


def _check_lang(where: str, value) -> None:
    if value not in LANGUAGES:
        raise ValueError(f"{where} must be one of {', '.join(repr(x) for x in LANGUAGES)}, not {value!r}")


def _check_datetime(where: str, value) -> None:
    if not isinstance(value, (str, datetime)):
        raise ValueError(f"{where} must be a date-time, not {_type_name(value)}")


_CHECKS = {
    str: _check_str, bool: _check_bool, _LIST: _check_list, _TIMEOUT: _check_timeout,
    _TERRITORIES: _check_territories, _LEVEL: _check_level, _LANG: _check_lang, _DATETIME: _check_datetime,
}


def _check_value(where: str, kind, value) -> None:
    _CHECKS[kind](where, value)


def validate_config(raw: dict) -> None:
    """Check ``raw`` (parsed zvhsign.toml) against :data:`SCHEMA`; ValueError naming the
    first problem (with the closest valid key for an unknown one)."""
    for section, body in raw.items():
        if section not in SCHEMA:
            if not isinstance(body, dict):
                homes = [f"[{s}] {section}" for s, keys in SCHEMA.items() if section in keys]
                guess = homes[0] if homes else None
                if guess is None:
                    near = _closest(section, {k for keys in SCHEMA.values() for k in keys})
                    guess = next((f"[{s}] {near}" for s, keys in SCHEMA.items() if near in keys), None)
                hint = f"; did you mean {guess} (under its section)?" if guess else ""
                raise ValueError(f"unknown key {section!r} outside any section{hint}")
            near = _closest(section, SCHEMA)
            hint = f"; did you mean [{near}]?" if near else f"; valid sections: {', '.join(f'[{s}]' for s in SCHEMA)}"
            raise ValueError(f"unknown section [{section}]{hint}")
        if not isinstance(body, dict):
            raise ValueError(f"[{section}] must be a section (a table), not {_type_name(body)}")
        keys = SCHEMA[section]
        for key, value in body.items():
            if key not in keys:
                near = _closest(key, keys)
                hint = f"; did you mean {near}?" if near else f"; valid keys: {', '.join(keys)}"
                raise ValueError(f"unknown key {key!r} in [{section}]{hint}")
            _check_value(f"[{section}] {key}", keys[key], value)


def _read_config(path: Path, root: Path) -> dict:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise WorkspaceError(f"{root} is not a zvhsign workspace (no {CONFIG_NAME})") from None
    except IsADirectoryError:
        raise WorkspaceError(f"{path} is a directory, not a configuration file") from None
    except OSError as exc:
        raise WorkspaceError(
            f"can't read {path}: {exc.strerror}", hint="check the file's permissions"
        ) from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise WorkspaceError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path}: not valid TOML: {exc}") from None


def _check_db_url(url: str) -> None:
    from ..errors import RegistryError
    from ..registry._db import parse_url

    try:
        parse_url(url)
    except RegistryError as exc:
        raise ValueError(f"[database] url: {exc.message}; {exc.hint}" if exc.hint else exc.message) from None


def load_workspace(root: Path) -> Workspace:
    root = Path(root)
    path = root / CONFIG_NAME
    raw = _read_config(path, root)
    try:
        validate_config(raw)
        db = raw.get("database", {})
        trust = raw.get("trust", {})
        tsa = raw.get("tsa", {})
        url = db.get("url", "sqlite:///zvhsign.db")
        _check_db_url(url)
        cfg = Config(
            database_url=_db_url(root, url),
            trust_roots=tuple(_resolve(root, p) for p in trust.get("roots", [])),
            secretariat_certs=tuple(_resolve(root, p) for p in trust.get("secretariat", [])),
            other_certs=tuple(_resolve(root, p) for p in trust.get("other_certs", [])),
            tsa_url=tsa.get("url") or None,
            tsa_timeout=float(tsa.get("timeout", 10)),
            test_pki=bool(raw.get("testpki", {}).get("serve", False)),
            test_pki_clock=_clock(raw.get("testpki", {}).get("clock")),
            lang=raw.get("display", {}).get("lang", "nl"),
            responsible_name=raw.get("report", {}).get("responsible_name") or None,
            responsible_function=raw.get("report", {}).get("responsible_function") or None,
            lotl_signers=tuple(_resolve(root, p) for p in raw.get("trusted_lists", {}).get("lotl_signers", [])),
            territories=tuple(t.upper() for t in raw.get("trusted_lists", {}).get("territories", ["NL"])),
            require_qualified=bool(raw.get("policy", {}).get("require_qualified", False)),
            not_qualified=raw.get("policy", {}).get("not_qualified", "fail"),
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise WorkspaceError(f"{path}: {exc}") from None
    if not cfg.trust_roots:
        raise WorkspaceError(f"{path}: [trust] roots is empty; at least one trust root is needed")
    for p in cfg.trust_roots + cfg.secretariat_certs + cfg.other_certs + cfg.lotl_signers:
        if not p.is_file():
            raise WorkspaceError(f"{path}: certificate file {p} does not exist")
    return Workspace(root.resolve(), cfg)


def find_workspace(explicit: Path | None = None) -> Workspace:
    if explicit is not None:
        return load_workspace(Path(explicit))
    env = os.environ.get(ENV_VAR)
    if env:
        return load_workspace(Path(env))
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return load_workspace(d)
    raise WorkspaceError.spoken(
        N_("no zvhsign workspace here"),
        hint=N_("run `zvhsign init DIR`, cd into a workspace, or pass --workspace / set {variable}"),
        variable=ENV_VAR,
    )


NO_TSA_NOTE = (
    "no timestamp authority: signatures are made at PAdES B-B, without a trusted time. "
    "verify can't prove when a copy was signed, so rules that depend on time or order "
    "(signed after the mandate, before a revocation or a newer version) stay undecided, "
    "and signatures can't be kept valid long-term (no B-LT/B-LTA, no `zvhsign extend`). "
    "Set [tsa] url in zvhsign.toml to add one."
)


def render_config(
    *,
    database_url: str,
    trust_roots: list[str],
    secretariat: list[str],
    other_certs: list[str],
    tsa_url: str | None,
    test_pki: bool,
    tsa_timeout: float = 10,
    responsible_name: str | None = None,
    responsible_function: str | None = None,
    lotl_signers: list[str] = (),
) -> str:
    """zvhsign.toml written by a TOML library (tomlkit: values always quoted and escaped
    correctly), with a comment on each setting. ``responsible_name`` and
    ``responsible_function`` (the official the audit report names) go into ``[report]``."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment("zvhsign workspace configuration"))
    doc.add(tomlkit.nl())

    database = tomlkit.table()
    database.add(tomlkit.comment("SQLite file (relative to this folder) or postgresql+psycopg://user@host/db"))
    database.add("url", database_url)
    doc.add("database", database)

    trust = tomlkit.table()
    trust.add(tomlkit.comment("certificates (PEM) of the roots signatures must chain to"))
    trust.add("roots", list(trust_roots))
    trust.add(tomlkit.comment("certificates whose certification signature approves a version"))
    trust.add("secretariat", list(secretariat))
    trust.add(tomlkit.comment("intermediate certificates that help build chains"))
    trust.add("other_certs", list(other_certs))
    doc.add("trust", trust)

    tsa = tomlkit.table()
    tsa.add(tomlkit.comment("RFC 3161 timestamp authority used by approve and sign"))
    if not tsa_url:
        tsa.add(tomlkit.comment("none configured: " + NO_TSA_NOTE.split(": ", 1)[1].split(". ")[0]))
    tsa.add("url", tsa_url or "")
    tsa.add(tomlkit.comment("seconds to wait for an answer (> 0)"))
    tsa.add("timeout", int(tsa_timeout) if float(tsa_timeout).is_integer() else float(tsa_timeout))
    doc.add("tsa", tsa)

    if test_pki:
        testpki = tomlkit.table()
        testpki.add(tomlkit.comment("TEST ONLY: serve the bundled ZVH Test PKI (TSA, OCSP, CRLs) on 127.0.0.1"))
        testpki.add(tomlkit.comment("for the duration of each command. Never use in production."))
        testpki.add("serve", True)
        doc.add("testpki", testpki)

    report = tomlkit.table()
    report.add(tomlkit.comment("the official responsible for validation, named in every audit report"))
    report.add(tomlkit.comment("(Archiefregeling art. 24: a person and a function); `zvhsign report` needs both"))
    if responsible_name or responsible_function:
        report.add("responsible_name", responsible_name or "")
        report.add("responsible_function", responsible_function or "")
    else:
        report.add(tomlkit.comment('responsible_name = "J. de Vries"'))
        report.add(tomlkit.comment('responsible_function = "Functionaris voor de gegevensbescherming"'))
    doc.add("report", report)

    tl = tomlkit.table()
    tl.add(tomlkit.comment("EU trusted lists (`zvhsign trust tl add`): certificates that may sign the list of"))
    tl.add(tomlkit.comment("trusted lists (empty: those published in the Official Journal), and the countries"))
    tl.add(tomlkit.comment("whose national lists are read through it"))
    tl.add("lotl_signers", list(lotl_signers))
    tl.add("territories", ["NL"])
    doc.add("trusted_lists", tl)

    policy = tomlkit.table()
    policy.add(tomlkit.comment("require_qualified: every partner signature must be a qualified electronic signature"))
    policy.add(tomlkit.comment('(QES, per the trusted lists); not_qualified: "fail" or "warn" when one is not'))
    policy.add("require_qualified", False)
    policy.add("not_qualified", "fail")
    doc.add("policy", policy)
    text = tomlkit.dumps(doc)
    validate_config(tomllib.loads(text))  # what we write, we can read
    return text
