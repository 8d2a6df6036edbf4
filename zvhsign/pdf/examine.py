"""Examining a signed copy: revisions, approved prefix, signatures → FileEvidence.

Signature validation uses pyHanko's AdES API (ETSI EN 319 102-1 indications);
revision boundaries, trailing data and the structural comparison of revisions
are zvhsign's own, so the verdict never rests on a single library's view.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime

from ..domain.digests import Sha256
from ..domain.documents import ApprovedVersion
from ..domain.evidence import (
    FileEvidence,
    Indication,
    SignatureEvidence,
    SignatureKind,
    TimestampEvidence,
)
from ..errors import InputError
from .certinfo import certificate_info
from .trust import TrustEnv

_EOF = re.compile(rb"%%EOF[ \t\x00]*(?:\r\n|\r|\n)?")
_PARTIAL_REVISION = re.compile(rb"\bobj\b|\bendobj\b|\bxref\b|\btrailer\b|\bstartxref\b")


def _revision_ends(data: bytes, reader) -> list[int]:
    """Byte offset where each revision (as pyHanko counts them) ends."""
    ends = []
    xrefs = reader.xrefs
    for rev in range(xrefs.total_revisions):
        info = xrefs.get_xref_container_info(rev)
        m = _EOF.search(data, info.end_location)
        if m is None:
            raise InputError("a revision has no end-of-file marker: the file is truncated or damaged")
        ends.append(m.end())
    return ends


def _trailing(data: bytes, last_end: int) -> int:
    rest = data[last_end:]
    if not rest.strip(b" \t\r\n\x00"):
        return 0
    if _PARTIAL_REVISION.search(rest) and b"%%EOF" not in rest:
        raise InputError(
            f"the file ends inside an incomplete revision after byte {last_end}: "
            "it was truncated (or a write was interrupted)"
        )
    return len(rest)


def _open_reader(data: bytes):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    head = data[:1024]
    if b"%PDF-" not in head:
        raise InputError("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-4096:] and b"%%EOF" not in data:
        raise InputError("the PDF has no end-of-file marker: it is truncated")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        if reader.encrypted:
            raise InputError("the PDF is encrypted; zvhsign verifies unencrypted copies only")
        reader.root  # noqa: B018 - force parsing the catalog
        return reader
    except InputError:
        raise
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise InputError(f"the PDF can't be parsed (truncated or damaged): {exc}") from None


def _ts_evidence(status) -> TimestampEvidence | None:
    if status is None:
        return None
    tsa = None
    try:
        tsa = status.signing_cert.subject.human_friendly
    except Exception:
        pass
    return TimestampEvidence(
        time=status.timestamp,
        tsa=tsa,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
    )


def _indication(subindic) -> tuple[Indication, str | None]:
    from pyhanko.sign.ades.report import AdESStatus

    status = subindic.status
    if status is AdESStatus.PASSED:
        return Indication.TOTAL_PASSED, None
    name = subindic.standard_name
    if status is AdESStatus.FAILED:
        return Indication.TOTAL_FAILED, name
    return Indication.INDETERMINATE, name


def _revision_of(sig, ends: list[int]) -> tuple[int, int]:
    br = list(sig.byte_range)
    end = br[-2] + br[-1]
    for i, e in enumerate(ends):
        if end <= e and e - end <= 4:
            return i, end
    return sig.signed_revision, end


def _dss_after(reader, revision: int) -> bool:
    """Whether a DSS with validation data exists in a revision after ``revision``."""
    try:
        root = reader.trailer["/Root"]
        return "/DSS" in root and reader.xrefs.total_revisions > revision + 1
    except Exception:
        return False


async def _examine_signature(embedded_sig, ends, reader, env: TrustEnv, spec) -> SignatureEvidence:
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    revision, signed_end = _revision_of(embedded_sig, ends)
    is_ts = embedded_sig.sig_object_type == "/DocTimeStamp"
    certification = embedded_sig.docmdp_level is not None and not is_ts
    docmdp = embedded_sig.docmdp_level.value if embedded_sig.docmdp_level is not None else None
    subfilter = None
    try:
        subfilter = str(embedded_sig.sig_object.get("/SubFilter"))
    except Exception:
        pass
    signer = None
    try:
        signer = certificate_info(embedded_sig.signer_cert)
    except Exception:
        pass
    claimed = None
    try:
        claimed = embedded_sig.self_reported_timestamp
    except Exception:
        pass

    if is_ts:
        vc = env.validation_context()
        try:
            st = await async_validate_pdf_timestamp(embedded_sig, validation_context=vc)
            ok = st.intact and st.valid and st.trusted
            ind = Indication.TOTAL_PASSED if ok else (
                Indication.TOTAL_FAILED if not (st.intact and st.valid) else Indication.INDETERMINATE
            )
            sub = None if ok else (
                "HASH_FAILURE" if not st.intact else
                "SIG_CRYPTO_FAILURE" if not st.valid else
                (st.trust_problem_indic.standard_name if st.trust_problem_indic else "NO_CERTIFICATE_CHAIN_FOUND")
            )
            ts = _ts_evidence(st)
            return SignatureEvidence(
                field_name=embedded_sig.field_name, kind=SignatureKind.DOC_TIMESTAMP,
                revision=revision, signed_end=signed_end,
                covers_whole_revision=st.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                if st.coverage is not None else False,
                intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
                indication=ind, subindication=sub, failure=None, subfilter=subfilter,
                signer=signer, claimed_signing_time=None, signature_timestamp=ts,
                content_timestamp=None, best_signature_time=st.timestamp, pades_level=None,
            )
        except Exception as exc:
            return _broken(embedded_sig, SignatureKind.DOC_TIMESTAMP, revision, signed_end, subfilter, signer, exc)

    kind = SignatureKind.CERTIFICATION if certification else SignatureKind.SIGNATURE
    later_doc_ts = any(
        s.sig_object_type == "/DocTimeStamp" and s.signed_revision > embedded_sig.signed_revision
        for s in reader.embedded_signatures
    )
    try:
        if later_doc_ts:
            # PAdES B-LTA: the chain of document timestamps is the evidence record
            result = await ades_lta_validation(embedded_sig, spec, timing_info=env.timing())
        else:
            # B-B/B-T/B-LT: validation with time, using the file's DSS as local knowledge
            result = await _with_time_validation(embedded_sig, spec, env)
    except Exception as exc:
        return _broken(embedded_sig, kind, revision, signed_end, subfilter, signer, exc)
    indication, sub = _indication(result.ades_subindic)
    st = result.api_status
    if st is None:
        return SignatureEvidence(
            field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
            covers_whole_revision=False, intact=False, valid=False, trusted=False,
            indication=indication, subindication=sub, failure=result.failure_msg,
            subfilter=subfilter, signer=signer, claimed_signing_time=claimed,
            signature_timestamp=None, content_timestamp=None, best_signature_time=None,
            pades_level=None, docmdp_permission=docmdp,
        )
    sig_ts = _ts_evidence(st.timestamp_validity)
    content_ts = _ts_evidence(st.content_timestamp_validity)
    level = None
    if subfilter == "/ETSI.CAdES.detached":
        level = "B-B"
        if sig_ts is not None:
            level = "B-T"
            if _dss_after(reader, revision):
                level = "B-LT"
                later_ts = [
                    s for s in reader.embedded_signatures
                    if s.sig_object_type == "/DocTimeStamp" and s.signed_revision > revision
                ]
                if later_ts:
                    level = "B-LTA"
    covers = st.coverage == SignatureCoverageLevel.ENTIRE_REVISION if st.coverage is not None else False
    failure = result.failure_msg
    props = {}
    if st.modification_level is not None:
        props["pyhanko_modification_level"] = st.modification_level.name
    if st.docmdp_ok is not None:
        props["pyhanko_docmdp_ok"] = st.docmdp_ok
    return SignatureEvidence(
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=covers, intact=bool(st.intact), valid=bool(st.valid),
        trusted=bool(st.trusted) and indication is Indication.TOTAL_PASSED,
        indication=indication, subindication=sub, failure=failure, subfilter=subfilter,
        signer=signer, claimed_signing_time=claimed, signature_timestamp=sig_ts,
        content_timestamp=content_ts,
        best_signature_time=getattr(result, "best_signature_time", None),
        pades_level=level, docmdp_permission=docmdp, properties=props,
    )


async def _with_time_validation(embedded_sig, spec, env: TrustEnv):
    """ETSI validation process for signatures with time (EN 319 102-1 §5.5),
    with the validation data embedded in the file (DSS, Adobe revinfo attribute)
    added to what the validator knows -- as pyHanko's LTA process does."""
    import dataclasses

    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko.sign.validation.status import PdfSignatureStatus

    embedded_sig.compute_integrity_info(diff_policy=spec.diff_policy, skip_diff=spec.diff_policy is None)
    base = spec.signature_validation_spec
    known = base.local_knowledge
    dss = ades._dss_to_local_knowledge(reader=embedded_sig.reader)
    ria = ades._adobe_revinfo_archival_to_local_knowledge(embedded_sig)
    knowledge = LocalKnowledge(
        known_ocsps=known.known_ocsps + dss.known_ocsps + ria.known_ocsps,
        known_crls=known.known_crls + dss.known_crls + ria.known_crls,
        known_certs=known.known_certs + dss.known_certs,
        known_poes=known.known_poes,
        nonrevoked_assertions=known.nonrevoked_assertions,
    )
    return await ades.ades_with_time_validation(
        signed_data=embedded_sig.signed_data,
        validation_spec=dataclasses.replace(base, local_knowledge=knowledge),
        timing_info=env.timing(),
        raw_digest=embedded_sig.compute_digest(),
        extra_status_kwargs=embedded_sig.summarise_integrity_info(),
        status_cls=PdfSignatureStatus,
    )


