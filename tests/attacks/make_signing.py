"""The attacker's key: :class:`Forger` holds a real key of the test PKI and signs with
pyHanko directly, bypassing the checks ``zvhsign sign`` makes, as an attacker would; and the
secretariat's re-certification of a copy, registered as an approved version, on which every
attack runs again. Loaded and re-exported by make.py."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

__all__ = ["Forger", "recertify", "register_approved"]


# ------------------------------------------------------------------------------ signing


class Forger:
    """Signs with a real key of the test PKI into a given writer, with no checks."""

    def __init__(self, ws, passphrase, p12: Callable[[str], Path]):
        self.ws = ws
        self.passphrase = passphrase
        self.p12 = p12

    def sign(
        self,
        data: bytes,
        label: str = "om",
        *,
        prepare: Callable | None = None,
        field_name: str | None = None,
        level: str = "B-T",
        certify: bool = False,
        box: tuple | None = None,
    ) -> bytes:
        """Sign ``data`` as ``label``; ``prepare(writer)`` may change the document in
        the same incremental update before the signature is added."""
        return asyncio.run(self._sign(data, label, prepare, field_name, level, certify, box))

    async def _sign(self, data, label, prepare, field_name, level, certify, box=None):
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

        from zvhsign.pdf.signing import free_signature_fields
        from zvhsign.services.keys import KeySource
        from zvhsign.services.runtime import open_runtime

        signer = KeySource(pkcs12=self.p12(label), passphrase=self.passphrase).load()
        if field_name is None:
            free = [n for n in free_signature_fields(data) if n.startswith("ZVH_Handtekening_")]
            field_name = free[0] if free else "Extra_Signature"
        async with open_runtime(self.ws) as rt:
            lta = level == "B-LTA"
            meta = PdfSignatureMetadata(
                field_name=field_name,
                md_algorithm="sha256",
                subfilter=SigSeedSubFilter.PADES,
                certify=certify,
                docmdp_permissions=MDPPerm.FILL_FORMS,
                embed_validation_info=lta,
                use_pades_lta=lta,
                validation_context=rt.env.validation_context(for_signing=True) if lta else None,
            )
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
            if prepare is not None:
                prepare(writer)
            timestamper = rt.env.timestamper if level != "B-B" else None
            out = io.BytesIO()
            new_field = SigFieldSpec(field_name, box=box, on_page=-1) if box else None

            class UncheckedSigner(PdfSigner):
                """An attacker's signer: no refusal to certify a document that is already
                signed or certified (pyHanko's own writer refuses; other tools don't)."""

                def _enforce_certification_constraints(self, reader):
                    return None

            await UncheckedSigner(meta, signer, timestamper=timestamper, new_field_spec=new_field).async_sign_pdf(
                writer, output=out
            )
            return out.getvalue()


    def timestamp(self, data: bytes) -> bytes:
        """Add a document timestamp (with validation data), as a B-LTA renewal does."""
        return asyncio.run(self._timestamp(data))

    async def _timestamp(self, data):
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

        from zvhsign.services.runtime import open_runtime

        async with open_runtime(self.ws) as rt:
            out = io.BytesIO()
            await PdfTimeStamper(rt.env.timestamper).async_timestamp_pdf(
                IncrementalPdfFileWriter(io.BytesIO(data)), "sha256",
                validation_context=rt.env.validation_context(for_signing=True), output=out,
            )
            return out.getvalue()

    def add_validation_data(self, data: bytes) -> bytes:
        """Add fresh revocation data for the partner signature to the DSS (an LTV update)."""
        return asyncio.run(self._add_validation_data(data))

    async def _add_validation_data(self, data):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.dss import async_add_validation_info

        from zvhsign.services.runtime import open_runtime

        async with open_runtime(self.ws) as rt:
            reader = PdfFileReader(io.BytesIO(data))
            sig = reader.embedded_regular_signatures[-1]
            out = io.BytesIO()
            await async_add_validation_info(
                sig, rt.env.validation_context(for_signing=True), output=out, force_write=True
            )
            return out.getvalue()


# ------------------------------- re-certified copies: the approval check passes (issue 11)


def recertify(data: bytes, forger: Forger) -> bytes:
    """A second certification signature (DocMDP) by the secretariat's own key, in a field of
    its own: registered as an approved version, the copy passes the approval check, so an
    attack on it is caught by integrity findings alone."""
    return forger.sign(data, "secretariaat", field_name="ZVH_Herbevestiging", certify=True)


def register_approved(ws, data: bytes, version: str, forger: Forger, label: str = "secretariaat") -> None:
    """Register ``data`` as approved ``version`` of the document its stamp names, through the
    registry API ``approve`` uses -- superseding nothing, so every such version stays current."""
    from datetime import date, datetime, timezone

    from zvhsign.domain.digests import Sha256
    from zvhsign.domain.documents import ApprovedVersion
    from zvhsign.pdf.certinfo import certificate_info
    from zvhsign.pdf.stamp import read_stamp_from
    from zvhsign.registry import current_os_user
    from zvhsign.services.keys import KeySource
    from zvhsign.services.registry_access import open_registry

    info = read_stamp_from(data, "re-certified copy")
    assert info is not None, "the re-certified copy has no stamp"
    cert = certificate_info(KeySource(pkcs12=forger.p12(label), passphrase=forger.passphrase).load().signing_cert)
    av = ApprovedVersion(
        document=info.document, version=version, source_sha256=info.source_sha256,
        approved_sha256=Sha256.of(data), approved_size=len(data), decided_on=date(2026, 11, 2),
        approved_at=datetime.now(timezone.utc), approver_fingerprint=cert.fingerprint_sha256,
    )
    open_registry(ws).add_approved_version(
        av, data, actor=current_os_user(), actor_certificate=cert.fingerprint_sha256, supersede_older=False
    )
