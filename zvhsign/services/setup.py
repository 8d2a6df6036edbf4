"""Creating a workspace (``zvhsign init``).

Everything that can be checked is checked before anything is written: the settings, the
certificate files, the database URL (syntax and database system) and the database itself
(reachable, empty). What is written then -- folders, ``trust/`` files, ``zvhsign.toml``, a
SQLite registry file -- is noted as it is made, and removed again when a later step fails
or the command is interrupted, so a failed ``init`` leaves the folder as it found it and
can simply be run again. What was there before is never removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import RegistryError, UsageError, WorkspaceError, os_reason
from .files import OutputError
from .workspace import CONFIG_NAME, NO_TSA_NOTE, Workspace, _db_url, load_workspace, render_config

DEFAULT_DATABASE_URL = "sqlite:///zvhsign.db"


class _Made:
    """The paths one ``init`` created, to remove them again (newest first) when it fails."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def folder(self, path: Path) -> None:
        """``mkdir -p path``, noting each folder made."""
        missing = []
        while not path.exists() and not path.is_symlink():
            missing.append(path)
            path = path.parent
        for p in reversed(missing):
            p.mkdir()
            self.paths.append(p)

    def file(self, path: Path) -> None:
        """Note ``path`` before it is written, when it does not exist yet."""
        if not path.exists() and not path.is_symlink():
            self.paths.append(path)

    def sqlite(self, url: str) -> None:
        """Note the files a SQLite registry at ``url`` would create (database, journal, WAL)."""
        from ..registry._db import parse_url, sqlite_file

        path = sqlite_file(parse_url(url))
        if path is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                self.file(path.with_name(path.name + suffix))

    def undo(self) -> None:
        """Remove what was made, newest first; a folder only when it is empty again."""
        for p in reversed(self.paths):
            try:
                if p.is_dir() and not p.is_symlink():
                    p.rmdir()
                else:
                    p.unlink(missing_ok=True)
            except OSError:
                pass  # something else was put there meanwhile: it stays
        self.paths.clear()


def _check_database_url(url: str, directory: Path) -> str:
    """``url`` as the workspace in ``directory`` will use it, when zvhsign can use it (syntax,
    database system, the folder of a SQLite file): UsageError (exit 2) if not."""
    from ..registry._db import parse_url, sqlite_file

    try:
        parse_url(url)
    except RegistryError as exc:
        raise UsageError(f"--database-url: {exc.message}", hint=exc.hint) from None
    resolved = _db_url(directory.absolute(), url)
    path = sqlite_file(parse_url(resolved))
    if path is not None and path.parent != directory.resolve() and not path.parent.is_dir():
        raise UsageError(f"--database-url: the folder {path.parent} of the SQLite registry does not exist")
    return resolved


def _trust_copies(trust_dir: Path, groups) -> dict[Path, Path]:  # noqa: ANN001
    """Source -> target of every certificate copied into ``trust/``; UsageError when two
    different files would get one name, or a file already in ``trust/`` would be replaced."""
    from ..pdf.trust import check_certificate_file

    plan: dict[Path, Path] = {}
    by_name: dict[str, bytes] = {}
    for p in (Path(p) for paths in groups for p in paths):
        if not p.is_file():
            raise UsageError(f"certificate file {p} does not exist")
        check_certificate_file(p)
        data = p.read_bytes()
        if by_name.setdefault(p.name, data) != data:
            raise UsageError(f"two different certificate files are called {p.name}; "
                             "they would overwrite each other in trust/", hint="rename one of them")
        target = trust_dir / p.name
        if target.exists() and (not target.is_file() or target.read_bytes() != data):
            raise UsageError(f"{target} already exists with other content; init does not replace it",
                             hint="move it away, or init another folder")
        plan[p] = target
    return plan


def _registry_details(ws: Workspace, **extra) -> dict:
    """The ``init`` event's details: the trust settings (later changes show as ``config``
    events) and the SHA-256 of zvhsign.toml."""
    from ..domain.digests import Sha256

    from .registry_access import trust_snapshot

    return {"config_sha256": Sha256.of(ws.config_path.read_bytes()).hex, **trust_snapshot(ws), **extra}


