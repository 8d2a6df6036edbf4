"""SQLAlchemy models of the registry database.

These rows never leave the registry package: :class:`zvhsign.registry.Registry`
turns them into domain objects. The schema itself is created and evolved by the
Alembic migrations in ``zvhsign/registry/migrations/versions``; a change here
needs a new migration there (later tables -- partners, signatories, mandates,
recorded copies -- are added the same way).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SHA256_LEN = 64
FINGERPRINT_LEN = 128  # room for a hex SHA-256 with separators


class UtcDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC; always read back as aware UTC.

    SQLite has no time zones: values are stored as naive UTC there and get
    their ``tzinfo`` back on reading. Naive datetimes are refused on writing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("registry datetimes must be timezone-aware")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Blob(Base):
    """Content-addressed file contents (the approved PDFs, later recorded copies)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(SHA256_LEN), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    # Last (migration 0005): SQLite then keeps the zeroblob a large file is streamed into
    # a zeroblob in the record, instead of building the whole value plus the row in memory.
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class ApprovedVersionRow(Base):
    """One approved version of a document (see ``zvhsign.domain.documents.ApprovedVersion``)."""

    __tablename__ = "approved_versions"
    __table_args__ = (UniqueConstraint("document", "version", name="uq_approved_versions_document_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document: Mapped[str] = mapped_column(String(32), nullable=False)
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False)
    approved_sha256: Mapped[str] = mapped_column(
        String(SHA256_LEN), ForeignKey("blobs.sha256"), nullable=False, unique=True
    )
    approved_size: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    approver_fingerprint: Mapped[str] = mapped_column(String(FINGERPRINT_LEN), nullable=False)
    superseded_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class AuditEventRow(Base):
    """One audit-log entry (see ``zvhsign.domain.audit.AuditEvent``)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_certificate: Mapped[str | None] = mapped_column(String(FINGERPRINT_LEN), nullable=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    object_sha256s: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list
    details: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON object
    prev_hash: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False)
    hash: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False)


class AuditChainHead(Base):
    """Exactly one row (id 1): the last event's seq and hash.

    Writers lock this row before appending, so concurrent writers can't fork the
    chain; and it lets verification notice events deleted from, or appended to,
    the end of the log.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False)


# ----------------------------------------------------------------- governance (issue 3)
# Partners, signatories, mandates and recorded copies (migration 0002_governance).


class PartnerRow(Base):
    """A partner of the ZVH (see ``zvhsign.domain.governance.Partner``)."""

    __tablename__ = "partners"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    oin: Mapped[str | None] = mapped_column(String(20), nullable=True)
    kvk: Mapped[str | None] = mapped_column(String(8), nullable=True)
    signing_roles: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class SignatoryRow(Base):
    """A person signing for a partner in a role."""

    __tablename__ = "signatories"
    __table_args__ = (UniqueConstraint("partner_key", "name", "role", name="uq_signatories_partner_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_key: Mapped[str] = mapped_column(String(64), ForeignKey("partners.key"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SignatoryCertificateRow(Base):
    """A certificate (SHA-256 fingerprint) of a signatory; one certificate, one signatory."""

    __tablename__ = "signatory_certificates"

    fingerprint: Mapped[str] = mapped_column(String(SHA256_LEN), primary_key=True)
    signatory_id: Mapped[int] = mapped_column(Integer, ForeignKey("signatories.id"), nullable=False)


class MandateRow(Base):
    """A registered machtigingsbesluit; the signed PDF is a blob (``sha256``)."""

    __tablename__ = "mandates"

    sha256: Mapped[str] = mapped_column(String(SHA256_LEN), ForeignKey("blobs.sha256"), primary_key=True)
    partner_key: Mapped[str] = mapped_column(String(64), ForeignKey("partners.key"), nullable=False)
    mayor: Mapped[str] = mapped_column(String(200), nullable=False)
    decision_date: Mapped[date] = mapped_column(Date, nullable=False)
    terms: Mapped[str] = mapped_column(Text, nullable=False)  # JSON (zvhsign.mandate/1)
    signatures: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list, as validated
    revision_sha256s: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RecordedCopyRow(Base):
    """A verified copy (blob) with its verdict JSON, as recorded by ``verify --record``."""

    __tablename__ = "recorded_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(SHA256_LEN), ForeignKey("blobs.sha256"), nullable=False, index=True)
    verdict: Mapped[str] = mapped_column(Text, nullable=False)  # JSON (one file of zvhsign.verify/1)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of FileEvidence
    trust_sha256: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True)


class RecordedSignatureRow(Base):
    """One partner signature of a recorded copy, as judged when recorded."""

    __tablename__ = "recorded_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    copy_id: Mapped[int] = mapped_column(Integer, ForeignKey("recorded_copies.id"), nullable=False, index=True)
    field_name: Mapped[str] = mapped_column(String(128), nullable=False)
    document: Mapped[str] = mapped_column(String(32), nullable=False)
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    approved_sha256: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False)
    partner_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    signer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signer_fingerprint: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True)
    indication: Mapped[str] = mapped_column(String(32), nullable=False)
    blocking_codes: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list


class EvidenceCacheRow(Base):
    """A cache of examinations (``verify``): the facts established about a file, under a key
    of everything they rest on. An optimisation, never evidence: not in the audit log, and
    ``verify --no-cache`` gives the same verdicts."""

    __tablename__ = "evidence_cache"

    key: Mapped[str] = mapped_column(String(SHA256_LEN), primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(SHA256_LEN), nullable=False, index=True)
    examined_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)  # JSON of FileEvidence
