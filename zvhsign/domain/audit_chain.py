"""Verifying an audit hash chain (pure Python): :func:`verify_chain`.

The chain of ``prev_hash`` links defines the true order of the events; the storage
numbering ``seq`` must agree with it (no gaps, same order). Verification first walks
the links (:class:`_LinkWalk`), then runs one named check per kind of damage, each
adding :class:`ChainProblem` s; the problems are finally sorted by position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
)


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


@dataclass
class _LinkWalk:
    """Step 1: walk the links from genesis, following prev_hash -> hash.

    At a fork the branch that continues is preferred (the other one was inserted);
    after a break the walk restarts at the lowest event not yet visited.
    """

    evs: Sequence[AuditEvent]  # sorted by seq
    by_seq: dict[int, AuditEvent] = field(default_factory=dict)
    by_hash: dict[str, AuditEvent] = field(default_factory=dict)
    by_prev: dict[str, list[AuditEvent]] = field(default_factory=dict)
    visited: set[int] = field(default_factory=set)
    order: list[AuditEvent] = field(default_factory=list)  # chain order; forked-off branches excluded
    forked: set[int] = field(default_factory=set)
    fork_starts: list[tuple[AuditEvent, AuditEvent | None]] = field(default_factory=list)  # (event, fork point)
    breaks: list[AuditEvent] = field(default_factory=list)  # events linking to nothing stored

    def __post_init__(self) -> None:
        self.by_seq = {e.seq: e for e in self.evs}
        for e in self.evs:
            self.by_hash.setdefault(e.hash, e)
            self.by_prev.setdefault(e.prev_hash, []).append(e)

    def _successors(self, e: AuditEvent) -> list[AuditEvent]:
        return [x for x in self.by_prev.get(e.hash, ()) if x.seq not in self.visited and x.seq != e.seq]

    def _pick(self, cands: list[AuditEvent]) -> AuditEvent:
        return min(cands, key=lambda c: (0 if self._successors(c) else 1, c.seq))

    def _walk(self, start: AuditEvent, main: bool) -> None:
        cur: AuditEvent | None = start
        while cur is not None:
            self.visited.add(cur.seq)
            (self.order.append(cur) if main else self.forked.add(cur.seq))
            cands = self._successors(cur)
            cur = self._pick(cands) if cands else None

    def _waiting(self, e: AuditEvent) -> bool:
        """Whether ``e``'s predecessor is stored and not visited yet."""
        return e.prev_hash in self.by_hash and self.by_hash[e.prev_hash].seq not in self.visited

    def _restart(self) -> None:
        rest = [e for e in self.evs if e.seq not in self.visited]
        # prefer an event whose predecessor is not itself still waiting
        starts = [e for e in rest if not self._waiting(e)] or rest
        s = min(starts, key=lambda e: e.seq)
        pred = self.by_hash.get(s.prev_hash)
        if s.prev_hash == GENESIS_HASH or (pred is not None and pred.seq in self.visited):
            self.fork_starts.append((s, pred))  # a second start, or a branch off the chain
            self._walk(s, False)
        else:
            self.breaks.append(s)
            self._walk(s, True)

    def run(self) -> "_LinkWalk":
        roots = list(self.by_prev.get(GENESIS_HASH, ()))
        if roots:
            self._walk(self._pick(roots), True)
        while len(self.visited) < len(self.evs):
            self._restart()
        return self


def _empty_log(head: ChainHead | None) -> list[ChainProblem]:
    if head is not None and head.seq > 0:
        return [
            ChainProblem(
                DELETED,
                tuple(range(1, head.seq + 1)),
                f"the log is empty but the chain head records {head.seq} event(s)",
            )
        ]
    return []


def _beyond_head(walk: _LinkWalk, head: ChainHead | None) -> set[int]:
    """Step 2: the events that lie beyond the recorded end of the chain."""
    if head is None:
        return set()
    head_event = walk.by_hash.get(head.hash)
    if head_event is not None and head_event.seq not in walk.forked:
        idx = next(i for i, e in enumerate(walk.order) if e.seq == head_event.seq)
        return {e.seq for e in walk.order[idx + 1 :]}
    return {e.seq for e in walk.evs if e.seq > head.seq and e.seq not in walk.forked}


def _altered(evs: Sequence[AuditEvent], skip: set[int]) -> list[ChainProblem]:
    """Step 3: each event's hash must match its content and prev_hash."""
    return [
        ChainProblem(
            ALTERED,
            (e.seq,),
            f"event {e.label} was altered: its content no longer matches its hash",
        )
        for e in evs
        if e.seq not in skip and e.expected_hash() != e.hash  # skipped: reported as inserted
    ]


