"""Before signing: is the signer's certificate trusted and not revoked, now?

The same trust roots and revocation sources ``verify`` uses (pyhanko-certvalidator,
with the workspace's validation context), so the pre-flight of ``sign`` predicts the
verdict ``verify`` will give the signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.evidence import Indication
from ..domain.qualification import NOT_ASSESSED, QualificationEvidence
from .trust import TrustEnv


@dataclass(frozen=True)
class SignerCheck:
    indication: Indication
    subindication: str | None  # ETSI name, e.g. REVOKED, NO_CERTIFICATE_CHAIN_FOUND, TRY_LATER
    failure: str | None
    #: the eIDAS qualification the signature will have (from the loaded trusted lists)
    qualification: QualificationEvidence = field(default_factory=lambda: NOT_ASSESSED)


async def check_signer(cert, env: TrustEnv, extra_certs=(), signing_time: datetime | None = None) -> SignerCheck:  # noqa: ANN001
    """Validate ``cert`` (asn1crypto) for signatures (non-repudiation) at the validation time,
    and assess its qualification for a signature proven at ``signing_time`` (about now:
    its signature timestamp will prove it)."""
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    vc = env.validation_context(certs=list(extra_certs))
    validator = CertificateValidator(cert, intermediate_certs=list(extra_certs), validation_context=vc)
    from .qualification import assess_path

    try:
        path = await validator.async_validate_usage({"non_repudiation"})
        return SignerCheck(Indication.TOTAL_PASSED, None, None,
                           assess_path(env, path, cert, signing_time))
    except RevokedError as exc:
        return SignerCheck(Indication.TOTAL_FAILED, "REVOKED", f"your certificate is revoked ({exc})")
    except ExpiredError as exc:
        return SignerCheck(Indication.INDETERMINATE, "EXPIRED", f"your certificate has expired ({exc})")
    except NotYetValidError as exc:
        return SignerCheck(Indication.INDETERMINATE, "NOT_YET_VALID", f"your certificate is not valid yet ({exc})")
    except InsufficientRevinfoError as exc:
        return SignerCheck(Indication.INDETERMINATE, "TRY_LATER",
                           f"whether your certificate is revoked can't be established now ({exc})")
    except PathBuildingError as exc:
        return SignerCheck(Indication.INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                           f"your certificate does not chain to a trusted root of this workspace ({exc})")
    except InvalidCertificateError as exc:
        return SignerCheck(Indication.INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE", f"your certificate is not usable ({exc})")
    except PathValidationError as exc:
        text = str(exc)
        sub = "TRY_LATER" if "revocation" in text.lower() else "CHAIN_CONSTRAINTS_FAILURE"
        return SignerCheck(Indication.INDETERMINATE, sub, f"your certificate could not be validated ({text})")