def _broken(embedded_sig, kind, revision, signed_end, subfilter, signer, exc) -> SignatureEvidence:
    return SignatureEvidence(
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=False, intact=False, valid=False, trusted=False,
        indication=Indication.TOTAL_FAILED, subindication="FORMAT_FAILURE",
        failure=f"the signature can't be processed: {exc}", subfilter=subfilter, signer=signer,
        claimed_signing_time=None, signature_timestamp=None, content_timestamp=None,
        best_signature_time=None, pades_level=None,
    )


async def examine(
    path: str,
    data: bytes,
    env: TrustEnv,
    approved_by_size: Callable[[int], list[ApprovedVersion]],
    spec=None,
) -> FileEvidence:
    """Establish the facts about one copy. Raises InputError if it can't be judged."""
    from .stamp import read_stamp
    from .structure import analyse_revisions

    reader = _open_reader(data)
    try:
        ends = _revision_ends(data, reader)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"the PDF's revisions can't be read: {exc}") from None
    trailing = _trailing(data, ends[-1])

    approved: ApprovedVersion | None = None
    approved_rev: int | None = None
    for i, end in enumerate(ends):
        for candidate in approved_by_size(end):
            if Sha256.of(data[:end]) == candidate.approved_sha256:
                approved, approved_rev = candidate, i
    changes, problems = [], []
    if approved_rev is not None:
        changes, problems = analyse_revisions(data, ends, approved_rev)

    stamp = None
    try:
        import pikepdf

        with pikepdf.open(io.BytesIO(data[: ends[approved_rev if approved_rev is not None else -1]])) as pdf:
            stamp = read_stamp(pdf)
    except Exception:
        stamp = None

    spec = spec or env.signature_spec()
    signatures = []
    for embedded_sig in reader.embedded_signatures:
        signatures.append(await _examine_signature(embedded_sig, ends, reader, env, spec))
    return FileEvidence(
        path=path,
        size=len(data),
        sha256=Sha256.of(data),
        revision_ends=tuple(ends),
        trailing_bytes=trailing,
        stamp=stamp,
        approved=approved,
        approved_revision=approved_rev,
        changes=tuple(changes),
        signatures=tuple(signatures),
        structure_problems=tuple(problems),
    )


def utcnow() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
