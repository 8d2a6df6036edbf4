"""Adding PAdES signatures with pyHanko: the secretariat's certification and partner signatures."""

from __future__ import annotations

import io

from ..domain.documents import PadesLevel
from ..errors import InputError, ServiceError, SigningKeyError
from . import speedups
from .byteview import MappedFile, prefix_stream
from .trust import TrustEnv


def free_signature_fields(data: bytes) -> list[str]:
    """Names of empty signature fields, in document order."""
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = speedups.reader(prefix_stream(data), strict=False)
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
    output=None,
) -> bytes | None:
    """Sign ``data`` into the existing empty field ``field_name``; return the new file.

    With ``output`` -- a binary file open for reading, writing and seeking, such as a
    staged output file (zvhsign/services/files.py) -- the signed file is written there
    instead and ``None`` is returned: pyHanko then makes its post-sign updates (the DSS,
    the document timestamp) in that file too, so the signed file is never held in
    memory (benchmarks/large_file.py). A failed write into ``output`` is reported like
    any other signing failure; the caller, who owns the file, knows it was the output.

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
        # a content timestamp (lower bound on signing), and for a mayor signing under mandate:
        # capacity + the signed mandate's SHA-256 as a CAdES claimed role (zvhsign/pdf/mandate.py)
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
        # a mapped input (byteview.MappedFile) is read with pread, not copied into memory
        source = prefix_stream(data) if isinstance(data, MappedFile) else io.BytesIO(data)
        speedups.install()
        writer = IncrementalPdfFileWriter(source, strict=not new_field)
    except Exception as exc:  # pyhanko raises PdfReadError and friends
        raise InputError(f"can't open the PDF for signing: {exc}") from None
    out = io.BytesIO() if output is None else output
    try:
        await pdf_signer.async_sign_pdf(writer, existing_fields_only=not new_field, output=out)
    except TimestampRequestError as exc:
        raise ServiceError(_tsa_failure(timestamper, exc)) from None
    except Exception as exc:
        _raise_signing_failure(exc)
    return out.getvalue() if output is None else None


def _mandate_attrs(mandate_sha256: str | None, capacity: str | None, level: PadesLevel):
    """Signed attributes: a content timestamp on every timestamped signature (a lower bound
    on when it was made: the order rules need it), plus a mayor's capacity and mandate."""
    if not mandate_sha256 and not capacity and not level.timestamped:
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


def _causes(exc: BaseException | None):
    """``exc`` and the exceptions it was raised from, outermost first."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def tsa_cause(exc: BaseException | None, timeout=None, host: str | None = None) -> str:
    """What went wrong talking to a TSA, in plain words (never the word "within"
    unless it really was a time-out)."""
    import errno
    import socket
    import ssl

    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiohttp is a dependency
        aiohttp = None
    within = f" within {timeout:g} s" if isinstance(timeout, (int, float)) and timeout else ""
    where = f" ({host})" if host else ""
    for e in _causes(exc):
        if isinstance(e, socket.gaierror) or (
            aiohttp is not None and type(e).__name__ == "ClientConnectorDNSError"
        ):
            return f"can't be reached: its host name{where} does not resolve (DNS)"
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return f"did not answer: the connection was refused{where}, nothing listens there"
        if isinstance(e, (ssl.SSLError, ssl.CertificateError)) or (
            aiohttp is not None and isinstance(e, aiohttp.ClientSSLError)
        ):
            return f"can't be reached securely: the TLS connection failed{where}"
        if aiohttp is not None and isinstance(e, aiohttp.ContentTypeError):
            ct = (e.headers or {}).get("Content-Type") if getattr(e, "headers", None) else None
            return f"answered, but not with a timestamp (content type {ct or 'none'})"
        if aiohttp is not None and isinstance(e, aiohttp.ClientResponseError):
            return f"answered with an error: HTTP {e.status} {e.message or ''}".rstrip()
        if isinstance(e, TimeoutError) or (
            aiohttp is not None and isinstance(e, aiohttp.ServerTimeoutError)
        ):
            return f"did not answer{within}"
        if aiohttp is not None and isinstance(e, aiohttp.ServerDisconnectedError):
            return "closed the connection without answering"
        if aiohttp is not None and isinstance(e, aiohttp.ClientConnectorError):
            return f"can't be reached{where}: {e.os_error.strerror or e.os_error}"
        if aiohttp is not None and isinstance(e, aiohttp.ClientPayloadError):
            return "sent an incomplete answer"
        if isinstance(e, (ValueError, TypeError, KeyError, IndexError)) or "asn1crypto" in type(e).__module__:
            return "answered garbage: not an RFC 3161 timestamp response"
    if exc is not None and type(exc).__name__ == "TimestampRequestError":
        text = str(exc)
        if text and "contacting" not in text:
            return f"refused the request: {text}"
    return f"did not answer{within}"


def _tsa_failure(timestamper, exc: BaseException | None = None) -> str:
    from urllib.parse import urlsplit

    inner = getattr(timestamper, "inner", timestamper)
    url = getattr(inner, "url", "the configured TSA")
    try:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    except ValueError:
        host = None
    cause = tsa_cause(exc, getattr(inner, "timeout", None), host)
    tried = " (tried twice)" if inner is not timestamper else ""
    return f"the timestamp authority {url} {cause}{tried}; nothing was signed"


async def check_timestamper(timestamper) -> str | None:
    """Ask the TSA for one (dummy) timestamp: ``None`` when it answers, else the problem.

    pyHanko caches the answer and reuses it to size the signature, so this costs
    no extra request when signing follows.
    """
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    try:
        await timestamper.async_dummy_response("sha256")
    except (TimestampRequestError, OSError, TimeoutError) as exc:
        return _tsa_failure(timestamper, exc)
    except Exception as exc:  # a malformed answer, a TSA certificate problem
        if isinstance(exc, (ValueError, TypeError, KeyError, IndexError)):
            return _tsa_failure(timestamper, exc)
        inner = getattr(timestamper, "inner", timestamper)
        url = getattr(inner, "url", "the configured TSA")
        return f"the timestamp authority {url} answered, but not usefully: {exc or type(exc).__name__}"
    return None
