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


def _seq_ranges(seqs: Iterable[int]) -> str:
    s = sorted(seqs)
    parts: list[str] = []
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[j] + 1:
            j += 1
        parts.append(str(s[i]) if i == j else f"{s[i]}–{s[j]}")
        i = j + 1
    return ", ".join(parts)


def verify_chain(
    events: Iterable[AuditEvent], *, head: ChainHead | None = None
) -> list[ChainProblem]:
    """Check an audit chain; an empty list means it is intact.

    ``events`` are all stored events (any order; judged by ``seq``). ``head`` is
    the registry's record of the last event; without it, events deleted from or
    appended with valid hashes to the *end* of the chain can't be noticed.
    """
    evs = sorted(events, key=lambda e: e.seq)
    problems: list[ChainProblem] = []
    if not evs:
        if head is not None and head.seq > 0:
            problems.append(
                ChainProblem(
                    DELETED,
                    tuple(range(1, head.seq + 1)),
                    f"the log is empty but the chain head records {head.seq} event(s)",
                )
            )
        return problems

    by_seq = {e.seq: e for e in evs}
    by_hash: dict[str, AuditEvent] = {}
    by_prev: dict[str, list[AuditEvent]] = {}
    for e in evs:
        by_hash.setdefault(e.hash, e)
        by_prev.setdefault(e.prev_hash, []).append(e)

    # 1. Walk the links: from genesis follow prev_hash -> hash; at a fork prefer
    #    the branch that continues (the other one was inserted); after a break
    #    restart at the lowest event not yet visited.
    visited: set[int] = set()
    order: list[AuditEvent] = []  # chain order; forked-off branches excluded
    forked: set[int] = set()
    fork_starts: list[tuple[AuditEvent, AuditEvent | None]] = []  # (event, fork point)
    breaks: list[AuditEvent] = []  # events linking to nothing stored

    def successors(e: AuditEvent) -> list[AuditEvent]:
        return [x for x in by_prev.get(e.hash, ()) if x.seq not in visited and x.seq != e.seq]

    def pick(cands: list[AuditEvent]) -> AuditEvent:
        return min(cands, key=lambda c: (0 if successors(c) else 1, c.seq))

    def walk(start: AuditEvent, main: bool) -> None:
        cur: AuditEvent | None = start
        while cur is not None:
            visited.add(cur.seq)
            (order.append(cur) if main else forked.add(cur.seq))
            cands = successors(cur)
            cur = pick(cands) if cands else None

    roots = list(by_prev.get(GENESIS_HASH, ()))
    if roots:
        walk(pick(roots), True)
    while len(visited) < len(evs):
        rest = [e for e in evs if e.seq not in visited]
        # prefer an event whose predecessor is not itself still waiting
        starts = [
            e for e in rest if not (e.prev_hash in by_hash and by_hash[e.prev_hash].seq not in visited)
        ] or rest
        s = min(starts, key=lambda e: e.seq)
        pred = by_hash.get(s.prev_hash)
        if s.prev_hash == GENESIS_HASH or (pred is not None and pred.seq in visited):
            fork_starts.append((s, pred))  # a second start, or a branch off the chain
            walk(s, False)
        else:
            breaks.append(s)
            walk(s, True)

    # 2. What lies beyond the recorded end of the chain.
    beyond: set[int] = set()
    head_event = by_hash.get(head.hash) if head is not None else None
    if head is not None:
        if head_event is not None and head_event.seq not in forked:
            idx = next(i for i, e in enumerate(order) if e.seq == head_event.seq)
            beyond = {e.seq for e in order[idx + 1 :]}
        else:
            beyond = {e.seq for e in evs if e.seq > head.seq and e.seq not in forked}

    # 3. Content: each event's hash must match its content and prev_hash.
    for e in evs:
        if e.seq in beyond or e.seq in forked:
            continue  # reported as inserted below
        if e.expected_hash() != e.hash:
            problems.append(
                ChainProblem(
                    ALTERED,
                    (e.seq,),
                    f"event {e.label} was altered: its content no longer matches its hash",
                )
            )

    # 4. Numbering: gaps are deleted events.
    missing: set[int] = set()
    expected = 1
    for e in evs:
        if e.seq > expected:
            gap = tuple(range(expected, e.seq))
            missing.update(gap)
            problems.append(
                ChainProblem(
                    DELETED,
                    gap,
                    f"event(s) {_seq_ranges(gap)} are missing (deleted) before event {e.label}",
                )
            )
        expected = e.seq + 1

    # 5. Breaks not explained by a gap.
    for s in breaks:
        if s.seq in beyond or (s.seq - 1) in missing:
            continue
        if s.seq == evs[0].seq:
            msg = f"the first event {s.label} does not link to the start of the chain"
        else:
            prev = by_seq.get(s.seq - 1)
            prev_label = f"event {prev.label}" if prev is not None else "its predecessor"
            msg = (
                f"event {s.label} does not link to {prev_label}: an event between them was "
                "deleted and the numbering closed, or the earlier event was rewritten"
            )
        problems.append(ChainProblem(BROKEN_LINK, (s.seq,), msg))

    # 6. Forks: events that are not part of the chain.
    for s, pred in fork_starts:
        where = (
            "the start of the chain"
            if pred is None
            else f"event {pred.label}, which already has a successor"
        )
        problems.append(
            ChainProblem(
                INSERTED,
                (s.seq,),
                f"event {s.label} was inserted: it links to {where} and is not part of the chain",
            )
        )

    # 7. Order: the chain order must agree with the numbering.
    seqs = [e.seq for e in order]
    out_of_place = [a for a, b in zip(seqs, sorted(seqs)) if a != b]
    if out_of_place:
        oop = set(out_of_place)
        problems.append(
            ChainProblem(
                REORDERED,
                tuple(sorted(out_of_place)),
                f"event(s) {_seq_ranges(out_of_place)} are stored out of chain order "
                f"(their chain order is {', '.join(str(x) for x in seqs if x in oop)})",
            )
        )

    # 8. The end of the chain against the recorded head.
    if head is not None:
        for seq in sorted(beyond):
            problems.append(
                ChainProblem(
                    INSERTED,
                    (seq,),
                    f"event {by_seq[seq].label} was inserted after the recorded end of the log "
                    f"(event #{head.seq})",
                )
            )
        if head.seq > 0 and head_event is None:
            present_max = max((e.seq for e in evs if e.seq <= head.seq), default=0)
            if present_max < head.seq:
                gone = tuple(range(present_max + 1, head.seq + 1))
                problems.append(
                    ChainProblem(
                        DELETED,
                        gone,
                        f"event(s) {_seq_ranges(gone)} at the end of the log are missing (deleted)",
                    )
                )
            elif not any(p.kind == ALTERED and head.seq in p.seqs for p in problems):
                problems.append(
                    ChainProblem(
                        ALTERED,
                        (head.seq,),
                        f"the last event #{head.seq} does not match the recorded end of the log",
                    )
                )
    problems.sort(key=lambda p: (min(p.seqs) if p.seqs else 0, p.kind))
    return problems


