"""Registry.write (changes + audit event in one transaction), anchors and config events."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest

from zvhsign.domain.audit import (
    ANCHOR_MISMATCH,
    GENESIS_HASH,
    Anchor,
    AuditEvent,
    ChainHead,
    check_anchors,
    verify_chain,
)
from zvhsign.domain.digests import Sha256
from zvhsign.errors import RegistryError
from zvhsign.registry import ConflictError, Registry
from zvhsign.registry.models import Blob

ACTOR = "secretariaat"
TOKEN = b"\x30\x03\x02\x01\x00"  # stands in for DER; the token itself is checked by the service layer


def _rehash_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """What a forger with database access does: recompute every hash after an edit."""
    out, prev = [], GENESIS_HASH
    for e in events:
        new = AuditEvent.build(
            seq=e.seq, prev_hash=prev, at=e.at, actor=e.actor, action=e.action, subject=e.subject,
            actor_certificate=e.actor_certificate, object_sha256s=e.object_sha256s, details=e.details,
        )
        out.append(new)
        prev = new.hash
    return out


def test_write_commits_the_row_and_its_event_together(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        data = b"recorded copy"
        digest = Sha256.of(data)
        with reg.write("recording a copy") as tx:
            tx.session.add(Blob(sha256=digest.hex, size=len(data), data=data,
                                created_at=datetime.now(timezone.utc)))
            tx.session.flush()
            ev = tx.append("record-copy", "convenant 1.0", actor=ACTOR, object_sha256s=(digest.hex,))
        assert ev.seq == 2
        assert reg.get_blob(digest) == data
        assert [e.action for e in reg.events()] == ["init", "record-copy"]
        assert reg.verify_log() == []


def test_write_that_fails_leaves_neither_row_nor_event(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        data = b"half a record"
        with pytest.raises(RuntimeError, match="boom"):
            with reg.write("recording a copy") as tx:
                tx.session.add(Blob(sha256=Sha256.of(data).hex, size=len(data), data=data,
                                    created_at=datetime.now(timezone.utc)))
                tx.append("record-copy", "convenant 1.0", actor=ACTOR)
                raise RuntimeError("boom")
        assert reg.get_blob(Sha256.of(data)) is None
        assert [e.action for e in reg.events()] == ["init"]
        assert reg.chain_head().seq == 1
        assert reg.verify_log() == []


def test_init_event_records_details(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR, details={"config_sha256": "ab" * 32}) as reg:
        (init,) = reg.events()
        assert init.details["config_sha256"] == "ab" * 32
        assert init.details["schema_revision"] == Registry.head_revision()


def test_config_change_is_logged(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        ev = reg.log_config_change("tsa url", actor="beheerder", config_sha256="cd" * 32,
                                   details={"changed": ["tsa.url"]})
        assert (ev.action, ev.subject, ev.object_sha256s) == ("config", "tsa url", ("cd" * 32,))
        assert ev.details == {"config_sha256": "cd" * 32, "changed": ["tsa.url"]}
        assert reg.verify_log() == []


def test_anchor_is_stored_as_an_event(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.append_event("record-copy", "convenant 1.0", actor=ACTOR)
        head = reg.chain_head()
        when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        reg.append_event("record-copy", "meanwhile", actor=ACTOR)  # anchors may lag behind
        ev = reg.add_anchor(head, TOKEN, tsa_time=when, tsa="ZVH Test TSA", actor=ACTOR)
        assert ev.action == "anchor" and ev.object_sha256s == (head.hash,)
        (a,) = reg.anchors()
        assert (a.seq, a.anchored_seq, a.anchored_hash, a.tsa_time, a.tsa) == (
            ev.seq, head.seq, head.hash, when, "ZVH Test TSA",
        )
        assert reg.verify_log() == []


def test_anchor_of_an_unknown_head_is_refused(registry_url: str) -> None:
    with Registry.create(registry_url, actor=ACTOR) as reg:
        with pytest.raises(ConflictError, match="not stored"):
            reg.add_anchor(ChainHead(1, "ee" * 32), TOKEN, tsa_time=datetime.now(timezone.utc),
                           tsa=None, actor=ACTOR)
        assert len(reg.events()) == 1


def test_chain_rewritten_after_anchoring_is_caught(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.append_event("approve", "convenant 1.0", actor=ACTOR, details={"decided_on": "2026-11-02"})
        reg.add_anchor(reg.chain_head(), TOKEN, tsa_time=datetime.now(timezone.utc), tsa=None, actor=ACTOR)
        events = reg.events()
    # the forger changes the decision date and recomputes every hash and the head
    forged = _rehash_all(
        [dataclasses.replace(events[1], details={"decided_on": "2026-10-01"}) if e.seq == 2 else e
         for e in events]
    )
    for e in forged:
        raw_sql("UPDATE audit_events SET details = :d, prev_hash = :p, hash = :h WHERE seq = :s",
                d=json.dumps(e.details, sort_keys=True), p=e.prev_hash, h=e.hash, s=e.seq)
    raw_sql("UPDATE audit_chain_head SET hash = :h WHERE id = 1", h=forged[-1].hash)
    with Registry.open(registry_url) as reg:
        problems = reg.verify_log()
    assert [(p.kind, p.seqs) for p in problems] == [(ANCHOR_MISMATCH, (3, 2))]
    assert "rewritten after it was anchored" in problems[0].message


# -- the pure part -------------------------------------------------------------


def _chain(n: int) -> list[AuditEvent]:
    out, prev = [], GENESIS_HASH
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(1, n + 1):
        e = AuditEvent.build(seq=i, prev_hash=prev, at=t0 + timedelta(minutes=i), actor="a",
                             action="record-copy", subject=f"copy {i}")
        out.append(e)
        prev = e.hash
    return out


def _anchored(events: list[AuditEvent], anchored_seq: int, *, hash_: str | None = None) -> list[AuditEvent]:
    target = events[anchored_seq - 1]
    last = events[-1]
    anchor = AuditEvent.build(
        seq=last.seq + 1, prev_hash=last.hash, at=last.at + timedelta(minutes=1), actor="a",
        action="anchor", subject="log",
        details=Anchor.details_for(anchored=ChainHead(target.seq, hash_ or target.hash),
                                   token_b64="AAAA", tsa_time=last.at, tsa="TSA"),
    )
    return [*events, anchor]


def test_check_anchors_accepts_a_matching_anchor() -> None:
    evs = _anchored(_chain(3), 3)
    assert verify_chain(evs) == [] and check_anchors(evs) == []
    assert Anchor.from_event(evs[-1]).anchored_seq == 3


def test_check_anchors_names_a_wrong_hash_a_missing_event_and_a_malformed_anchor() -> None:
    wrong = _anchored(_chain(3), 2, hash_="ff" * 32)
    assert [(p.kind, p.seqs) for p in check_anchors(wrong)] == [(ANCHOR_MISMATCH, (4, 2))]
    gone = [e for e in _anchored(_chain(3), 2) if e.seq != 2]
    assert [(p.kind, p.seqs) for p in check_anchors(gone)] == [(ANCHOR_MISMATCH, (4, 2))]
    bad = _chain(2)
    bad.append(AuditEvent.build(seq=3, prev_hash=bad[-1].hash, at=bad[-1].at, actor="a",
                                action="anchor", subject="log", details={"token": "x"}))
    assert [(p.kind, p.seqs) for p in check_anchors(bad)] == [(ANCHOR_MISMATCH, (3,))]


def test_registry_errors_stay_registry_errors() -> None:
    with pytest.raises(RegistryError):
        Registry.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
