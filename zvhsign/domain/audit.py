"""The registry's audit log as a hash chain (pure Python, no database).

Every change to the registry appends one :class:`AuditEvent`. Each event's
``hash`` is SHA-256 over a canonical JSON of its content *and* the previous
event's hash (``prev_hash``; the first event links to :data:`GENESIS_HASH`), so
altering, deleting, inserting or reordering events afterwards breaks the chain
and :func:`verify_chain` names what broke.

The storage position ``seq`` is deliberately *not* part of the hash: the chain
of ``prev_hash`` links defines the true order, and :func:`verify_chain` checks
that the numbering agrees with it (no gaps, same order). That way two swapped
events are reported as *reordered* rather than as two alterations.

Audit events carry no personal data beyond what the registry already holds
(actor = OS user name, certificate fingerprints, names): never IP addresses or
user agents.

This module gathers the public names of three modules, one per concern:
:mod:`.audit_events` (events, their hash, the problem and head types),
:mod:`.audit_chain` (:func:`verify_chain`) and :mod:`.audit_anchors` (RFC 3161 anchors).
"""

from __future__ import annotations

from .audit_anchors import ANCHOR_ACTION, ANCHOR_MISMATCH, Anchor, anchors_of, check_anchors
from .audit_chain import verify_chain
from .audit_events import (
    ALTERED,
    BROKEN_LINK,
    DELETED,
    GENESIS_HASH,
    INSERTED,
    REORDERED,
    AuditEvent,
    ChainHead,
    ChainProblem,
    canonical_json,
    canonical_time,
    check_details,
    event_hash,
)

__all__ = [
    "ALTERED",
    "ANCHOR_ACTION",
    "ANCHOR_MISMATCH",
    "BROKEN_LINK",
    "DELETED",
    "GENESIS_HASH",
    "INSERTED",
    "REORDERED",
    "Anchor",
    "AuditEvent",
    "ChainHead",
    "ChainProblem",
    "anchors_of",
    "canonical_json",
    "canonical_time",
    "check_anchors",
    "check_details",
    "event_hash",
    "verify_chain",
]
