"""The registry: approved versions, their PDFs, and the audit log, in one database.

:class:`Registry` is put together by concern: the transactions (``_tx``), approved
versions (``_approved``), stored files (``_blobs``), the audit log and its anchors
(``_auditlog``), configuration and trust-settings events (``_trust_log``) and the check
of the evidence at rest (``_storage``); this module opens, creates and upgrades it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, inspect

from zvhsign.errors import RegistryError

from . import _migrate
from ._approved import ApprovedVersions
from ._blobs import StoredFiles
from ._db import guarded, make_engine, parse_url, safe_url, sqlite_file
from ._storage import INTEGRITY_MAX_LINES, EvidenceAtRest, StorageCheck, StorageProblem
from ._trust_log import TrustSettingsLog
from ._tx import WriteTx, current_os_user

__all__ = [
    "INIT_HINT",
    "INTEGRITY_MAX_LINES",
    "UPGRADE_HINT",
    "Registry",
    "StorageCheck",
    "StorageProblem",
    "WriteTx",
    "current_os_user",
]

INIT_HINT = "run `zvhsign init DIR` on the workspace folder DIR, without options, to create the registry"
UPGRADE_HINT = "run `zvhsign db upgrade` (after a backup of the database)"


def _check_schema(conn: Connection, shown: str) -> str:
    """The schema revision of an opened database, or RegistryError why it is unusable."""
    heads = _migrate.current_heads(conn)
    if not heads:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if not tables:
            raise RegistryError(f"the database {shown} holds no zvhsign registry", hint=INIT_HINT)
        raise RegistryError(
            f"the database {shown} is not a zvhsign registry (it has tables but no schema version)",
            hint="point zvhsign at its own, empty database and run `zvhsign init`",
        )
    if len(heads) > 1:
        raise RegistryError(
            f"the registry {shown} has several schema versions at once ({', '.join(heads)})",
            hint="restore it from a backup",
        )
    rev = heads[0]
    head = _migrate.head_revision()
    if rev == head:
        return rev
    if not _migrate.known_revision(rev):
        raise RegistryError(
            f"the registry {shown} has schema version {rev!r}, unknown to this zvhsign "
            f"(which knows up to {head!r}); it was made by a newer zvhsign or is damaged",
            hint="use the zvhsign version that created it, or restore a backup",
        )
    if _migrate.is_ancestor_of_head(rev):
        raise RegistryError(
            f"the registry {shown} has schema version {rev!r}, older than this zvhsign's {head!r}",
            hint=UPGRADE_HINT,
        )
    raise RegistryError(
        f"the registry {shown} has schema version {rev!r}, which is not on this zvhsign's "
        f"migration path to {head!r}",
        hint="restore a backup made with this zvhsign version",
    )


def _check_empty(conn: Connection, shown: str) -> None:
    """RegistryError unless the database holds no tables (what ``create`` needs)."""
    tables = set(inspect(conn).get_table_names())
    if tables:
        raise RegistryError(
            f"the database {shown} is not empty (it holds {len(tables)} table(s)); "
            "zvhsign init needs an empty database",
            hint="to use an existing registry, just open it; to update its schema "
            "run `zvhsign db upgrade`",
        )


class Registry(ApprovedVersions, StoredFiles, TrustSettingsLog, EvidenceAtRest):
    """The registry database. Get one with :meth:`open` or :meth:`create`.

    All reads return domain objects. Every change appends one audit event in the
    same transaction, chained to the previous one by hash.
    """

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    def open(cls, url: str) -> "Registry":
        """Open an existing registry whose schema is at the current revision."""
        u = parse_url(url)
        shown = safe_url(u)
        path = sqlite_file(u)
        if path is not None and not path.exists():
            raise RegistryError(f"no registry database at {path}", hint=INIT_HINT)
        engine = make_engine(u)
        try:
            with guarded(u, "opening the registry"), engine.connect() as conn:
                with conn.begin():
                    _check_schema(conn, shown)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, url)

    @classmethod
    def create(
        cls, url: str, *, actor: str | None = None, details: Mapping[str, object] | None = None
    ) -> "Registry":
        """Create the schema on an empty database and log the ``init`` event.

        ``details`` are added to the event (e.g. ``config_sha256`` of the workspace file).
        """
        u = parse_url(url)
        shown = safe_url(u)
        engine = make_engine(u)
        reg = cls(engine, url)
        try:
            with reg._write("creating the registry", lock_head=False) as tx:
                conn = tx.session.connection()
                _check_empty(conn, shown)
                _migrate.upgrade(conn, "head")
                tx.head = reg._lock_head(tx.session)
                reg._append(
                    tx,
                    action="init",
                    subject="registry",
                    actor=actor or current_os_user(),
                    details={**dict(details or {}), "schema_revision": _migrate.head_revision()},
                )
        except BaseException:
            engine.dispose()
            raise
        return reg

    @classmethod
    def check_creatable(cls, url: str) -> None:
        """What :meth:`create` would refuse, found without writing anything: a URL that is
        unusable (:func:`parse_url`), no driver, a database out of reach or not empty.
        A SQLite file that does not exist yet is left so (``create`` makes it)."""
        u = parse_url(url)
        path = sqlite_file(u)
        if path is not None and not path.exists():
            return
        engine = make_engine(u)
        try:
            with guarded(u, "checking the registry database"), engine.connect() as conn:
                _check_empty(conn, safe_url(u))
        finally:
            engine.dispose()

    @classmethod
    def upgrade(cls, url: str, *, actor: str | None = None) -> tuple[str, str]:
        """Apply pending migrations; returns (revision before, revision after).

        Logs a ``db-upgrade`` audit event when the schema changed.
        """
        u = parse_url(url)
        shown = safe_url(u)
        path = sqlite_file(u)
        if path is not None and not path.exists():
            raise RegistryError(f"no registry database at {path}", hint=INIT_HINT)
        engine = make_engine(u)
        reg = cls(engine, url)
        try:
            with reg._write("upgrading the registry schema", lock_head=False) as tx:
                conn = tx.session.connection()
                try:
                    before = _check_schema(conn, shown)
                except RegistryError as exc:
                    if exc.hint != UPGRADE_HINT:
                        raise
                    before = _migrate.current_heads(conn)[0]
                head = _migrate.head_revision()
                if before == head:
                    return before, head
                _migrate.upgrade(conn, "head")
                tx.head = reg._lock_head(tx.session)
                reg._append(
                    tx,
                    action="db-upgrade",
                    subject="registry schema",
                    actor=actor or current_os_user(),
                    details={"from_revision": before, "to_revision": head},
                )
            return before, head
        finally:
            engine.dispose()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def current_revision(self) -> str | None:
        with self._read("reading the schema version") as s:
            heads = _migrate.current_heads(s.connection())
        return heads[0] if len(heads) == 1 else None

    @staticmethod
    def head_revision() -> str:
        return _migrate.head_revision()

    @property
    def governance(self):
        """Partners, signatories, mandates and recorded copies (``_governance.GovernanceStore``)."""
        from ._governance import GovernanceStore

        return GovernanceStore(self)

    def __repr__(self) -> str:
        return f"Registry({self._shown!r})"
