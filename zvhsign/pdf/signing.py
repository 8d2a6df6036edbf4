"""Adding PAdES signatures with pyHanko: the secretariat's certification and partner signatures."""

from __future__ import annotations

import io

from ..domain.documents import PadesLevel
from ..errors import InputError, ServiceError, SigningKeyError
from .trust import TrustEnv


def free_signature_fields(data: bytes) -> list[str]:
    """Names of empty signature fields, in document order."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [name for name, value, _ref in enumerate_sig_fields(reader) if value is None]


async def add_signature(
    data: bytes,
    signer,
    env: TrustEnv,
    *,
    level: PadesLevel,
    field_name: str,
    certify: bool = False,
    reason: str | None = None,
    location: str | None = None,
    name: str | None = None,
) -> bytes:
    """Sign ``data`` into the existing empty field ``field_name``; return the new file.

    The signature goes into an incremental update: the input bytes are a prefix
    of the output. ``certify`` makes it a DocMDP certification signature that
    allows only further signing (P=2; zvhsign's verify forbids form filling).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    if level.timestamped and env.timestamper is None:
        raise ServiceError(
            f"level {level.value} needs a timestamp authority, but none is configured",
            hint="set [tsa] url in zvhsign.toml, or choose --level B-B",
        )
    long_term = level.rank >= PadesLevel.B_LT.rank
    meta = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        reason=reason,
        location=location,
        name=name,
        embed_validation_info=long_term,
        use_pades_lta=level is PadesLevel.B_LTA,
        validation_context=env.validation_context(for_signing=True) if long_term else None,
    )
    pdf_signer = PdfSigner(meta, signer, timestamper=env.timestamper if level.timestamped else None)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    except Exception as exc:  # pyhanko raises PdfReadError and friends
        raise InputError(f"can't open the PDF for signing: {exc}") from None
    out = io.BytesIO()
    try:
        await pdf_signer.async_sign_pdf(writer, existing_fields_only=True, output=out)
    except TimestampRequestError as exc:
        raise ServiceError(f"the timestamp authority did not answer: {exc}") from None
    except Exception as exc:
        _raise_signing_failure(exc)
    return out.getvalue()


def _raise_signing_failure(exc: Exception):
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

    text = str(exc) or type(exc).__name__
    if isinstance(exc, RevokedError):
        raise SigningKeyError(f"the signing certificate is revoked: {text}") from None
    if isinstance(exc, (PathBuildingError, PathValidationError)):
        raise SigningKeyError(
            f"the signing certificate can't be validated for long-term signing: {text}",
            hint="is the certificate issued under a configured trust root, and is OCSP/CRL reachable?",
        ) from None
    if "aiohttp" in type(exc).__module__ or isinstance(exc, (OSError, TimeoutError)):
        raise ServiceError(f"a network service did not answer while signing: {text}") from None
    raise SigningKeyError(f"signing failed: {text}") from None