def _gaps(evs: Sequence[AuditEvent]) -> tuple[list[ChainProblem], set[int]]:
    """Step 4: gaps in the numbering are deleted events; also returns the missing seqs."""
    problems: list[ChainProblem] = []
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
    return problems, missing


def _broken_link_message(s: AuditEvent, walk: _LinkWalk) -> str:
    if s.seq == walk.evs[0].seq:
        return f"the first event {s.label} does not link to the start of the chain"
    prev = walk.by_seq.get(s.seq - 1)
    prev_label = f"event {prev.label}" if prev is not None else "its predecessor"
    return (
        f"event {s.label} does not link to {prev_label}: an event between them was "
        "deleted and the numbering closed, or the earlier event was rewritten"
    )


def _broken_links(walk: _LinkWalk, beyond: set[int], missing: set[int]) -> list[ChainProblem]:
    """Step 5: breaks in the links not explained by a gap (or by events beyond the end)."""
    return [
        ChainProblem(BROKEN_LINK, (s.seq,), _broken_link_message(s, walk))
        for s in walk.breaks
        if not (s.seq in beyond or (s.seq - 1) in missing)
    ]


def _forks(walk: _LinkWalk) -> list[ChainProblem]:
    """Step 6: forked-off events are not part of the chain: inserted."""
    problems: list[ChainProblem] = []
    for s, pred in walk.fork_starts:
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
    return problems


def _reordered(walk: _LinkWalk) -> list[ChainProblem]:
    """Step 7: the chain order must agree with the numbering."""
    seqs = [e.seq for e in walk.order]
    out_of_place = [a for a, b in zip(seqs, sorted(seqs)) if a != b]
    if not out_of_place:
        return []
    oop = set(out_of_place)
    return [
        ChainProblem(
            REORDERED,
            tuple(sorted(out_of_place)),
            f"event(s) {_seq_ranges(out_of_place)} are stored out of chain order "
            f"(their chain order is {', '.join(str(x) for x in seqs if x in oop)})",
        )
    ]


def _inserted_beyond(walk: _LinkWalk, beyond: set[int], head: ChainHead) -> list[ChainProblem]:
    """Step 8a: events after the recorded end of the log were inserted."""
    return [
        ChainProblem(
            INSERTED,
            (seq,),
            f"event {walk.by_seq[seq].label} was inserted after the recorded end of the log "
            f"(event #{head.seq})",
        )
        for seq in sorted(beyond)
    ]


def _end_mismatch(
    walk: _LinkWalk, head: ChainHead, so_far: Sequence[ChainProblem]
) -> list[ChainProblem]:
    """Step 8b: a recorded end that is not in the log: deleted, or (not yet reported) altered."""
    if head.seq <= 0 or walk.by_hash.get(head.hash) is not None:
        return []
    present_max = max((e.seq for e in walk.evs if e.seq <= head.seq), default=0)
    if present_max < head.seq:
        gone = tuple(range(present_max + 1, head.seq + 1))
        return [
            ChainProblem(
                DELETED,
                gone,
                f"event(s) {_seq_ranges(gone)} at the end of the log are missing (deleted)",
            )
        ]
    if any(p.kind == ALTERED and head.seq in p.seqs for p in so_far):
        return []
    return [
        ChainProblem(
            ALTERED,
            (head.seq,),
            f"the last event #{head.seq} does not match the recorded end of the log",
        )
    ]


def verify_chain(
    events: Iterable[AuditEvent], *, head: ChainHead | None = None
) -> list[ChainProblem]:
    """Check an audit chain; an empty list means it is intact.

    ``events`` are all stored events (any order; judged by ``seq``). ``head`` is
    the registry's record of the last event; without it, events deleted from or
    appended with valid hashes to the *end* of the chain can't be noticed.
    """
    evs = sorted(events, key=lambda e: e.seq)
    if not evs:
        return _empty_log(head)
    walk = _LinkWalk(evs).run()
    beyond = _beyond_head(walk, head)
    problems = _altered(evs, beyond | walk.forked)
    gaps, missing = _gaps(evs)
    problems += gaps
    problems += _broken_links(walk, beyond, missing)
    problems += _forks(walk)
    problems += _reordered(walk)
    if head is not None:
        problems += _inserted_beyond(walk, beyond, head)
        problems += _end_mismatch(walk, head, problems)
    problems.sort(key=lambda p: (min(p.seqs) if p.seqs else 0, p.kind))
    return problems
