"""The audit log's hash chain: intact after use, and tampering with the DB is named."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from zvhsign.domain.audit import (
    ALTERED,
    BROKEN_LINK,
    DELETED,
    INSERTED,
    REORDERED,
    event_hash,
)
from zvhsign.registry import Registry

ACTOR = "secretariaat"


@pytest.fixture
def reg_with_log(registry_url: str, make_version):  # noqa: ANN001, ANN201
    """A registry with 6 events: init, 2 approvals, 3 recorded copies."""
    reg = Registry.create(registry_url, actor=ACTOR)
    for doc, ver in (("convenant", "1.0"), ("protocol", "1.0")):
        av, pdf = make_version(doc, ver)
        reg.add_approved_version(av, pdf, actor=ACTOR, actor_certificate="cd" * 32)
    for partner in ("Gemeente Haarlem", "Gemeente Velsen", "Veilig Thuis"):
        reg.append_event(
            "record-copy",
            "convenant 1.0",
            actor=ACTOR,
            details={"partner": partner},
        )
    assert len(reg.events()) == 6
    yield reg
    reg.close()


def _kinds(problems) -> list[tuple[str, tuple[int, ...]]]:  # noqa: ANN001
    return [(p.kind, p.seqs) for p in problems]


def _forge(prev_hash: str, subject: str) -> dict:
    """Row values of a forged event with a correct hash over its content."""
    at = datetime(2025, 4, 1, 12, 0, tzinfo=timezone.utc)
    fields = dict(
        at=at,
        actor="mallory",
        actor_certificate=None,
        action="approve",
        subject=subject,
        object_sha256s=(),
        details={},
    )
    return dict(
        at=at,
        actor="mallory",
        actor_certificate=None,
        action="approve",
        subject=subject,
        object_sha256s="[]",
        details="{}",
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, **fields),
    )


def _insert(raw_sql, seq: int, row: dict, registry_url: str) -> None:  # noqa: ANN001
    at = row["at"]
    if registry_url.startswith("sqlite"):
        at = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    raw_sql(
        "INSERT INTO audit_events (seq, at, actor, actor_certificate, action, subject, "
        "object_sha256s, details, prev_hash, hash) VALUES (:seq, :at, :actor, :cert, :action, "
        ":subject, :objs, :details, :prev, :hash)",
        seq=seq,
        at=at,
        actor=row["actor"],
        cert=row["actor_certificate"],
        action=row["action"],
        subject=row["subject"],
        objs=row["object_sha256s"],
        details=row["details"],
        prev=row["prev_hash"],
        hash=row["hash"],
    )


def test_chain_is_intact_and_linked(reg_with_log) -> None:  # noqa: ANN001
    events = reg_with_log.events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == "0" * 64
    for prev, ev in zip(events, events[1:]):
        assert ev.prev_hash == prev.hash
        assert ev.hash == ev.expected_hash()
    assert reg_with_log.verify_log() == []
    assert reg_with_log.chain_head().hash == events[-1].hash


def test_updated_event_is_altered(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql("UPDATE audit_events SET subject = 'convenant 9.9' WHERE seq = 2")
    assert _kinds(reg_with_log.verify_log()) == [(ALTERED, (2,))]


def test_updated_details_is_altered(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql(
        "UPDATE audit_events SET details = :d WHERE seq = 4",
        d=json.dumps({"partner": "Gemeente Zandvoort"}),
    )
    assert _kinds(reg_with_log.verify_log()) == [(ALTERED, (4,))]


def test_updated_and_rehashed_event_breaks_the_link(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    ev = reg_with_log.events()[2]  # seq 3, rewritten with a hash matching its new content
    new_hash = event_hash(
        ev.prev_hash,
        at=ev.at,
        actor=ev.actor,
        actor_certificate=ev.actor_certificate,
        action=ev.action,
        subject="protocol 9.9",
        object_sha256s=ev.object_sha256s,
        details=ev.details,
    )
    raw_sql(
        "UPDATE audit_events SET subject = 'protocol 9.9', hash = :h WHERE seq = 3", h=new_hash
    )
    problems = reg_with_log.verify_log()
    assert _kinds(problems) == [(BROKEN_LINK, (4,))]
    assert "rewritten" in problems[0].message


def test_deleted_event_is_reported(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql("DELETE FROM audit_events WHERE seq = 3")
    problems = reg_with_log.verify_log()
    assert _kinds(problems) == [(DELETED, (3,))]
    assert "missing" in problems[0].message


def test_deleted_last_event_is_reported(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql("DELETE FROM audit_events WHERE seq = 6")
    assert _kinds(reg_with_log.verify_log()) == [(DELETED, (6,))]


def test_inserted_event_at_the_end_is_reported(reg_with_log, raw_sql, registry_url) -> None:  # noqa: ANN001
    last = reg_with_log.events()[-1]
    _insert(raw_sql, 7, _forge(last.hash, "protocol 9.9"), registry_url)
    assert _kinds(reg_with_log.verify_log()) == [(INSERTED, (7,))]


def test_inserted_event_with_bad_hash_is_reported(reg_with_log, raw_sql, registry_url) -> None:  # noqa: ANN001
    row = _forge("f" * 64, "protocol 9.9") | {"hash": "e" * 64}
    _insert(raw_sql, 7, row, registry_url)
    assert _kinds(reg_with_log.verify_log()) == [(INSERTED, (7,))]


def test_inserted_event_in_the_middle_is_reported(reg_with_log, raw_sql, registry_url) -> None:  # noqa: ANN001
    events = reg_with_log.events()
    # make room at seq 3 by renumbering 3..6 to 4..7, then forge a valid-looking event 3
    raw_sql("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 3")
    raw_sql("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000")
    _insert(raw_sql, 3, _forge(events[1].hash, "protocol 9.9"), registry_url)
    assert _kinds(reg_with_log.verify_log()) == [(INSERTED, (3,))]


def test_swapped_events_are_reordered(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql("UPDATE audit_events SET seq = -1 WHERE seq = 4")
    raw_sql("UPDATE audit_events SET seq = 4 WHERE seq = 5")
    raw_sql("UPDATE audit_events SET seq = 5 WHERE seq = -1")
    problems = reg_with_log.verify_log()
    assert _kinds(problems) == [(REORDERED, (4, 5))]
    assert "out of chain order" in problems[0].message


def test_appending_after_tampering_keeps_reporting(reg_with_log, raw_sql) -> None:  # noqa: ANN001
    raw_sql("DELETE FROM audit_events WHERE seq = 2")
    reg_with_log.append_event("record-copy", "protocol 1.0", actor=ACTOR)
    assert _kinds(reg_with_log.verify_log()) == [(DELETED, (2,))]
