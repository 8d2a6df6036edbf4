"""Audit events and their chain hash (pure Python): see :mod:`zvhsign.domain.audit`.

Each event's ``hash`` is SHA-256 over a canonical JSON of its content and the previous
event's hash (``prev_hash``; the first event links to :data:`GENESIS_HASH`). The storage
position ``seq`` is deliberately *not* part of the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first event of a chain."""

#: The kinds of :class:`ChainProblem`.
ALTERED = "altered"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
BROKEN_LINK = "broken-link"

_FORBIDDEN_DETAIL_KEYS = frozenset(
    {"ip", "ip_address", "remote_addr", "user_agent", "useragent", "http_user_agent"}
)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit event time must be timezone-aware (UTC)")
    return at.astimezone(timezone.utc)


def canonical_time(at: datetime) -> str:
    """The time as hashed: UTC, ISO 8601, microseconds, ``Z`` suffix."""
    return _utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: object) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 text, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def check_details(details: Mapping[str, object]) -> dict:
    """A JSON-able copy of ``details``; refuses keys that smell of IP/user-agent data."""
    out = json.loads(canonical_json(dict(details)))
    for key in _walk_keys(out):
        if key.lower().replace("-", "_") in _FORBIDDEN_DETAIL_KEYS:
            raise ValueError(f"audit details must not record {key!r} (no IP addresses or user agents)")
    return out


def _walk_keys(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v)


def event_hash(
    prev_hash: str,
    *,
    at: datetime,
    actor: str,
    actor_certificate: str | None,
    action: str,
    subject: str,
    object_sha256s: Sequence[str],
    details: Mapping[str, object],
) -> str:
    """SHA-256 (hex) over the canonical JSON of an event's content and ``prev_hash``."""
    payload = {
        "v": 1,
        "prev_hash": prev_hash,
        "at": canonical_time(at),
        "actor": actor,
        "actor_certificate": actor_certificate,
        "action": action,
        "subject": subject,
        "object_sha256s": list(object_sha256s),
        "details": dict(details),
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One entry of the registry's audit log."""

    seq: int
    at: datetime  # UTC
    actor: str  # OS user who ran zvhsign
    actor_certificate: str | None  # SHA-256 fingerprint of the signing cert used, if any
    action: str  # "init", "approve", "supersede", "record-copy", ...
    subject: str  # human, e.g. "convenant 1.0"
    object_sha256s: tuple[str, ...]
    details: dict = field(hash=False)
    prev_hash: str
    hash: str

    @classmethod
    def build(
        cls,
        *,
        seq: int,
        prev_hash: str,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        actor_certificate: str | None = None,
        object_sha256s: Iterable[str] = (),
        details: Mapping[str, object] | None = None,
    ) -> "AuditEvent":
        """A new event with its chain hash computed."""
        at = _utc(at)
        objs = tuple(object_sha256s)
        det = check_details(details or {})
        h = event_hash(
            prev_hash,
            at=at,
            actor=actor,
            actor_certificate=actor_certificate,
            action=action,
            subject=subject,
            object_sha256s=objs,
            details=det,
        )
        return cls(seq, at, actor, actor_certificate, action, subject, objs, det, prev_hash, h)

    def expected_hash(self) -> str:
        """The hash this event's content and ``prev_hash`` call for."""
        return event_hash(
            self.prev_hash,
            at=self.at,
            actor=self.actor,
            actor_certificate=self.actor_certificate,
            action=self.action,
            subject=self.subject,
            object_sha256s=self.object_sha256s,
            details=self.details,
        )

    @property
    def label(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}".rstrip()


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with an audit chain.

    ``kind`` is one of ``altered``, ``deleted``, ``inserted``, ``reordered`` or
    ``broken-link`` (an event does not link to its predecessor and it can't be
    told whether an event was deleted or the predecessor rewritten).
    ``seqs`` are the storage numbers concerned (for ``deleted``: the missing ones,
    where known).
    """

    kind: str
    seqs: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class ChainHead:
    """What the registry recorded as the last event (guards the end of the chain)."""

    seq: int
    hash: str
