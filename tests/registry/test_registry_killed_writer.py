"""A writer SIGKILLed in the middle of recording leaves no half record and an intact chain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from zvhsign.domain.digests import Sha256
from zvhsign.registry import Registry

# Each round stores a 1 MiB blob and its audit event in one transaction: the
# process is killed while such transactions are in flight.
WRITER = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime, timezone

    from zvhsign.domain.digests import Sha256
    from zvhsign.registry import Registry
    from zvhsign.registry.models import Blob

    reg = Registry.open(sys.argv[1])
    i = 0
    while True:
        data = os.urandom(1 << 20)
        with reg.write("recording a copy") as tx:
            d = Sha256.of(data)
            tx.session.add(Blob(sha256=d.hex, size=len(data), data=data,
                                created_at=datetime.now(timezone.utc)))
            tx.session.flush()
            tx.append("record-copy", f"copy {i}", actor="killed-writer",
                      object_sha256s=(d.hex,), details={"i": i})
        i += 1
        print(i, flush=True)
    """
)


def test_sigkill_while_recording_leaves_no_half_record(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    Registry.create(registry_url, actor="init").close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, registry_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # let it commit a few records, then kill it mid-way through the next ones
        for _ in range(3):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
        time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    # A killed client's last COMMIT may still be completing on a database server
    # (PostgreSQL finishes it in the backend): judge the state once it is settled.
    # A real half record would never settle.
    deadline = time.monotonic() + 15
    while True:
        with Registry.open(registry_url) as reg:
            problems = reg.verify_log()
            events = reg.events()
            head = reg.chain_head()
        records = [e for e in events if e.action == "record-copy"]
        blob_shas = {r[0] for r in raw_sql("SELECT sha256 FROM blobs")}
        settled = blob_shas == {e.object_sha256s[0] for e in records}
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert problems == []
    assert len(records) >= 3
    assert head.seq == len(events)
    # every blob has its event, and every event's blob is whole
    assert blob_shas == {e.object_sha256s[0] for e in records}
    with Registry.open(registry_url) as reg:
        for e in records:
            data = reg.get_blob(e.object_sha256s[0])
            assert data is not None and Sha256.of(data).hex == e.object_sha256s[0]
    # and the registry takes new writes (no lock or half transaction left behind)
    with Registry.open(registry_url) as reg:
        reg.append_event("record-copy", "after the kill", actor="test")
        assert reg.verify_log() == []
