"""A failed fetch is kept by pyhanko-certvalidator and raised again for every later ask
about the same certificate; raised again, one exception object collects the frames of every
validation it passes through. Shared by a whole batch, that held every file's readers:
verify's memory grew by ~3 MB a copy while a responder was unreachable. Through
``zvhsign.pdf.fetchers`` a kept failure holds no frames from one ask to the next."""

from __future__ import annotations

import asyncio
import traceback

import aiohttp

from zvhsign.pdf.fetchers import frameless
from zvhsign.pdf.trust import load_certs
from zvhsign.testpki import certs_dir


def _depth(exc: BaseException) -> int:
    return len(traceback.extract_tb(exc.__traceback__))


async def _asks(fetchers, cert, authority, n: int) -> list[int]:
    depths = []
    for _ in range(n):
        try:
            await fetchers.ocsp_fetcher.fetch(cert, authority)
        except Exception as exc:  # noqa: BLE001 - the responder's name does not resolve
            depths.append(_depth(exc))
    return depths


def test_a_kept_fetch_failure_does_not_collect_frames():
    from pyhanko_certvalidator.authority import AuthorityWithCert
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    out = certs_dir() / "out"
    (cert,) = load_certs([out / "om.cert.pem"])
    (issuer,) = load_certs([out / "zvh-ca.cert.pem"])
    assert "pki.zvh-test.invalid" in str(cert.ocsp_urls)  # a name that never resolves

    async def run(wrap: bool) -> list[int]:
        async with aiohttp.ClientSession() as session:
            fetchers = AIOHttpFetcherBackend(session=session, per_request_timeout=5).get_fetchers()
            return await _asks(frameless(fetchers) if wrap else fetchers, cert, AuthorityWithCert(issuer), 6)

    plain, kept = asyncio.run(run(False)), asyncio.run(run(True))
    assert len(plain) == len(kept) == 6  # every ask fails, as before
    assert plain[-1] > plain[0]  # pyhanko-certvalidator's own: the same exception, ever longer
    assert kept == [kept[0]] * 6 and kept[0] <= 3, kept  # here: only the frames of this ask
