"""The fetchers (OCSP, CRL, issuer certificates) one batch shares, holding no frames.

pyhanko-certvalidator's fetchers keep the outcome of every fetch, also a failure: the
exception object is kept and raised again whenever the same certificate's status is asked
for (``queue_fetch_task``). Each raise of one exception object puts the frames it passes
through in front of the traceback it already has, so a kept failure holds the frames of
every validation that met it -- each with its file's readers, signatures and validation
contexts. With the fetchers shared by a whole batch (``trust.shared_fetcher_backend``) and
the network down or a responder gone, memory grew with every file (~3 MB a copy of the
demo: 143 MB at 12 copies, 282 MB at 60; benchmarks/verify_vs_pyhanko.py).

Here each failure leaves the fetcher with no traceback: the validation that meets it gets
it from this point on, and the kept exception holds at most that one validation's frames,
which the next ask for the same certificate lets go. What is fetched, kept and reused is
unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

# (imported when fetching is set up: trust.shared_fetcher_backend imports this module then)
from pyhanko_certvalidator.fetchers.api import CertificateFetcher, CRLFetcher, Fetchers, OCSPFetcher


class _Delegating:
    def __init__(self, inner) -> None:  # noqa: ANN001
        self._inner = inner

    def __getattr__(self, name: str):  # noqa: ANN204 - anything else the inner fetcher has
        return getattr(self._inner, name)


class FramelessOCSP(_Delegating, OCSPFetcher):
    async def fetch(self, cert, authority):  # noqa: ANN001, ANN201
        try:
            return await self._inner.fetch(cert, authority)
        except Exception as exc:
            raise exc.with_traceback(None)  # noqa: B904 - the same (kept) exception, no frames

    def fetched_responses(self):  # noqa: ANN201
        return self._inner.fetched_responses()

    def fetched_responses_for_cert(self, cert):  # noqa: ANN001, ANN201
        return self._inner.fetched_responses_for_cert(cert)


class FramelessCRL(_Delegating, CRLFetcher):
    async def fetch(self, cert, *, use_deltas=None):  # noqa: ANN001, ANN201
        try:
            return await self._inner.fetch(cert, use_deltas=use_deltas)
        except Exception as exc:
            raise exc.with_traceback(None)  # noqa: B904

    def fetched_crls(self):  # noqa: ANN201
        return self._inner.fetched_crls()

    def fetched_crls_for_cert(self, cert):  # noqa: ANN001, ANN201
        return self._inner.fetched_crls_for_cert(cert)


class FramelessCertificates(_Delegating, CertificateFetcher):
    async def fetch_cert_issuers(self, cert) -> AsyncIterator:  # noqa: ANN001
        async for found in _frameless(self._inner.fetch_cert_issuers(cert)):
            yield found

    async def fetch_crl_issuers(self, certificate_list) -> AsyncIterator:  # noqa: ANN001
        async for found in _frameless(self._inner.fetch_crl_issuers(certificate_list)):
            yield found

    def fetched_certs(self):  # noqa: ANN201
        return self._inner.fetched_certs()


async def _frameless(found: AsyncIterator) -> AsyncIterator:
    try:
        async for item in found:
            yield item
    except Exception as exc:
        raise exc.with_traceback(None)  # noqa: B904


def frameless(fetchers: Fetchers) -> Fetchers:
    """pyhanko-certvalidator ``Fetchers`` whose failures keep no frames (see the module's text)."""
    return Fetchers(ocsp_fetcher=FramelessOCSP(fetchers.ocsp_fetcher),
                    crl_fetcher=FramelessCRL(fetchers.crl_fetcher),
                    cert_fetcher=FramelessCertificates(fetchers.cert_fetcher))
