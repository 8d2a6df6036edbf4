"""Large copies are mapped, not read into memory (pdf/byteview.py): the verdicts and the
signatures are the same as for copies read into memory (whose revisions the parsers read
as copies up to byteview.COPY_UP_TO, through a view of the bytes above it), and a file that changes while it
is examined or signed is refused, never judged on a mix of old and new bytes."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime

import pytest

from zvhsign.cli.render import render_batch_json
from zvhsign.pdf import byteview
from zvhsign.services.operations import verify
from zvhsign.services.pipeline import Copy, Pipeline
from zvhsign.services.signing import sign


@pytest.fixture
def map_everything(monkeypatch):
    monkeypatch.setattr(byteview, "MAP_FROM", 0)


def _verdicts(ws, files, at):
    doc = json.loads(render_batch_json(verify(ws, files, online=False, at=at)))
    for f in doc["files"]:
        for s in f["signatures"]:
            if s["indication"] != "TOTAL-PASSED":  # pyHanko's own clock, not --at: no proof of time
                s.pop("best_signature_time")
    return doc


def test_mapped_and_read_copies_get_the_same_verdicts(approved, signed_convenant, tmp_path, monkeypatch):
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(signed_convenant.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    files = [signed_convenant, approved.convenant, tampered]
    at = datetime.now(UTC).replace(microsecond=0)  # one validation time for both
    read = _verdicts(approved.ws, files, at)  # small copies: the parsers read copies of their prefixes
    with monkeypatch.context() as m:
        m.setattr(byteview, "COPY_UP_TO", 0)  # ... or read them through a view of the bytes
        viewed = _verdicts(approved.ws, files, at)
    monkeypatch.setattr(byteview, "MAP_FROM", 0)
    mapped = _verdicts(approved.ws, files, at)
    import difflib
    a = json.dumps(read, indent=1, sort_keys=True).splitlines()
    for other in (viewed, mapped):
        b = json.dumps(other, indent=1, sort_keys=True).splitlines()
        assert other == read, "\n".join(difflib.unified_diff(a, b, lineterm="", n=1))
    assert [f["status"] for f in mapped["files"]] == ["VERIFIED", "FAILED", "FAILED"]


def test_signing_a_mapped_copy(approved, passphrase, tmp_path, map_everything):
    out = tmp_path / "signed.pdf"
    sign(approved.ws, approved.convenant, approved.key("politie", passphrase), out)
    assert out.read_bytes().startswith(approved.convenant.read_bytes())
    (f,) = verify(approved.ws, [out], online=False).files
    assert f.verified, [x.code for x in f.findings]


def test_a_copy_that_changes_while_it_is_examined_is_refused(approved, signed_convenant, tmp_path):
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(signed_convenant.read_bytes())
    fd = os.open(copy, os.O_RDONLY)
    try:
        mapped = byteview.map_file(fd)
    finally:
        os.close(fd)
    st = os.stat(copy)
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # someone writes to it

    pipe = Pipeline(approved.ws, online=False)

    async def run():
        async with pipe.session() as rt:
            return await pipe.examine(rt, Copy("copy.pdf", data=mapped))

    x = asyncio.run(run())
    assert x.evidence is None and "changed while it was examined" in x.error