def init_workspace(
    directory: Path,
    *,
    trust_roots: list[Path],
    secretariat: list[Path],
    other_certs: list[Path] = (),
    tsa_url: str | None = None,
    database_url: str | None = None,
    test_pki: bool = False,
    responsible_name: str | None = None,
    responsible_function: str | None = None,
    lotl_signers: list[Path] = (),
) -> Workspace:
    """Create ``directory`` as a workspace: config, copied trust certificates, registry.
    ``responsible_name`` / ``responsible_function``: the official the audit report names.
    Nothing is written before every check passed; a failure afterwards removes what was made."""
    from ..registry import Registry

    directory = Path(directory)
    if (directory / CONFIG_NAME).exists():
        raise WorkspaceError(
            f"{directory} is already a workspace ({CONFIG_NAME} exists)",
            hint=f"its settings are in {CONFIG_NAME}; `zvhsign init {directory}` without options "
            "creates its registry if it has none",
        )
    if not trust_roots:
        raise UsageError("at least one trust root is needed (--trust-root, or --test-pki)")
    if not secretariat:
        raise UsageError("at least one secretariat certificate is needed (--secretariat, or --test-pki)")
    url = database_url or DEFAULT_DATABASE_URL
    resolved_url = _check_database_url(url, directory)
    trust_dir = directory / "trust"
    plan = _trust_copies(trust_dir, (trust_roots, secretariat, other_certs, lotl_signers))
    Registry.check_creatable(resolved_url)  # reachable and empty

    def names(paths) -> list[str]:  # noqa: ANN001
        return [f"trust/{plan[Path(p)].name}" for p in paths]

    text = render_config(
        database_url=url, trust_roots=names(trust_roots), secretariat=names(secretariat),
        other_certs=names(other_certs), tsa_url=tsa_url, test_pki=test_pki,
        responsible_name=responsible_name, responsible_function=responsible_function,
        lotl_signers=names(lotl_signers),
    )
    made = _Made()
    try:
        made.folder(trust_dir)
        for source, target in plan.items():
            made.file(target)
            shutil.copyfile(source, target)
        tmp = directory / (CONFIG_NAME + ".partial")
        made.file(tmp)
        tmp.write_text(text, encoding="utf-8")
        made.file(directory / CONFIG_NAME)
        tmp.replace(directory / CONFIG_NAME)
        ws = load_workspace(directory)
        made.sqlite(ws.config.database_url)
        Registry.create(ws.config.database_url, details=_registry_details(ws)).close()
    except OSError as exc:
        made.undo()
        raise OutputError(f"can't create the workspace {directory}: {os_reason(exc)}; "
                          "nothing was left behind") from None
    except BaseException:
        made.undo()
        raise
    return ws


def create_missing_registry(directory: Path) -> Workspace:
    """The registry of the existing workspace ``directory`` that has none (its SQLite file is
    missing, or its database is empty), created as ``init`` would; WorkspaceError when it
    has one, the registry's own error when it can't be opened for another reason."""
    from ..registry import Registry
    from ..registry._registry import INIT_HINT

    ws = load_workspace(Path(directory))
    url = ws.config.database_url
    try:
        Registry.open(url).close()
    except RegistryError as exc:
        if exc.hint != INIT_HINT:
            raise
    else:
        raise WorkspaceError(
            f"{directory} is already a workspace ({CONFIG_NAME} exists) with its registry",
            hint=f"its settings are in {CONFIG_NAME}; to start afresh, init another folder",
        )
    made = _Made()
    try:
        made.sqlite(url)
        Registry.create(url, details=_registry_details(ws, existing_workspace=True)).close()
    except BaseException:
        made.undo()
        raise
    return ws


def workspace_notes(ws: Workspace) -> list[str]:
    """What an operator should know about a new (or any) workspace, one line each:
    ``zvhsign init`` prints these after "workspace ready"."""
    notes = []
    if not ws.config.tsa_url:
        notes.append(NO_TSA_NOTE)
    if ws.config.test_pki:
        notes.append("TEST ONLY: this workspace trusts the bundled ZVH Test PKI; never use it in production.")
    return notes


def init_test_workspace(directory: Path, *, database_url: str | None = None,
                        responsible_name: str | None = None,
                        responsible_function: str | None = None) -> Workspace:
    """A workspace on the bundled ZVH Test PKI (TEST ONLY)."""
    from ..testpki import TSA_URL, certs_dir

    out = certs_dir() / "out"
    return init_workspace(
        directory,
        trust_roots=[out / "zvh-root.cert.pem"],
        secretariat=[out / "secretariaat.cert.pem"],
        other_certs=[out / "zvh-ca.cert.pem"],
        tsa_url=TSA_URL,
        database_url=database_url,
        test_pki=True,
        responsible_name=responsible_name,
        responsible_function=responsible_function,
        lotl_signers=[out / "lotl-signer.cert.pem"],
    )
