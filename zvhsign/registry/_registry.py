"""The registry: approved versions, their PDFs, and the audit log, in one database."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from zvhsign.domain.audit import (
    ANCHOR_ACTION,
    Anchor,
    AuditEvent,
    ChainHead,
    ChainProblem,
    anchors_of,
    check_anchors,
    verify_chain,
)
from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import ApprovedVersion, DocumentKind, check_version_label, version_key
from zvhsign.errors import RegistryError, UsageError

from . import _migrate
from ._db import (
    WRITE_OPTION,
    ConflictError,
    DuplicateError,
    NotFoundError,
    guarded,
    make_engine,
    parse_url,
    safe_url,
    sqlite_file,
)
from .models import (
    ApprovedVersionRow,
    AuditChainHead,
    AuditEventRow,
    Blob,
    MandateRow,
    RecordedCopyRow,
)

INIT_HINT = "run `zvhsign init` to create the registry"
UPGRADE_HINT = "run `zvhsign db upgrade` (after a backup of the database)"


def current_os_user() -> str:
    """The OS user running zvhsign: the ``actor`` of audit events."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry / no USER in containers
        return os.environ.get("USER") or os.environ.get("USERNAME") or f"uid:{os.getuid()}"



def _check_version(version: str) -> str:
    try:
        return check_version_label(version)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _to_domain(row: ApprovedVersionRow) -> ApprovedVersion:
    return ApprovedVersion(
        document=DocumentKind(row.document),
        version=row.version,
        source_sha256=Sha256(row.source_sha256),
        approved_sha256=Sha256(row.approved_sha256),
        approved_size=row.approved_size,
        decided_on=row.decided_on,
        approved_at=row.approved_at,
        approver_fingerprint=row.approver_fingerprint,
        superseded_by=row.superseded_by,
    )


def _event_to_domain(row: AuditEventRow) -> AuditEvent:
    # A tampered row may not even parse; keep it so verification reports it as altered.
    try:
        objs = tuple(json.loads(row.object_sha256s))
    except (ValueError, TypeError):
        objs = (str(row.object_sha256s),)
    try:
        details = json.loads(row.details)
        if not isinstance(details, dict):
            details = {"<unparseable>": row.details}
    except (ValueError, TypeError):
        details = {"<unparseable>": str(row.details)}
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        actor_certificate=row.actor_certificate,
        action=row.action,
        subject=row.subject,
        object_sha256s=objs,
        details=details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _hex(sha256: Sha256 | str) -> str:
    return sha256.hex if isinstance(sha256, Sha256) else Sha256(str(sha256).lower()).hex


