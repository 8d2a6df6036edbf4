"""A workspace on the test PKI serves it only when something is fetched: an offline
verify or one answered from the evidence cache never loads its keys; an online one does,
and gets its answers."""

from __future__ import annotations

import pytest

from zvhsign.services.operations import verify
from zvhsign.testpki import LocalTestPKI


@pytest.fixture
def starts(monkeypatch):
    started = []
    real = LocalTestPKI.start

    def counting(self):
        started.append(self)
        return real(self)

    monkeypatch.setattr(LocalTestPKI, "start", counting)
    return started


def test_offline_verify_does_not_start_the_test_pki(approved, signed_convenant, starts):
    batch = verify(approved.ws, [signed_convenant], online=False)
    assert batch.all_verified
    assert starts == []


def test_online_verify_starts_it_once_and_stops_it(approved, signed_convenant, starts):
    batch = verify(approved.ws, [signed_convenant, signed_convenant], online=True, cache=False)
    assert batch.all_verified
    assert len(starts) == 1
    assert starts[0].port is not None and starts[0]._server is None  # stopped afterwards


def test_stopping_does_not_wait_for_a_poll_interval():
    """A command that served the PKI ends at once (serve_forever's default 0.5 s poll
    made every such command wait up to half a second at its end)."""
    import time

    pki = LocalTestPKI().start()
    time.sleep(0.05)  # the server loop is waiting in its poll
    t = time.perf_counter()
    pki.stop()
    assert time.perf_counter() - t < 0.2
