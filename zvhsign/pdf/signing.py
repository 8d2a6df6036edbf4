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
    appearance=None,
    timestamper=None,
    mandate_sha256: str | None = None,
    mandate_capacity: str | None = None,
    new_field: bool = False,
) -> bytes:
    """Sign ``data`` into the existing empty field ``field_name``; return the new file.

    With ``new_field`` the (invisible) field is created while signing instead
    (used for documents zvhsign renders itself, such as audit reports).

    The signature goes into an incremental update: the input bytes are a prefix
    of the output. ``certify`` makes it a DocMDP certification signature that
    allows only further signing (P=2; zvhsign's verify forbids form filling).
    ``appearance`` (:class:`~zvhsign.pdf.appearance.Appearance`) is drawn in the
    field's rectangle; ``"blank"`` an empty one (a visible slot left empty);
    ``None`` pyHanko's default (zero-size fields get none). ``timestamper`` defaults to
    the environment's, with one retry (:func:`retrying`).
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
        # a mayor signing under mandate: capacity + the signed mandate's SHA-256 as a CAdES
        # claimed role, and a content timestamp (see zvhsign/pdf/mandate.py)
        cades_signed_attr_spec=_mandate_attrs(mandate_sha256, mandate_capacity, level),
    )
    if level.timestamped and timestamper is None:
        timestamper = retrying(env.timestamper)
    style = None
    if appearance == "blank":
        from .appearance import blank_style

        style = blank_style()
    elif appearance is not None:
        from datetime import datetime, timezone

        from .appearance import stamp_style

        style = stamp_style(appearance, datetime.now(timezone.utc))
    new_field_spec = None
    if new_field:
        from pyhanko.sign.fields import SigFieldSpec

        new_field_spec = SigFieldSpec(sig_field_name=field_name)
    pdf_signer = PdfSigner(
        meta, signer, timestamper=timestamper if level.timestamped else None, stamp_style=style,
        new_field_spec=new_field_spec,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=not new_field)
    except Exception as exc:  # pyhanko raises PdfReadError and friends
        raise InputError(f"can't open the PDF for signing: {exc}") from None
    out = io.BytesIO()
    try:
        await pdf_signer.async_sign_pdf(writer, existing_fields_only=not new_field, output=out)
    except TimestampRequestError:
        raise ServiceError(_tsa_failure(timestamper)) from None
    except Exception as exc:
        _raise_signing_failure(exc)
    return out.getvalue()


def _mandate_attrs(mandate_sha256: str | None, capacity: str | None, level: PadesLevel):
    if not mandate_sha256:
        return None
    from .mandate import binding_attributes

    return binding_attributes(mandate_sha256, capacity, content_timestamp=level.timestamped)


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


# ------------------------------------------------------------------- timestamps


def retrying(inner):
    """``inner`` (an HTTP timestamper with its own timeout) tried once more on failure."""
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    class _Retrying(TimeStamper):
        def __init__(self) -> None:
            super().__init__(include_nonce=True)
            self.inner = inner

        async def async_request_tsa_response(self, req):
            try:
                return await inner.async_request_tsa_response(req)
            except TimestampRequestError:
                return await inner.async_request_tsa_response(req)

    return _Retrying()


def _tsa_failure(timestamper) -> str:
    inner = getattr(timestamper, "inner", timestamper)
    url = getattr(inner, "url", "the configured TSA")
    timeout = getattr(inner, "timeout", None)
    within = f" within {timeout} s" if timeout else ""
    return f"the timestamp authority {url} did not answer{within} (tried twice); nothing was signed"


async def check_timestamper(timestamper) -> str | None:
    """Ask the TSA for one (dummy) timestamp: ``None`` when it answers, else the problem.

    pyHanko caches the answer and reuses it to size the signature, so this costs
    no extra request when signing follows.
    """
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    try:
        await timestamper.async_dummy_response("sha256")
    except (TimestampRequestError, OSError, TimeoutError):
        return _tsa_failure(timestamper)
    except Exception as exc:  # a malformed answer, a TSA certificate problem
        return f"the timestamp authority answered, but not usefully: {exc or type(exc).__name__}"
    return None
