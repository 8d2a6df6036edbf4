"""Every signature of a file is judged at one validation time (zvhsign/pdf/examine.py): the
signatures' AdES validation and zvhsign's own validations of the document timestamps and of
the content timestamps -- which took "now" again, each a moment later. ``--at`` keeps its own
time. A real copy of the test PKI (certification, partner signature with content timestamp,
document timestamp)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from zvhsign.pdf import responder_once
from zvhsign.pdf.trust import TrustEnv


def _examined_moments(ws, path, monkeypatch, *, at=None) -> tuple[list, list]:
    """(the moments zvhsign's own validation contexts were made for, the file's validation
    times handed out by the environment) while one copy is examined."""
    from zvhsign.pdf.examine import examine
    from zvhsign.services.runtime import open_runtime

    asked, timings = [], []
    made, timing = TrustEnv.validation_context, TrustEnv.timing

    def validation_context(self, **kw):
        vc = made(self, **kw)
        asked.append(vc.moment)
        return vc

    def counted_timing(self):
        t = timing(self)
        timings.append(t.validation_time)
        return t

    monkeypatch.setattr(TrustEnv, "validation_context", validation_context)
    monkeypatch.setattr(TrustEnv, "timing", counted_timing)

    async def run():
        async with open_runtime(ws, trusted_lists="lazy", moment=at) as rt:
            await examine(str(path), path.read_bytes(), rt.env, lambda _n: [], spec=rt.signature_spec())

    asyncio.run(run())
    return asked, timings


def test_the_timestamps_are_judged_at_the_files_validation_time(approved, signed_convenant, monkeypatch):
    asked, timings = _examined_moments(approved.ws, signed_convenant, monkeypatch)
    assert len(timings) == 1  # one validation time for the file
    assert len(asked) >= 3  # document timestamp, content timestamps of the two signatures
    assert set(asked) == {timings[0]}


def test_at_keeps_its_own_time(approved, signed_convenant, monkeypatch):
    at = datetime(2026, 12, 31, 12, tzinfo=timezone.utc)
    asked, _ = _examined_moments(approved.ws, signed_convenant, monkeypatch, at=at)
    assert asked and set(asked) == {at}


def test_the_responder_is_checked_once_per_file(approved, signed_convenant, monkeypatch):
    from pyhanko_certvalidator.revinfo import validate_ocsp

    responder_once.forget()
    calls = []
    original = getattr(validate_ocsp._validate_delegated_ocsp_provenance, "__wrapped__",
                       validate_ocsp._validate_delegated_ocsp_provenance)

    async def counted(*args, **kwargs):
        calls.append(args[2].moment)
        return await original(*args, **kwargs)

    from zvhsign.pdf import speedups

    monkeypatch.setattr(validate_ocsp, "_validate_delegated_ocsp_provenance", responder_once._provenance_once(
        counted, validate_ocsp._delegated_ocsp_response_path))
    monkeypatch.setattr(speedups, "_installed", speedups._installed | {"responder_once"})
    _, timings = _examined_moments(approved.ws, signed_convenant, monkeypatch)
    # every check at the file's time, except those of past validation (at a proof's time)
    assert calls.count(timings[0]) == 1
