"""Each signature's part of the ETSI TS 119 102-2 validation report, with the verdict zvhsign gives.

pyHanko's report generator makes a ``SignatureValidationReport`` from its AdES result while
the signature is at hand (:func:`zvhsign.pdf.sigexamine.examine_signature`). Two things it can't
know are settled only when the whole file has been examined:

* zvhsign corrects pyHanko's indication where pyHanko is too lenient (a signature
  timestamp that passed only in the past with no later document timestamp to prove it:
  ``INDETERMINATE``/``NO_POE``, :func:`zvhsign.pdf.doctimestamps.require_archive_proof`; a
  signature proven to exist only after its certificate expired). The report states the
  corrected indication -- the one ``verify`` shows and ``--json`` gives as ``etsi`` -- so the
  XML and the verdict never answer the same question differently;
* a signature whose validation could not complete (an error or time-out), whose algorithm
  can't be verified, or whose dictionary can't be processed has no AdES result and so no
  part from pyHanko; it is reported all the same, with the signature value when it can be
  read, its field name and zvhsign's indication -- a report never lists fewer signatures
  than the file holds.

Every part names its signature field (``DAIdentifier``), so a reader can tell the parts of
one file apart. A document timestamp is no ``SignatureValidationReport`` of its own (it
signs no one's statement; it is the proof of existence of the LTA process): it is a
validation object of type timestamp -- as TS 119 102-2 lists a timestamp -- carrying its
individual ``ValidationReport`` with the indication ``verify`` gives it (pyHanko's report
generator lists none of a file's document timestamps).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.evidence import SignatureEvidence, SignatureKind

_MAIN = "urn:etsi:019102:mainindication:"
_SUB = "urn:etsi:019102:subindication:"


def status_of(ev: SignatureEvidence):
    """The ETSI ``SignatureValidationStatus`` of zvhsign's indication for the signature."""
    from pyhanko.generated.etsi import ts_11910202

    return ts_11910202.ValidationStatusType(
        main_indication=_MAIN + ev.indication.value.lower(),
        sub_indication=(_SUB + ev.subindication,) if ev.subindication else (),
    )


def _identifier(embedded_sig, field_name: str):  # noqa: ANN001
    """The signature by its value (when its CMS can be read) and its field."""
    from pyhanko.generated.etsi import ts_11910202
    from pyhanko.generated.w3c import xmldsig_core

    try:
        value = xmldsig_core.SignatureValue(embedded_sig.signer_info["signature"].native)
    except Exception:  # no embedded signature, or CMS that can't be read
        value = None
    return ts_11910202.SignatureIdentifierType(
        signature_value=value, hash_only=False, doc_hash_only=False, daidentifier=field_name
    )


def _signers_document(embedded_sig):  # noqa: ANN001
    """The digest of what the signature covers (its /ByteRange), when it can be computed."""
    from pyhanko.generated.etsi import ts_11910202, xades
    from pyhanko.generated.w3c import xmldsig_core
    from pyhanko.sign.validation.report.tools import _digest_algo_uri

    try:
        return ts_11910202.SignersDocumentType(digest_alg_and_value=xades.DigestAlgAndValueType(
            digest_method=xmldsig_core.DigestMethod(_digest_algo_uri(embedded_sig.md_algorithm)),
            digest_value=xmldsig_core.DigestValue(embedded_sig.compute_digest()),
        ))
    except Exception:  # no signature, or a /ByteRange or algorithm that can't be used
        return None


def _made_here(ev: SignatureEvidence, embedded_sig, validated_at: datetime):  # noqa: ANN001
    from pyhanko.generated.etsi import ts_11910202
    from xsdata.models.datatype import XmlDateTime

    report = ts_11910202.SignatureValidationReportType(
        signature_identifier=_identifier(embedded_sig, ev.field_name),
        validation_time_info=ts_11910202.ValidationTimeInfoType(
            validation_time=XmlDateTime.from_datetime(validated_at)
        ),
        signers_document=_signers_document(embedded_sig),
        signature_validation_status=status_of(ev),
    )
    return report, []


def _timestamp_object(ev: SignatureEvidence, embedded_sig, validated_at: datetime, file_sha256: str):  # noqa: ANN001
    """A document timestamp as a validation object (pyHanko's form for a timestamp) with its
    own validation report; None when its token can't be read. Its verdict is the file's --
    the same token in another file (a copy of this one, changed) may fail there -- so its
    identifier is pyHanko's with the file's SHA-256 added."""
    from pyhanko.sign.validation.report.tools import _package_validation_object
    from pyhanko_certvalidator.ltv.poe import ValidationObject, ValidationObjectType

    try:
        vo = _package_validation_object(ValidationObject(ValidationObjectType.TIMESTAMP, embedded_sig.signed_data))
    except Exception:  # no token, or one that can't be read: its verdict says so
        return None
    report, _ = _made_here(ev, embedded_sig, validated_at)
    return dataclasses.replace(vo, id=f"{vo.id}-in-{file_sha256[:16]}", validation_report=report)


def final_parts(signatures, pyhanko_parts: dict, embedded: dict, validated_at: datetime, file_sha256: str) -> list:
    """The report parts ``(report, validation objects)`` of a file's signatures, in its order:
    pyHanko's part with zvhsign's indication where there is one, else a part made here; a
    document timestamp as ``(None, [its validation object])``. ``pyhanko_parts`` and
    ``embedded`` (pyHanko's ``EmbeddedPdfSignature``) are keyed by ``(field name, revision)``;
    ``file_sha256``: the file's, in hex."""
    parts = []
    for ev in signatures:
        key = (ev.field_name, ev.revision)
        if ev.kind is SignatureKind.DOC_TIMESTAMP:
            vo = _timestamp_object(ev, embedded.get(key), validated_at, file_sha256)
            if vo is not None:
                parts.append((None, [vo]))
            continue
        part = pyhanko_parts.get(key)
        if part is None:
            parts.append(_made_here(ev, embedded.get(key), validated_at))
            continue
        report, objects = part
        identifier = report.signature_identifier
        if identifier is not None:
            identifier = dataclasses.replace(identifier, daidentifier=ev.field_name)
        parts.append((dataclasses.replace(
            report, signature_identifier=identifier, signature_validation_status=status_of(ev)), objects))
    return parts
