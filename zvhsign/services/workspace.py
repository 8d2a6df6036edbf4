"""Workspaces: a folder with ``zvhsign.toml`` (database, trust, TSA) and the registry.

Commands find the workspace through ``--workspace``, the ``ZVHSIGN_WORKSPACE``
environment variable, or the current directory and its parents.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import WorkspaceError

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


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config = field(repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


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


def load_workspace(root: Path) -> Workspace:
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(f"{root} is not a zvhsign workspace (no {CONFIG_NAME})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: not valid TOML: {exc}") from None
    try:
        db = raw.get("database", {})
        trust = raw.get("trust", {})
        tsa = raw.get("tsa", {})
        cfg = Config(
            database_url=_db_url(root, db.get("url", "sqlite:///zvhsign.db")),
            trust_roots=tuple(_resolve(root, p) for p in trust.get("roots", [])),
            secretariat_certs=tuple(_resolve(root, p) for p in trust.get("secretariat", [])),
            other_certs=tuple(_resolve(root, p) for p in trust.get("other_certs", [])),
            tsa_url=tsa.get("url") or None,
            tsa_timeout=float(tsa.get("timeout", 10)),
            test_pki=bool(raw.get("testpki", {}).get("serve", False)),
            test_pki_clock=_clock(raw.get("testpki", {}).get("clock")),
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise WorkspaceError(f"{path}: unexpected value: {exc}") from None
    if not cfg.trust_roots:
        raise WorkspaceError(f"{path}: [trust] roots is empty; at least one trust root is needed")
    for p in cfg.trust_roots + cfg.secretariat_certs + cfg.other_certs:
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
    raise WorkspaceError(
        "no zvhsign workspace here",
        hint=f"run `zvhsign init DIR`, cd into a workspace, or pass --workspace / set {ENV_VAR}",
    )


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_config(
    *,
    database_url: str,
    trust_roots: list[str],
    secretariat: list[str],
    other_certs: list[str],
    tsa_url: str | None,
    test_pki: bool,
) -> str:
    lines = [
        "# zvhsign workspace configuration",
        "",
        "[database]",
        "# SQLite file (relative to this folder) or postgresql+psycopg://user@host/db",
        f"url = {_q(database_url)}",
        "",
        "[trust]",
        "# certificates (PEM) of the roots signatures must chain to",
        f"roots = [{', '.join(_q(p) for p in trust_roots)}]",
        "# certificates whose certification signature approves a version",
        f"secretariat = [{', '.join(_q(p) for p in secretariat)}]",
        "# intermediate certificates that help build chains",
        f"other_certs = [{', '.join(_q(p) for p in other_certs)}]",
        "",
        "[tsa]",
        "# RFC 3161 timestamp authority used by approve and sign",
        f"url = {_q(tsa_url or '')}",
        "timeout = 10",
    ]
    if test_pki:
        lines += [
            "",
            "[testpki]",
            "# TEST ONLY: serve the bundled ZVH Test PKI (TSA, OCSP, CRLs) on 127.0.0.1",
            "# for the duration of each command. Never use in production.",
            "serve = true",
        ]
    return "\n".join(lines) + "\n"
