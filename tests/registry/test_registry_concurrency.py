"""Concurrent writers in separate processes neither lose events nor fork the chain."""

from __future__ import annotations

import multiprocessing as mp

from zvhsign.domain.digests import Sha256
from zvhsign.registry import Registry

PROCESSES = 8
EVENTS_EACH = 50


def _writer(url: str, worker: int, start, errors) -> None:  # noqa: ANN001
    try:
        start.wait(30)
        with Registry.open(url) as reg:
            for i in range(EVENTS_EACH):
                if i % 2:
                    reg.append_event(
                        "record-copy",
                        f"convenant 1.0 copy {worker}-{i}",
                        actor=f"worker{worker}",
                        details={"worker": worker, "i": i},
                    )
                else:  # a row and its event in one transaction
                    reg.put_blob(f"copy {worker}-{i}".encode(), actor=f"worker{worker}")
    except BaseException as exc:  # report to the parent instead of dying silently
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")
        raise


def test_concurrent_writers_keep_the_chain(registry_url: str) -> None:
    Registry.create(registry_url, actor="init").close()
    ctx = mp.get_context("fork")
    start = ctx.Event()
    errors = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(registry_url, w, start, errors))
        for w in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(300)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert [p.exitcode for p in procs] == [0] * PROCESSES

    with Registry.open(registry_url) as reg:
        events = reg.events()
        assert len(events) == 1 + PROCESSES * EVENTS_EACH
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        written = {(e.details["worker"], e.details["i"]) for e in events if e.action == "record-copy"}
        assert written == {(w, i) for w in range(PROCESSES) for i in range(1, EVENTS_EACH, 2)}
        blobs = [e for e in events if e.action == "store-blob"]
        assert len(blobs) == PROCESSES * ((EVENTS_EACH + 1) // 2)
        for w in range(PROCESSES):
            for i in range(0, EVENTS_EACH, 2):
                assert reg.get_blob(Sha256.of(f"copy {w}-{i}".encode())) == f"copy {w}-{i}".encode()
        assert reg.verify_log() == []
        assert reg.chain_head().seq == len(events)
