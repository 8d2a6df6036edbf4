"""The validation environment: trust roots, fetchers, TSA, built once per process.

One :class:`TrustEnv` is shared across every file of a batch, so certificates,
fetched OCSP responses and CRLs are reused rather than fetched per file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class TrustEnv:
    trust_roots: list  # asn1crypto.x509.Certificate
    other_certs: list = field(default_factory=list)
    fetcher_backend: Any | None = None  # pyhanko_certvalidator FetcherBackend
    timestamper: Any | None = None  # pyhanko TimeStamper
    online: bool = True
    moment: datetime | None = None  # validate at this time instead of now

    def validation_context(self, *, for_signing: bool = False):
        """A pyhanko-certvalidator ValidationContext (for embedding revinfo when signing)."""
        from pyhanko_certvalidator import ValidationContext

        kwargs: dict = dict(
            trust_roots=list(self.trust_roots),
            other_certs=list(self.other_certs),
            allow_fetching=self.online,
            revocation_mode="require" if for_signing else "hard-fail",
        )
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
