"""The validation environment: trust roots, fetchers, TSA, built once per process.

One :class:`TrustEnv` is shared across every file of a batch, so certificates,
fetched OCSP responses and CRLs are reused rather than fetched per file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def shared_fetcher_backend(inner):
    """Wrap a pyhanko-certvalidator FetcherBackend so that it hands out one ``Fetchers``
    (one cache of OCSP responses, CRLs and certificates) for every validation of a
    batch, instead of a fresh, empty one per signature. The built-in per-``Fetchers``
    request budget then bounds the whole batch; answers from the cache don't count."""
    from pyhanko_certvalidator.fetchers.api import FetcherBackend

    class SharedFetcherBackend(FetcherBackend):
        shared = True

        def __init__(self) -> None:
            self._fetchers = None

        def get_fetchers(self):
            if self._fetchers is None:
                self._fetchers = inner.get_fetchers()
            return self._fetchers

        async def close(self) -> None:
            await inner.close()

    return SharedFetcherBackend()


@dataclass
class TrustEnv:
    trust_roots: list  # asn1crypto.x509.Certificate
    other_certs: list = field(default_factory=list)
    fetcher_backend: Any | None = None  # pyhanko_certvalidator FetcherBackend
    timestamper: Any | None = None  # pyhanko TimeStamper
    online: bool = True
    moment: datetime | None = None  # validate at this time instead of now

    def __post_init__(self) -> None:
        if self.fetcher_backend is not None and not getattr(self.fetcher_backend, "shared", False):
            self.fetcher_backend = shared_fetcher_backend(self.fetcher_backend)

    def validation_context(
        self, *, for_signing: bool = False, certs=(), ocsps=(), crls=()
    ):
        """A pyhanko-certvalidator ValidationContext (for embedding revinfo when signing,
        and for document timestamps). ``certs``/``ocsps``/``crls``: validation data
        known locally, e.g. from the file's DSS (all there is when offline)."""
        from pyhanko_certvalidator import ValidationContext

        kwargs: dict = dict(
            trust_roots=list(self.trust_roots),
            other_certs=list(self.other_certs) + list(certs),
            allow_fetching=self.online,
            revocation_mode="require" if for_signing else "hard-fail",
        )
        if ocsps or crls or not self.online:
            kwargs["ocsps"] = list(ocsps)
            kwargs["crls"] = list(crls)
        if self.fetcher_backend is not None and self.online:
            kwargs["fetcher_backend"] = self.fetcher_backend
        if self.moment is not None:
            kwargs["moment"] = self.moment
        return ValidationContext(**kwargs)

    def signature_spec(self):
        """pyhanko AdES validation spec for PDF signatures."""
        from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
        from pyhanko.sign.validation.policy_decl import (
            LocalKnowledge,
            PdfSignatureValidationSpec,
            RevinfoOnlineFetchingRule,
            RevocationInfoGatheringSpec,
            SignatureValidationSpec,
        )
        from pyhanko_certvalidator.context import CertValidationPolicySpec
        from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
        from pyhanko_certvalidator.registry import SimpleTrustManager

        cert_policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=self.trust_roots),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
        )
        rule = (
            RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
            if self.online
            else RevinfoOnlineFetchingRule.LOCAL_ONLY
        )
        spec = SignatureValidationSpec(
            cert_validation_policy=cert_policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=rule, fetcher_backend=self.fetcher_backend
            ),
            local_knowledge=LocalKnowledge(known_certs=list(self.other_certs)),
        )
        return PdfSignatureValidationSpec(spec, diff_policy=DEFAULT_DIFF_POLICY)

    def timing(self):
        from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

        if self.moment is None:
            return ValidationTimingInfo.now()
        return ValidationTimingInfo(self.moment, self.moment, point_in_time_validation=True)