# -- anchors -------------------------------------------------------------------

ANCHOR_ACTION = "anchor"
"""Action of an audit event that stores an RFC 3161 timestamp over an earlier chain head."""

#: Kind of :class:`ChainProblem` for an anchor that does not match the chain.
ANCHOR_MISMATCH = "anchor-mismatch"


@dataclass(frozen=True)
class Anchor:
    """An RFC 3161 timestamp token over the chain head ``anchored_hash`` (event ``anchored_seq``).

    The token's message imprint is the SHA-256 value ``anchored_hash`` itself (the
    event hash *is* a SHA-256 digest), so the TSA vouches that this exact chain,
    up to and including that event, existed at ``tsa_time``. The token is kept
    base64-encoded DER in the details of the ``anchor`` event (event ``seq``).
    """

    seq: int
    anchored_seq: int
    anchored_hash: str
    token_b64: str
    tsa_time: datetime | None
    tsa: str | None

    @classmethod
    def details_for(
        cls, *, anchored: ChainHead, token_b64: str, tsa_time: datetime, tsa: str | None
    ) -> dict:
        return {
            "anchored_seq": anchored.seq,
            "anchored_hash": anchored.hash,
            "token": token_b64,
            "tsa_time": canonical_time(tsa_time),
            "tsa": tsa,
        }

    @classmethod
    def from_event(cls, event: AuditEvent) -> "Anchor | None":
        """The anchor an ``anchor`` event holds; None when it is malformed (reported by check_anchors)."""
        if event.action != ANCHOR_ACTION:
            return None
        d = event.details
        try:
            seq = int(d["anchored_seq"])
            h = str(d["anchored_hash"])
            token = str(d["token"])
        except (KeyError, TypeError, ValueError):
            return None
        when = None
        raw = d.get("tsa_time")
        if isinstance(raw, str):
            try:
                when = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            except ValueError:
                when = None
        tsa = d.get("tsa")
        return cls(event.seq, seq, h, token, when, tsa if isinstance(tsa, str) else None)


def anchors_of(events: Iterable[AuditEvent]) -> list[Anchor]:
    """The well-formed anchors in a log, in storage order."""
    out = []
    for e in sorted(events, key=lambda e: e.seq):
        a = Anchor.from_event(e)
        if a is not None:
            out.append(a)
    return out


def check_anchors(events: Iterable[AuditEvent]) -> list[ChainProblem]:
    """Every anchor must name an earlier stored event by its current hash.

    A chain rewritten after it was anchored (even with all hashes recomputed so
    that :func:`verify_chain` finds nothing) no longer holds the anchored hash at
    the anchored position, and is reported here. The token itself (signature,
    TSA trust, imprint) is checked by the service layer with pyHanko.
    """
    evs = sorted(events, key=lambda e: e.seq)
    by_seq = {e.seq: e for e in evs}
    problems: list[ChainProblem] = []
    for e in evs:
        if e.action != ANCHOR_ACTION:
            continue
        a = Anchor.from_event(e)
        if a is None:
            problems.append(
                ChainProblem(ANCHOR_MISMATCH, (e.seq,), f"anchor event {e.label} is malformed")
            )
            continue
        if a.anchored_seq >= e.seq:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq,),
                    f"anchor event {e.label} claims to anchor a later event #{a.anchored_seq}",
                )
            )
            continue
        target = by_seq.get(a.anchored_seq)
        if target is None:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq, a.anchored_seq),
                    f"anchor event {e.label} timestamped event #{a.anchored_seq}, which is no "
                    "longer in the log",
                )
            )
        elif target.hash != a.anchored_hash:
            problems.append(
                ChainProblem(
                    ANCHOR_MISMATCH,
                    (e.seq, a.anchored_seq),
                    f"anchor event {e.label} timestamped event #{a.anchored_seq} with hash "
                    f"{a.anchored_hash[:16]}…, but that event now has hash {target.hash[:16]}…: "
                    "the log was rewritten after it was anchored",
                )
            )
    return problems
