"""services.auditlog: anchoring the audit log with the test TSA (real HTTP) and checking anchors."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from zvhsign.domain.audit import GENESIS_HASH, AuditEvent
from zvhsign.errors import RefusedError
from zvhsign.registry import Registry
from zvhsign.services import auditlog
from zvhsign.services.setup import init_test_workspace


@pytest.fixture
def ws(tmp_path):  # noqa: ANN001, ANN201
    return init_test_workspace(tmp_path / "ws")


def _sql(ws, statement: str, **params) -> None:  # noqa: ANN001
    engine = sa.create_engine(ws.config.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)
    engine.dispose()


def _rewrite(ws, edit) -> None:  # noqa: ANN001
    """Edit events and recompute every hash and the head, as a forger with DB access would."""
    with Registry.open(ws.config.database_url) as reg:
        events = reg.events()
    prev = GENESIS_HASH
    for e in events:
        details = edit(e)
        new = AuditEvent.build(seq=e.seq, prev_hash=prev, at=e.at, actor=e.actor, action=e.action,
                               subject=e.subject, actor_certificate=e.actor_certificate,
                               object_sha256s=e.object_sha256s, details=details)
        _sql(ws, "UPDATE audit_events SET details = :d, prev_hash = :p, hash = :h WHERE seq = :s",
             d=json.dumps(new.details, sort_keys=True), p=new.prev_hash, h=new.hash, s=new.seq)
        prev = new.hash
    _sql(ws, "UPDATE audit_chain_head SET hash = :h WHERE id = 1", h=prev)


def test_anchor_then_verify(ws) -> None:  # noqa: ANN001
    res = auditlog.anchor(ws, actor="secretariaat")
    assert res.anchored.seq == 1 and res.event.seq == 2 and res.event.action == "anchor"
    assert "Time Stamping Authority" in (res.tsa or "")
    check = auditlog.verify(ws)
    assert check.intact and check.problems == ()
    (a,) = check.anchors
    assert a.token_ok and a.problem is None
    assert a.time == res.time and a.anchor.anchored_hash == res.anchored.hash
    assert check.to_json()["last_anchor_seq"] == 2


def test_token_moved_to_another_head_is_caught(ws) -> None:  # noqa: ANN001
    auditlog.anchor(ws)
    with Registry.open(ws.config.database_url) as reg:
        reg.append_event("record-copy", "convenant 1.0", actor="test")
    auditlog.anchor(ws)  # event 4 anchors event 3
    first_token = [e for e in auditlog.events(ws) if e.action == "anchor"][0].details["token"]

    def edit(e):  # noqa: ANN001, ANN202
        return {**e.details, "token": first_token} if e.seq == 4 else e.details

    _rewrite(ws, edit)
    check = auditlog.verify(ws)
    assert check.problems == ()  # the chain itself was recomputed consistently...
    assert not check.intact  # ...but the token does not vouch for this head
    bad = [a for a in check.anchors if not a.token_ok]
    assert [a.anchor.seq for a in bad] == [4]
    assert "imprint" in bad[0].problem


def test_rewritten_history_is_caught_by_the_anchor(ws) -> None:  # noqa: ANN001
    with Registry.open(ws.config.database_url) as reg:
        reg.append_event("approve", "convenant 1.0", actor="test", details={"decided_on": "2026-11-02"})
    auditlog.anchor(ws)
    _rewrite(ws, lambda e: {"decided_on": "2026-10-01"} if e.seq == 2 else e.details)
    check = auditlog.verify(ws)
    assert not check.intact
    assert [p.kind for p in check.problems] == ["anchor-mismatch"]


def test_anchor_refuses_a_tampered_log(ws) -> None:  # noqa: ANN001
    _sql(ws, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(RefusedError, match="does not verify"):
        auditlog.anchor(ws)
    assert [e.action for e in auditlog.events(ws)] == ["init"]


def test_offline_an_anchor_is_intact_with_its_tsa_revocation_unchecked(ws) -> None:  # noqa: ANN001
    """Offline there is no revocation data for the anchor's TSA (a token carries none): said as
    not checked, not as tampering ("its TSA is not trusted (AdESIndeterminate....)", exit 1)."""
    from click.testing import CliRunner

    from zvhsign.cli import cli

    auditlog.anchor(ws)
    check = auditlog.verify(ws, online=False)
    (a,) = check.anchors
    assert check.intact and a.token_ok and a.problem is None
    assert "revocation" in a.unchecked and "offline" in a.unchecked
    assert check.to_json()["anchors"][0]["unchecked"] == a.unchecked
    assert auditlog.verify(ws).anchors[0].unchecked is None  # online: checked
    run = CliRunner().invoke(cli, ["-w", str(ws.root), "log", "verify", "--offline"])
    assert run.exit_code == 0, run.output
    assert "audit log intact" in run.output and "not checked: the revocation status" in run.output


def test_offline_an_anchor_from_an_untrusted_tsa_is_still_a_problem(ws) -> None:  # noqa: ANN001
    import dataclasses

    from zvhsign.testpki import TEST_PKI_ARCH, TEST_PKI_URL_PREFIX

    rogue = dataclasses.replace(ws, config=dataclasses.replace(
        ws.config, tsa_url=f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/tsa/rogue-tsa"))
    auditlog.anchor(rogue)
    for online in (True, False):
        check = auditlog.verify(ws, online=online)
        (a,) = check.anchors
        assert not check.intact and not a.token_ok and a.unchecked is None
        assert "its TSA is not trusted (NO_CERTIFICATE_CHAIN_FOUND)" in a.problem, a.problem
