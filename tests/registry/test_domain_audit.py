"""zvhsign.domain.audit: the pure hash chain, without a database."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from zvhsign.domain.audit import (
    ALTERED,
    BROKEN_LINK,
    DELETED,
    GENESIS_HASH,
    INSERTED,
    REORDERED,
    AuditEvent,
    ChainHead,
    event_hash,
    verify_chain,
)

T0 = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)


def chain(n: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        ev = AuditEvent.build(
            seq=i,
            prev_hash=prev,
            at=T0 + timedelta(minutes=i),
            actor="secretariaat",
            action="init" if i == 1 else "record-copy",
            subject="registry" if i == 1 else f"convenant 1.0 copy {i}",
            object_sha256s=("ab" * 32,) if i > 1 else (),
            details={"n": i, "partner": "Gemeente Heemstede"},
        )
        events.append(ev)
        prev = ev.hash
    return events


def head_of(events: list[AuditEvent]) -> ChainHead:
    return ChainHead(events[-1].seq, events[-1].hash)


def kinds(problems) -> list[tuple[str, tuple[int, ...]]]:  # noqa: ANN001
    return [(p.kind, p.seqs) for p in problems]


def test_event_hash_is_canonical_and_sensitive() -> None:
    fields = dict(
        at=T0,
        actor="a",
        actor_certificate=None,
        action="approve",
        subject="convenant 1.0",
        object_sha256s=["ab" * 32],
        details={"b": 1, "a": [1, 2]},
    )
    h = event_hash(GENESIS_HASH, **fields)
    assert len(h) == 64 and int(h, 16) >= 0
    # same instant in another zone, keys in another order, tuple vs list: same hash
    same = fields | {
        "at": T0.astimezone(timezone(timedelta(hours=2))),
        "details": {"a": [1, 2], "b": 1},
        "object_sha256s": ("ab" * 32,),
    }
    assert event_hash(GENESIS_HASH, **same) == h
    assert event_hash("1" * 64, **fields) != h
    for key, value in [
        ("actor", "b"),
        ("actor_certificate", "cd" * 32),
        ("action", "supersede"),
        ("subject", "convenant 1.1"),
        ("object_sha256s", []),
        ("details", {"b": 2, "a": [1, 2]}),
        ("at", T0 + timedelta(microseconds=1)),
    ]:
        assert event_hash(GENESIS_HASH, **(fields | {key: value})) != h, key


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        AuditEvent.build(
            seq=1, prev_hash=GENESIS_HASH, at=datetime(2025, 1, 1), actor="a", action="init",
            subject="registry",
        )


@pytest.mark.parametrize("key", ["ip_address", "user_agent", "User-Agent", "ip"])
def test_details_must_not_hold_ip_or_user_agent(key: str) -> None:
    with pytest.raises(ValueError, match="no IP addresses or user agents"):
        AuditEvent.build(
            seq=1, prev_hash=GENESIS_HASH, at=T0, actor="a", action="init", subject="registry",
            details={"request": {key: "x"}},
        )


def test_details_must_be_json() -> None:
    with pytest.raises(TypeError):
        AuditEvent.build(
            seq=1, prev_hash=GENESIS_HASH, at=T0, actor="a", action="init", subject="registry",
            details={"when": T0},
        )


def test_intact_chain() -> None:
    events = chain(5)
    assert verify_chain(events) == []
    assert verify_chain(events, head=head_of(events)) == []
    assert verify_chain(list(reversed(events)), head=head_of(events)) == []  # judged by seq
    assert verify_chain([]) == []
    assert verify_chain([], head=ChainHead(0, GENESIS_HASH)) == []


def test_altered() -> None:
    events = chain(5)
    events[2] = dataclasses.replace(events[2], actor="mallory")
    assert kinds(verify_chain(events, head=head_of(events))) == [(ALTERED, (3,))]


def test_altered_last_event_with_new_hash() -> None:
    events = chain(5)
    head = head_of(events)
    last = dataclasses.replace(events[-1], subject="protocol 9.9")
    events[-1] = dataclasses.replace(last, hash=last.expected_hash())
    assert kinds(verify_chain(events, head=head)) == [(ALTERED, (5,))]


def test_deleted_middle_first_and_last() -> None:
    events = chain(6)
    head = head_of(events)
    assert kinds(verify_chain(events[:2] + events[3:], head=head)) == [(DELETED, (3,))]
    assert kinds(verify_chain(events[:2] + events[4:], head=head)) == [(DELETED, (3, 4))]
    assert kinds(verify_chain(events[1:], head=head)) == [(DELETED, (1,))]
    assert kinds(verify_chain(events[:-2], head=head)) == [(DELETED, (5, 6))]
    assert kinds(verify_chain([], head=head)) == [(DELETED, (1, 2, 3, 4, 5, 6))]
    # without the head, the end of the log can't be checked
    assert verify_chain(events[:-2]) == []


def test_deleted_with_numbering_closed() -> None:
    events = chain(5)
    renumbered = events[:2] + [dataclasses.replace(e, seq=e.seq - 1) for e in events[3:]]
    problems = verify_chain(renumbered)
    assert kinds(problems) == [(BROKEN_LINK, (3,))]


def test_inserted_at_the_end() -> None:
    events = chain(5)
    head = head_of(events)
    extra = AuditEvent.build(
        seq=6, prev_hash=events[-1].hash, at=T0, actor="mallory", action="approve",
        subject="convenant 9.9",
    )
    assert kinds(verify_chain(events + [extra], head=head)) == [(INSERTED, (6,))]


def test_inserted_in_the_middle() -> None:
    events = chain(5)
    head = head_of(events)
    forged = AuditEvent.build(
        seq=3, prev_hash=events[1].hash, at=T0, actor="mallory", action="approve",
        subject="convenant 9.9",
    )
    shifted = events[:2] + [forged] + [dataclasses.replace(e, seq=e.seq + 1) for e in events[2:]]
    assert kinds(verify_chain(shifted, head=head)) == [(INSERTED, (3,))]


def test_second_genesis_is_inserted() -> None:
    events = chain(3)
    other = AuditEvent.build(
        seq=4, prev_hash=GENESIS_HASH, at=T0, actor="mallory", action="init", subject="registry"
    )
    assert kinds(verify_chain(events + [other])) == [(INSERTED, (4,))]


def test_swapped_events_are_reordered() -> None:
    events = chain(6)
    swapped = list(events)
    swapped[2] = dataclasses.replace(events[3], seq=3)
    swapped[3] = dataclasses.replace(events[2], seq=4)
    problems = verify_chain(swapped, head=head_of(events))
    assert kinds(problems) == [(REORDERED, (3, 4))]
    assert "chain order is 4, 3" in problems[0].message


def test_problems_are_printable() -> None:
    events = chain(3)
    problems = verify_chain(events[:1] + events[2:])
    assert str(problems[0]).startswith("deleted: event(s) 2 are missing")


def test_domain_audit_imports_no_sqlalchemy() -> None:
    code = (
        "import sys, zvhsign.domain.audit, zvhsign.domain.documents, zvhsign.errors;"
        "assert 'sqlalchemy' not in sys.modules and 'alembic' not in sys.modules"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
