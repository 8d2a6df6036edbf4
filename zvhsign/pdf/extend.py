"""Renewing a PAdES B-LTA copy's evidence: a new archive (document) timestamp.

pyHanko's ``async_update_archival_timestamp_chain`` validates the copy's last
document timestamp, stores that validation data (certificates, OCSP responses,
CRLs) in the DSS, and then adds a new document timestamp over everything.
"""

from __future__ import annotations

import io

from ..errors import ServiceError, UsageError
from .trust import TrustEnv


def document_timestamp_count(data: bytes) -> int:
    """How many document timestamps (``/DocTimeStamp``) the PDF carries."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_timestamp_signatures)


async def add_archive_timestamp(data: bytes, env: TrustEnv) -> bytes:
    """``data`` with one more revision: the DSS updated with the validation data of
    the previous last timestamp, then a new document timestamp from the runtime's TSA."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation import ades

    if env.timestamper is None:
        raise UsageError(
            "no timestamp authority is configured, so no archive timestamp can be added",
            hint="set tsa_url in zvhsign.toml",
        )
    reader = PdfFileReader(io.BytesIO(data))
    # what the file already holds counts as known validation data (the TSA's chain
    # may be complete in the DSS even when fetching would fail)
    try:
        dss = ades._dss_to_local_knowledge(reader=reader)
        vc = env.validation_context(
            for_signing=True, certs=dss.known_certs, ocsps=dss.known_ocsps, crls=dss.known_crls
        )
    except Exception:
        vc = env.validation_context(for_signing=True)
    stamper = PdfTimeStamper(env.timestamper)
    try:
        out = await stamper.async_update_archival_timestamp_chain(reader, vc, in_place=False)
    except Exception as exc:
        from pyhanko.sign.general import SigningError

        if isinstance(exc, (SigningError, OSError)) or "timestamp" in str(exc).lower():
            raise ServiceError(
                f"the archive timestamp could not be added: {exc}",
                hint="check that the TSA and the OCSP/CRL services are reachable",
            ) from None
        raise ServiceError(f"the archive timestamp could not be added ({type(exc).__name__}: {exc})") from None
    return out.getvalue()


def last_document_timestamp_time(data: bytes):
    """genTime of the PDF's last document timestamp, or None."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    stamps = PdfFileReader(io.BytesIO(data), strict=False).embedded_timestamp_signatures
    if not stamps:
        return None
    try:
        tst = stamps[-1].signed_data["encap_content_info"]["content"].parsed
        return tst["gen_time"].native
    except Exception:
        return None