@dataclass
class _Tx:
    """One open write transaction (see :meth:`Registry.write`)."""

    session: Session
    head: AuditChainHead | None

    def append(
        self,
        action: str,
        subject: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Append an audit event in this transaction: it commits with the change, or not at all."""
        return Registry._append(
            self,
            action=action,
            subject=subject,
            actor=actor,
            actor_certificate=actor_certificate,
            object_sha256s=object_sha256s,
            details=details,
        )


WriteTx = _Tx
"""Public name of the write-transaction handle (``session`` + ``append``)."""


@dataclass(frozen=True)
class StorageProblem:
    """Evidence at rest that is not what the registry recorded (see :meth:`Registry.check_storage`).

    ``kind``: ``blob-altered`` (the stored bytes no longer have their SHA-256),
    ``blob-size`` (their length differs from the recorded one), ``blob-missing`` (a
    record points at a file that is not stored), ``blob-unreadable``, ``database-integrity`` (the
    database's own integrity check failed). ``object`` names what is affected."""

    kind: str
    object: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.object}: {self.message}"


@dataclass(frozen=True)
class StorageCheck:
    """What re-hashing the stored files and the database's integrity check found."""

    blobs: int
    problems: tuple[StorageProblem, ...]
    notes: tuple[str, ...] = ()
    integrity_checked: bool = False

    @property
    def intact(self) -> bool:
        return not self.problems


INTEGRITY_MAX_LINES = 20
"""At most this many lines of SQLite's ``PRAGMA integrity_check`` are reported."""


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


class Registry:
    """The registry database. Get one with :meth:`open` or :meth:`create`.

    All reads return domain objects. Every change appends one audit event in the
    same transaction, chained to the previous one by hash.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._shown = safe_url(url)

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
                tables = set(inspect(conn).get_table_names())
                if tables:
                    raise RegistryError(
                        f"the database {shown} is not empty (it holds {len(tables)} table(s)); "
                        "zvhsign init needs an empty database",
                        hint="to use an existing registry, just open it; to update its schema "
                        "run `zvhsign db upgrade`",
                    )
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

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return self._shown

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def current_revision(self) -> str | None:
        with self._read("reading the schema version") as s:
            heads = _migrate.current_heads(s.connection())
        return heads[0] if len(heads) == 1 else None

    @staticmethod
    def head_revision() -> str:
        return _migrate.head_revision()

    # -- transactions --------------------------------------------------------

    @contextmanager
    def _read(self, doing: str) -> Iterator[Session]:
        with guarded(self._url, doing), self._engine.connect() as conn:
            with conn.begin(), Session(bind=conn) as session:
                yield session

    @contextmanager
    def _write(self, doing: str, *, lock_head: bool = True) -> Iterator[_Tx]:
        """One write transaction; with ``lock_head`` the audit chain head is locked first.

        SQLite: BEGIN IMMEDIATE (the database write lock, waiting up to the busy
        timeout). PostgreSQL: SELECT ... FOR UPDATE on the one-row chain head.
        """
        with guarded(self._url, doing), self._engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin(), Session(bind=conn, autoflush=True) as session:
                tx = _Tx(session, self._lock_head(session) if lock_head else None)
                yield tx
                session.flush()

    @contextmanager
    def write(self, doing: str) -> Iterator[_Tx]:
        """A write transaction for registry modules that change rows *and* log the change.

        The audit chain head is locked first (so writers are serialised and the
        chain can't fork); ``tx.session`` is a SQLAlchemy session on the
        transaction and ``tx.append(action, subject, actor=..., ...)`` logs the
        event. Both commit together when the block ends, or neither does (an
        exception, a crash, SIGKILL). ``doing`` names the action in error
        messages, e.g. "registering partner Gemeente Haarlem"::

            with registry.write("registering partner X") as tx:
                tx.session.add(PartnerRow(...))
                tx.append("register-partner", "Gemeente Haarlem", actor=actor,
                          object_sha256s=(...), details={...})
        """
        with self._write(doing) as tx:
            yield tx

    @staticmethod
    def _lock_head(session: Session) -> AuditChainHead:
        head = session.execute(
            select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            raise RegistryError(
                "the registry's audit chain head is missing: the database was tampered with",
                hint="restore it from a backup",
            )
        return head

    @staticmethod
    def _append(
        tx: _Tx,
        *,
        action: str,
        subject: str,
        actor: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        head = tx.head
        assert head is not None, "audit append outside a locked write transaction"
        try:
            ev = AuditEvent.build(
                seq=head.seq + 1,
                prev_hash=head.hash,
                at=datetime.now(timezone.utc),
                actor=actor,
                actor_certificate=actor_certificate,
                action=action,
                subject=subject,
                object_sha256s=object_sha256s,
                details=details,
            )
        except (TypeError, ValueError) as exc:
            raise UsageError(f"can't log audit event {action!r}: {exc}") from None
        tx.session.add(
            AuditEventRow(
                seq=ev.seq,
                at=ev.at,
                actor=ev.actor,
                actor_certificate=ev.actor_certificate,
                action=ev.action,
                subject=ev.subject,
                object_sha256s=json.dumps(list(ev.object_sha256s)),
                details=json.dumps(ev.details, sort_keys=True, ensure_ascii=False),
                prev_hash=ev.prev_hash,
                hash=ev.hash,
            )
        )
        head.seq = ev.seq
        head.hash = ev.hash
        tx.session.flush()
        return ev

    # -- approved versions -----------------------------------------------

    def add_approved_version(
        self, av: ApprovedVersion, pdf: bytes, *, actor: str, actor_certificate: str | None,
        imported_from: str | None = None, supersede_older: bool = False,
    ) -> list[str]:
        """Register an approved version with its PDF bytes (blob + row + audit event, atomically).
        ``imported_from``: the version was approved elsewhere (a partner kit copies the
        secretariat's records); the audit event says ``import-approved`` and where from.
        ``supersede_older``: every lower version of the same document not yet superseded
        is superseded by this one, in the same transaction (a ``supersede`` event each).
        Returns the versions it superseded."""
        _check_version(av.version)
        got = Sha256.of(pdf)
        if got != av.approved_sha256 or len(pdf) != av.approved_size:
            raise RegistryError(
                f"the PDF given for {av.label} does not match it: sha256 {got.short}, "
                f"{len(pdf)} bytes; expected {av.approved_sha256.short}, {av.approved_size} bytes"
            )
        with self._write(f"registering {av.label}") as tx:
            s = tx.session
            same_label = s.execute(
                select(ApprovedVersionRow).where(
                    ApprovedVersionRow.document == av.document.value,
                    ApprovedVersionRow.version == av.version,
                )
            ).scalar_one_or_none()
            if same_label is not None:
                raise DuplicateError(
                    f"{av.label} is already registered "
                    f"(approved PDF sha256 {Sha256(same_label.approved_sha256).short})",
                    hint="give the new approved version a new version number",
                )
            same_bytes = s.execute(
                select(ApprovedVersionRow).where(
                    ApprovedVersionRow.approved_sha256 == av.approved_sha256.hex
                )
            ).scalar_one_or_none()
            if same_bytes is not None:
                raise DuplicateError(
                    f"this PDF (sha256 {av.approved_sha256.short}) is already registered as "
                    f"{same_bytes.document} {same_bytes.version}"
                )
            if s.get(Blob, av.approved_sha256.hex) is None:
                s.add(
                    Blob(
                        sha256=av.approved_sha256.hex,
                        size=len(pdf),
                        data=bytes(pdf),
                        created_at=datetime.now(timezone.utc),
                    )
                )
                s.flush()  # the blob row first: approved_versions references it
            s.add(
                ApprovedVersionRow(
                    document=av.document.value,
                    version=av.version,
                    source_sha256=av.source_sha256.hex,
                    approved_sha256=av.approved_sha256.hex,
                    approved_size=av.approved_size,
                    decided_on=av.decided_on,
                    approved_at=av.approved_at,
                    approver_fingerprint=av.approver_fingerprint,
                    superseded_by=av.superseded_by,
                )
            )
            s.flush()
            details = {
                "document": av.document.value,
                "version": av.version,
                "source_sha256": av.source_sha256.hex,
                "approved_sha256": av.approved_sha256.hex,
                "approved_size": av.approved_size,
                "decided_on": av.decided_on.isoformat(),
                "approved_at": av.approved_at.isoformat(),
                "approver_fingerprint": av.approver_fingerprint,
            }
            if imported_from is not None:
                details["imported_from"] = imported_from
                details["superseded_by"] = av.superseded_by
            self._append(
                tx,
                action="import-approved" if imported_from is not None else "approve",
                subject=av.label,
                actor=actor,
                actor_certificate=actor_certificate,
                object_sha256s=(av.approved_sha256.hex, av.source_sha256.hex),
                details=details,
            )
            superseded: list[str] = []
            if supersede_older:
                older = s.execute(
                    select(ApprovedVersionRow).where(
                        ApprovedVersionRow.document == av.document.value,
                        ApprovedVersionRow.version != av.version,
                        ApprovedVersionRow.superseded_by.is_(None),
                    )
                ).scalars()
                for row in sorted(older, key=lambda r: version_key(r.version)):
                    if version_key(row.version) >= version_key(av.version):
                        continue
                    row.superseded_by = av.version
                    s.flush()
                    superseded.append(row.version)
                    self._append(
                        tx, action="supersede", subject=f"{av.document.value} {row.version}",
                        actor=actor, actor_certificate=actor_certificate,
                        object_sha256s=(row.approved_sha256, av.approved_sha256.hex),
                        details={"document": av.document.value, "version": row.version,
                                 "superseded_by": av.version},
                    )
            return superseded

    def approved_versions(self, document: DocumentKind | None = None) -> list[ApprovedVersion]:
        """Approved versions, ordered by document and then version number (1.2 < 1.10)."""
        with self._read("listing approved versions") as s:
            q = select(ApprovedVersionRow)
            if document is not None:
                q = q.where(ApprovedVersionRow.document == DocumentKind(document).value)
            rows = [_to_domain(r) for r in s.execute(q).scalars()]
        return sorted(rows, key=lambda a: (a.document.value, version_key(a.version)))

    def find_approved(self, sha256: Sha256 | str) -> ApprovedVersion | None:
        """The approved version whose approved PDF has this SHA-256, if any."""
        with self._read("looking up an approved version") as s:
            row = s.execute(
                select(ApprovedVersionRow).where(ApprovedVersionRow.approved_sha256 == _hex(sha256))
            ).scalar_one_or_none()
            return _to_domain(row) if row is not None else None

    def get_approved(self, document: DocumentKind, version: str) -> ApprovedVersion | None:
        """The approved version ``document version``, if registered."""
        with self._read("looking up an approved version") as s:
            row = self._row(s, document, version)
            return _to_domain(row) if row is not None else None

    def approved_sizes(self) -> dict[int, list[ApprovedVersion]]:
        """Approved versions by the byte size of their approved PDF.

        A signed file is an incremental update of an approved PDF, so its first
        ``size`` bytes are the approved PDF: callers hash those prefixes.
        """
        out: dict[int, list[ApprovedVersion]] = {}
        for av in self.approved_versions():
            out.setdefault(av.approved_size, []).append(av)
        return out

    @staticmethod
    def _row(s: Session, document: DocumentKind, version: str) -> ApprovedVersionRow | None:
        return s.execute(
            select(ApprovedVersionRow).where(
                ApprovedVersionRow.document == DocumentKind(document).value,
                ApprovedVersionRow.version == version,
            )
        ).scalar_one_or_none()

    def supersede(
        self,
        document: DocumentKind,
        old_version: str,
        new_version: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
    ) -> None:
        """Mark ``old_version`` as superseded by ``new_version`` (both must be registered)."""
        document = DocumentKind(document)
        _check_version(old_version)
        _check_version(new_version)
        if old_version == new_version:
            raise UsageError(f"{document.value} {old_version} can't supersede itself")
        with self._write(f"superseding {document.value} {old_version}") as tx:
            old = self._row(tx.session, document, old_version)
            new = self._row(tx.session, document, new_version)
            for label, row in ((old_version, old), (new_version, new)):
                if row is None:
                    raise NotFoundError(
                        f"{document.value} {label} is not a registered approved version",
                        hint="list them with `zvhsign versions`",
                    )
            assert old is not None and new is not None
            if old.superseded_by is not None:
                raise ConflictError(
                    f"{document.value} {old_version} is already superseded by "
                    f"{document.value} {old.superseded_by}"
                )
            if new.superseded_by is not None:
                raise ConflictError(
                    f"{document.value} {new_version} is itself superseded "
                    f"(by {document.value} {new.superseded_by})"
                )
            old.superseded_by = new_version
            tx.session.flush()
            self._append(
                tx,
                action="supersede",
                subject=f"{document.value} {old_version}",
                actor=actor,
                actor_certificate=actor_certificate,
                object_sha256s=(old.approved_sha256, new.approved_sha256),
                details={
                    "document": document.value,
                    "version": old_version,
                    "superseded_by": new_version,
                },
            )

    # -- blobs -------------------------------------------------------------

    def get_blob(self, sha256: Sha256 | str) -> bytes | None:
        with self._read("reading a stored file") as s:
            blob = s.get(Blob, _hex(sha256))
            return bytes(blob.data) if blob is not None else None

    def put_blob(
        self, data: bytes, *, actor: str | None = None, actor_certificate: str | None = None
    ) -> Sha256:
        """Store bytes content-addressed; logs a ``store-blob`` event if they were new."""
        digest = Sha256.of(data)
        with self._write("storing a file") as tx:
            if tx.session.get(Blob, digest.hex) is None:
                tx.session.add(
                    Blob(
                        sha256=digest.hex,
                        size=len(data),
                        data=bytes(data),
                        created_at=datetime.now(timezone.utc),
                    )
                )
                tx.session.flush()
                self._append(
                    tx,
                    action="store-blob",
                    subject=f"file {digest.short}",
                    actor=actor or current_os_user(),
                    actor_certificate=actor_certificate,
                    object_sha256s=(digest.hex,),
                    details={"size": len(data)},
                )
        return digest

    # -- audit log ---------------------------------------------------------

    def append_event(
        self,
        action: str,
        subject: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Log an event that changes nothing else in the registry (e.g. ``record-copy``)."""
        with self._write(f"logging {action}") as tx:
            return tx.append(
                action, subject, actor=actor, actor_certificate=actor_certificate,
                object_sha256s=object_sha256s, details=details,
            )

    def add_anchor(
        self,
        anchored: ChainHead,
        token_der: bytes,
        *,
        tsa_time: datetime,
        tsa: str | None,
        actor: str,
    ) -> AuditEvent:
        """Store an RFC 3161 token over the chain head ``anchored`` as an ``anchor`` event.

        The token was obtained before this transaction; other events may have
        been appended meanwhile, which is fine: the anchor names the event it
        timestamped. ``anchored`` must be an event of this log with that hash.
        """
        import base64

        with self._write("storing an audit log anchor") as tx:
            row = tx.session.get(AuditEventRow, anchored.seq)
            if row is None or row.hash != anchored.hash:
                raise ConflictError(
                    f"the anchored event #{anchored.seq} is not in this log with hash "
                    f"{anchored.hash[:16]}…; the anchor was not stored"
                )
            return self._append(
                tx,
                action=ANCHOR_ACTION,
                subject=f"audit log up to event #{anchored.seq}",
                actor=actor,
                object_sha256s=(anchored.hash,),
                details=Anchor.details_for(
                    anchored=anchored,
                    token_b64=base64.b64encode(token_der).decode("ascii"),
                    tsa_time=tsa_time,
                    tsa=tsa,
                ),
            )

    def anchors(self) -> list[Anchor]:
        """The stored anchors (RFC 3161 tokens over earlier chain heads), oldest first."""
        return anchors_of(self.events())

    def log_config_change(
        self,
        what: str,
        *,
        actor: str,
        config_sha256: str,
        details: Mapping[str, object] | None = None,
    ) -> AuditEvent:
        """Log a change to the workspace configuration (``config`` event with the new file's hash)."""
        return self.append_event(
            "config",
            what,
            actor=actor,
            object_sha256s=(config_sha256,),
            details={"config_sha256": config_sha256, **dict(details or {})},
        )

    def _last_trust_snapshot(self, s: Session) -> str | None:
        rows = s.execute(
            select(AuditEventRow.details)
            .where(AuditEventRow.action.in_(("init", "config")))
            .order_by(AuditEventRow.seq.desc())
        ).scalars()
        for details in rows:
            value = json.loads(details).get("trust_sha256")
            if value:
                return value
        return None

    def record_trust_settings(self, snapshot: Mapping[str, object], *, actor: str) -> AuditEvent | None:
        """Log a ``config`` event when the trust settings (``snapshot["trust_sha256"]``:
        trust roots, secretariat and other certificates, TSA) differ from the last ones
        logged; None when they are the same. Read first, so an unchanged workspace
        costs no write."""
        current = snapshot["trust_sha256"]
        with self._read("reading the logged trust settings") as s:
            if self._last_trust_snapshot(s) == current:
                return None
        with self._write("logging changed trust settings") as tx:
            previous = self._last_trust_snapshot(tx.session)
            if previous == current:
                return None  # another process logged it meanwhile
            return tx.append(
                "config",
                "trust settings recorded" if previous is None else "trust settings changed",
                actor=actor, object_sha256s=(str(current),),
                details={**dict(snapshot), "previous_trust_sha256": previous},
            )

    def events(self) -> list[AuditEvent]:
        """The whole audit log, in storage order."""
        with self._read("reading the audit log") as s:
            rows = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
            return [_event_to_domain(r) for r in rows]

    def chain_head(self) -> ChainHead | None:
        """The recorded end of the audit chain."""
        with self._read("reading the audit log") as s:
            head = s.get(AuditChainHead, 1)
            return ChainHead(head.seq, head.hash) if head is not None else None

    def verify_log(self) -> list[ChainProblem]:
        """Problems with the audit chain; empty when it is intact."""
        with self._read("reading the audit log") as s:
            rows = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
            events = [_event_to_domain(r) for r in rows]
            head_row = s.get(AuditChainHead, 1)
            head = ChainHead(head_row.seq, head_row.hash) if head_row is not None else None
        problems = verify_chain(events, head=head) + check_anchors(events)
        if head is None:
            problems.insert(
                0, ChainProblem("deleted", (), "the recorded chain head is missing")
            )
        return problems

    # -- evidence at rest ------------------------------------------------------

    def _blob_names(self, s: Session) -> dict[str, list[str]]:
        """What each stored file is, by its SHA-256: approved PDFs, mandates, recorded copies."""
        names: dict[str, list[str]] = {}
        for row in s.execute(select(ApprovedVersionRow)).scalars():
            names.setdefault(row.approved_sha256, []).append(f"approved PDF of {row.document} {row.version}")
        for sha, partner, mayor in s.execute(
            select(MandateRow.sha256, MandateRow.partner_key, MandateRow.mayor)
        ):
            names.setdefault(sha, []).append(f"signed mandate of {partner} ({mayor})")
        for sha, copy_id in s.execute(select(RecordedCopyRow.sha256, RecordedCopyRow.id)):
            names.setdefault(sha, []).append(f"recorded copy #{copy_id}")
        return names

    def _database_integrity(self, s: Session) -> tuple[list[StorageProblem], list[str], bool]:
        if self.dialect != "sqlite":
            return [], [
                f"the database's own integrity check is not run on {self.dialect} "
                "(use the server's tools, e.g. pg_amcheck)"
            ], False
        problems: list[StorageProblem] = []
        conn = s.connection()
        try:
            lines = [str(r[0]) for r in conn.exec_driver_sql(
                f"PRAGMA integrity_check({INTEGRITY_MAX_LINES})")]
            fk = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            return [StorageProblem("database-integrity", "the registry database",
                                   f"SQLite's integrity check could not run: {text}")], [], True
        if lines != ["ok"]:
            for line in lines:
                problems.append(StorageProblem("database-integrity", "the registry database",
                                               f"SQLite integrity check: {line}"))
        for table, rowid, parent, _fkid in fk:
            problems.append(StorageProblem(
                "database-integrity", f"row {rowid} of {table}",
                f"refers to a row of {parent} that does not exist"))
        return problems, [], True

    def check_storage(self) -> StorageCheck:
        """Re-hash every stored file (blob) against its recorded SHA-256 and size, check
        that every record's file is stored, and run the database's own integrity check
        (SQLite: ``PRAGMA integrity_check``; PostgreSQL: skipped, with a note).

        One blob is in memory at a time."""
        import hashlib

        problems: list[StorageProblem] = []
        with self._read("checking the stored files") as s:
            integrity, notes, checked = self._database_integrity(s)
            names = self._blob_names(s)
            keys = list(s.execute(select(Blob.sha256).order_by(Blob.sha256)).scalars())
            stored = set(keys)
            for key in keys:
                what = " and ".join(names.get(key, [])) or "stored file"
                shown = f"{what} (sha256 {key[:16]}…)"
                try:
                    size, data = s.execute(
                        select(Blob.size, Blob.data).where(Blob.sha256 == key)
                    ).one()
                except SQLAlchemyError as exc:
                    orig = getattr(exc, "orig", None) or exc
                    problems.append(StorageProblem(
                        "blob-unreadable", shown, f"can't be read: {str(orig).strip()[:200]}"))
                    continue
                data = bytes(data) if data is not None else b""
                got = hashlib.sha256(data).hexdigest()
                if got != key.lower():
                    problems.append(StorageProblem(
                        "blob-altered", shown,
                        f"the stored bytes have SHA-256 {got[:16]}…, not the recorded one"))
                elif size != len(data):
                    problems.append(StorageProblem(
                        "blob-size", shown, f"{len(data)} bytes stored, {size} recorded"))
                del data
            for row in s.execute(select(ApprovedVersionRow)).scalars():
                if row.approved_sha256 in stored:
                    blob_size = s.execute(
                        select(func.length(Blob.data)).where(Blob.sha256 == row.approved_sha256)
                    ).scalar_one()
                    if blob_size != row.approved_size:
                        problems.append(StorageProblem(
                            "blob-size", f"approved PDF of {row.document} {row.version}",
                            f"{blob_size} bytes stored, {row.approved_size} recorded as approved"))
            for sha, what in sorted(names.items()):
                if sha not in stored:
                    problems.append(StorageProblem(
                        "blob-missing", " and ".join(what),
                        f"the file (sha256 {sha[:16]}…) is not in the registry"))
        return StorageCheck(len(keys), tuple(integrity + problems), tuple(notes), checked)

    @property
    def governance(self):
        """Partners, signatories, mandates and recorded copies (``_governance.GovernanceStore``)."""
        from ._governance import GovernanceStore

        return GovernanceStore(self)

    def __repr__(self) -> str:
        return f"Registry({self._shown!r})"
