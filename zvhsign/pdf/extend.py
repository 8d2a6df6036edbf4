"""Renewing a PAdES B-LTA copy's evidence: a new archive (document) timestamp.

Two incremental updates:

1. fresh validation data (certificates, OCSP responses, CRLs fetched now) for
   the chain of *every* signature and timestamp in the copy goes into the DSS.
   A validator years from now slides its control time back to the issue time
   of the newest revocation data it holds (ETSI EN 319 102-1, 5.6.2.1), and
   needs proof that each CA certificate existed before then; the data that
   came with the signature predates the first archive timestamp that proves
   those certificates, so without a refresh the chain can't be proven once
   the signer's certificate has expired;
2. pyHanko's ``async_update_archival_timestamp_chain`` validates the last
   document timestamp, adds its validation data, and a new document timestamp
   covers everything.
"""

from __future__ import annotations

import io

from ..errors import ServiceError, UsageError
from . import speedups
from .trust import TrustEnv


def document_timestamp_count(data: bytes) -> int:
    """How many document timestamps (``/DocTimeStamp``) the PDF carries."""
    return len(speedups.reader(io.BytesIO(data), strict=False).embedded_timestamp_signatures)


async def add_archive_timestamp(data: bytes, env: TrustEnv) -> bytes:
    """``data`` with two more revisions: fresh validation data for every signature's
    chain in the DSS, then the previous last timestamp's validation data and a new
    document timestamp from the runtime's TSA."""
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation import ades

    if env.timestamper is None:
        raise UsageError(
            "no timestamp authority is configured, so no archive timestamp can be added",
            hint="set tsa_url in zvhsign.toml",
        )
    reader = speedups.reader(io.BytesIO(data))
    # what the file already holds counts as known validation data (the TSA's chain
    # may be complete in the DSS even when fetching would fail)
    try:
        dss = ades._dss_to_local_knowledge(reader=reader)
        known_certs = list(dss.known_certs)
        vc = env.validation_context(
            for_signing=True, certs=known_certs, ocsps=dss.known_ocsps, crls=dss.known_crls
        )
    except Exception:
        known_certs = []
        vc = env.validation_context(for_signing=True)
    stamper = PdfTimeStamper(env.timestamper)
    try:
        reader = speedups.reader(io.BytesIO(await _refresh_validation_data(reader, data, env, known_certs)))
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


async def _refresh_validation_data(reader, data: bytes, env: TrustEnv, known_certs) -> bytes:
    """``data`` plus one revision whose DSS holds validation data fetched now for the
    signer (and timestamp) chain of every signature in the file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

    # no OCSP responses or CRLs from the file: fetch current ones
    vc = env.validation_context(for_signing=True, certs=list(known_certs))
    paths = []
    for sig in reader.embedded_signatures:
        paths.extend(await collect_validation_info(sig, vc))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))  # (speedups installed by the reader before)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=vc)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def last_document_timestamp_time(data: bytes):
    """genTime of the PDF's last document timestamp, or None."""
    stamps = speedups.reader(io.BytesIO(data), strict=False).embedded_timestamp_signatures
    if not stamps:
        return None
    try:
        tst = stamps[-1].signed_data["encap_content_info"]["content"].parsed
        return tst["gen_time"].native
    except Exception:
        return None
