"""The validation environment: trust roots, fetchers, TSA, built once per process.

One :class:`TrustEnv` is shared across every file of a batch, so certificates,
fetched OCSP responses and CRLs are reused rather than fetched per file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from datetime import datetime, timezone
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
                from .fetchers import frameless

                # shared by every file: a kept failure must not keep each file's frames
                self._fetchers = frameless(inner.get_fetchers())
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
    # validate at this time instead of now. A moment in the future is a rehearsal:
    # validation runs as if it were then (fresh revocation data may be fetched,
    # and must be fresh at that time); a past moment is point-in-time validation
    moment: datetime | None = None
    #: the loaded EU trusted lists (pyHanko TSPRegistry, see trustlists.py); None: none loaded.
    #: Their qualified CAs are trust anchors besides ``trust_roots``, and every signature's
    #: eIDAS qualification is assessed against them
    tsp_registry: Any | None = None
    #: territories of loaded lists past their next update at the validation time
    stale_lists: tuple[str, ...] = ()
    #: the trust managers built so far: {lists: (tsp_registry, manager)} (trust_manager())
    _trust_managers: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fetcher_backend is not None and not getattr(self.fetcher_backend, "shared", False):
            self.fetcher_backend = shared_fetcher_backend(self.fetcher_backend)

    def validation_context(
        self, *, for_signing: bool = False, certs=(), ocsps=(), crls=(), moment: datetime | None = None,
        revocation_mode: str | None = None,
    ):
        """A pyhanko-certvalidator ValidationContext (for embedding revinfo when signing,
        and for document timestamps). ``certs``/``ocsps``/``crls``: validation data
        known locally, e.g. from the file's DSS (all there is when offline).
        ``moment``: validate at this (past) time instead of the environment's.
        ``revocation_mode``: pyHanko's, instead of ``require`` (signing) / ``hard-fail``."""
        from pyhanko_certvalidator import ValidationContext

        kwargs: dict = dict(
            # signing validates the signer against the configured roots only (what the
            # secretariat set up); verification also trusts the trusted lists' qualified CAs
            trust_manager=self.trust_manager(lists=not for_signing),
            other_certs=list(self.other_certs) + list(certs),
            allow_fetching=self.online,
            revocation_mode=revocation_mode or ("require" if for_signing else "hard-fail"),
        )
        if ocsps or crls or not self.online:
            kwargs["ocsps"] = list(ocsps)
            kwargs["crls"] = list(crls)
        if self.fetcher_backend is not None and self.online:
            kwargs["fetcher_backend"] = self.fetcher_backend
        if moment is not None:
            kwargs["moment"] = moment
        elif self.moment is not None:
            kwargs["moment"] = self.moment
        vc = ValidationContext(**kwargs)
        if moment is None and self.rehearsal:
            from pyhanko_certvalidator.ltv.types import ValidationTimingParams

            vc.timing_params = ValidationTimingParams(self.timing(), vc.timing_params.time_tolerance)
        return vc

    def trust_manager(self, *, lists: bool = True):
        """The configured trust roots, and with trusted lists loaded (and ``lists``) their
        qualified services. Built once per environment (and per loaded lists): every
        validation context of a batch shares it, and with it what it has looked up."""
        registry = self.tsp_registry if lists else None
        kept = self._trust_managers.get(lists)
        if kept is not None and kept[0] is registry:
            return kept[1]
        if registry is None:
            from pyhanko_certvalidator.registry import SimpleTrustManager

            manager = SimpleTrustManager.build(trust_roots=list(self.trust_roots))
        else:
            from .trustlists import RootsAndListsTrustManager

            manager = RootsAndListsTrustManager(registry, list(self.trust_roots))
        self._trust_managers[lists] = (registry, manager)
        return manager

    @property
    def rehearsal(self) -> bool:
        """Validating at a future moment, as if it had come."""
        return self.moment is not None and self.moment > datetime.now(timezone.utc)

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
        cert_policy = CertValidationPolicySpec(
            trust_manager=self.trust_manager(),
            # validating now: revocation data fetched during the examination is current, also
            # when it was issued more than a second after the validation time was set (a large
            # file, a long chain of objects, a loaded machine); pyHanko's legacy model refuses
            # it as "too recent", which ETSI EN 319 102-1 (5.2.5.4) does not know. At a
            # given moment (--at) data issued after it is not used for that moment.
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO, retroactive_revinfo=self.moment is None),
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
        return ValidationTimingInfo(self.moment, self.moment, point_in_time_validation=not self.rehearsal)


def load_certs(paths) -> list:
    """Every certificate in the PEM/DER files ``paths`` (asn1crypto certificates)."""
    from pyhanko.keys import load_certs_from_pemder

    from ..errors import WorkspaceError

    certs = []
    for p in paths:
        check_certificate_file(p)
        try:
            certs.extend(load_certs_from_pemder([str(p)]))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"can't read certificate file {p}: {_first_line(exc)}") from None
    return certs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_certificate_file(path) -> None:
    """A trust root, secretariat or intermediate file must hold certificates: a
    PKCS#12 file, a private key or anything else is named as what it is, not
    answered with an ASN.1 parser error."""
    from ..errors import WorkspaceError
    from .keys import _KIND_TEXT, file_kind

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WorkspaceError(f"can't read certificate file {path}: {exc.strerror}") from None
    kind = file_kind(data)
    if kind in ("pem-cert", "der-cert", "pem-key+cert"):
        if kind == "pem-key+cert":
            raise WorkspaceError(
                f"certificate file {path} also holds a private key; give only the certificate",
                hint="a private key never belongs in the trust settings: keep it out of the workspace",
            )
        return
    hint = None
    if kind == "pkcs12":
        hint = "export the certificate from it, e.g. openssl pkcs12 -in FILE.p12 -nokeys -out cert.pem"
    elif kind in ("pem-key", "der-key"):
        hint = "give the certificate (.pem/.crt), never a private key"
    raise WorkspaceError(f"certificate file {path} is {_KIND_TEXT[kind]}, not a certificate", hint=hint)


def build_trust_env(
    session, *, trust_roots: list, other_certs: list, tsa_url: str | None, timeout: float,
    online: bool = True, moment: datetime | None = None,
) -> TrustEnv:
    """A :class:`TrustEnv` whose fetchers (OCSP, CRL, certificates) and TSA client all
    go through one aiohttp ``session``."""
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    fetchers = AIOHttpFetcherBackend(session=session, per_request_timeout=timeout)
    timestamper = HTTPTimeStamper(tsa_url, session=session, timeout=timeout) if tsa_url else None
    return TrustEnv(
        trust_roots=trust_roots,
        other_certs=other_certs,
        fetcher_backend=fetchers if online else None,
        timestamper=timestamper,
        online=online,
        moment=moment,
    )


def certificate_fingerprints(paths) -> list[str]:
    """SHA-256 of the DER of every certificate in the PEM/DER files ``paths``, sorted."""
    return sorted(certificate_names(paths))


def certificate_names(paths) -> dict[str, str]:
    """{SHA-256 of the DER: subject (RFC 4514)} of every certificate in ``paths``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from ..errors import WorkspaceError

    out = []
    for p in paths:
        check_certificate_file(p)
        try:
            data = Path(p).read_bytes()
            certs = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"can't read certificate file {p}: {_first_line(exc)}") from None
        out.extend((c.fingerprint(hashes.SHA256()).hex(), c.subject.rfc4514_string()) for c in certs)
    return dict(sorted(out))
