"""One embedded signature (or document timestamp) validated → SignatureEvidence.

Validation uses pyHanko's AdES API (ETSI EN 319 102-1 indications) with the file's own
validation data; zvhsign's own checks come before (algorithms it can't verify:
:mod:`.algorithms`) and after it (the signer's validity period against the proof of
existence, the signature timestamp judged on its own).
"""

from __future__ import annotations

import dataclasses

from ..domain.evidence import NO_BINDING, UNREADABLE_HERE, Indication, SignatureEvidence, SignatureKind, UsedTimestamp
from .certinfo import certificate_info
from .doctimestamps import covers_revision, examine_document_timestamp, timestamp_alone, ts_evidence, utcnow
from .fields import REPORT_FIELD
from .mandate import binding_of
from .plaintext import plain_text
from .qualification import assess as assess_qualification
from .qualification import with_signature_quality
from .readerror import unreadable_here
from .revinfo_used import revocation_from_result
from .trust import TrustEnv

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


def _integrity(embedded_sig) -> dict:
    """pyHanko's integrity summary (coverage, diff analysis), computed during validation."""
    try:
        return embedded_sig.summarise_integrity_info()
    except Exception:
        return {}


def _has_signature_timestamp(embedded_sig) -> bool:
    """The CMS carries a signature timestamp token (even if validation stopped early)."""
    try:
        attrs = embedded_sig.signer_info["unsigned_attrs"]
        return any(a["type"].native == "signature_time_stamp_token" for a in attrs)
    except Exception:
        return False


def _has_content_timestamp(embedded_sig) -> bool:
    try:
        return any(a["type"].native == "content_time_stamp" for a in embedded_sig.signer_info["signed_attrs"])
    except Exception:
        return False


def _dss_after(reader, revision: int) -> bool:
    """Whether a DSS with validation data exists in a revision after ``revision``."""
    try:
        root = reader.trailer["/Root"]
        return "/DSS" in root and reader.xrefs.total_revisions > revision + 1
    except Exception:
        return False


def _quiet(read):
    """``read()``, or None when the signature's structure doesn't allow it."""
    try:
        return read()
    except Exception:
        return None


@dataclasses.dataclass(frozen=True)
class _Read:
    """What is read from an embedded signature before it is validated."""

    revision: int
    signed_end: int
    is_ts: bool
    kind: SignatureKind
    docmdp: int | None
    subfilter: str | None
    signer: object
    claimed: object
    binding: object


def _read(embedded_sig, ends) -> _Read:
    revision, signed_end = _revision_of(embedded_sig, ends)
    is_ts = embedded_sig.sig_object_type == "/DocTimeStamp"
    level = embedded_sig.docmdp_level
    if is_ts:
        kind = SignatureKind.DOC_TIMESTAMP
    elif level is not None:
        kind = SignatureKind.CERTIFICATION
    elif embedded_sig.field_name == REPORT_FIELD:
        kind = SignatureKind.REPORT  # rules check it is the secretariat's
    else:
        kind = SignatureKind.SIGNATURE
    return _Read(
        revision=revision, signed_end=signed_end, is_ts=is_ts, kind=kind,
        docmdp=level.value if level is not None else None,
        subfilter=_quiet(lambda: str(embedded_sig.sig_object.get("/SubFilter"))),
        signer=_quiet(lambda: certificate_info(embedded_sig.signer_cert)),
        claimed=_quiet(lambda: embedded_sig.self_reported_timestamp),
        binding=binding_of(embedded_sig),
    )


async def examine_signature(
    embedded_sig, ends, reader, env: TrustEnv, spec, etsi: dict | None = None, timing=None
) -> SignatureEvidence:
    """``timing``: the file's validation time (pyHanko's ``ValidationTimingInfo``), the same
    for every signature of the file; when None, now. ``etsi``: when a dict, pyHanko's ETSI
    report part of the signature is put in it under (field name, revision)."""
    r, timing = _read(embedded_sig, ends), timing or env.timing()
    moment = None if env.moment is not None else timing.validation_time  # (--at: the environment's)
    unsupported = _unsupported_algorithm(embedded_sig)
    if unsupported:
        return _unsupported(embedded_sig, r.kind, r.revision, r.signed_end, r.subfilter, r.signer,
                            unsupported, r.binding)
    if r.is_ts:
        try:
            return await examine_document_timestamp(
                embedded_sig, reader, env, r.revision, r.signed_end, r.subfilter, r.signer, moment)
        except Exception as exc:
            return _broken(embedded_sig, r.kind, r.revision, r.signed_end, r.subfilter, r.signer, exc)
    try:
        result = await _validate(embedded_sig, reader, env, spec, timing)
    except Exception as exc:
        return _broken(embedded_sig, r.kind, r.revision, r.signed_end, r.subfilter, r.signer, exc, r.binding)
    st = result.api_status
    if st is None:
        return _without_status(embedded_sig, r, result)
    ev = await _with_status(embedded_sig, r, result, st, reader, env, moment)
    if etsi is not None:  # pyHanko's report part, with zvhsign's qualification (SignatureQuality)
        part = with_signature_quality(_etsi_part(embedded_sig, result), ev.qualification)
        if part is not None:
            etsi[(ev.field_name, ev.revision)] = part
    return ev


async def _validate(embedded_sig, reader, env: TrustEnv, spec, timing):
    from pyhanko.sign.validation.ades import ades_lta_validation

    later_doc_ts = any(
        s.sig_object_type == "/DocTimeStamp" and s.signed_revision > embedded_sig.signed_revision
        for s in reader.embedded_signatures
    )
    if later_doc_ts:
        # PAdES B-LTA: the chain of document timestamps is the evidence record
        return await ades_lta_validation(embedded_sig, spec, timing_info=timing)
    # B-B/B-T/B-LT: validation with time, using the file's DSS as local knowledge
    return await _with_time_validation(embedded_sig, spec, timing)


def _without_status(embedded_sig, r: _Read, result) -> SignatureEvidence:
    """Validation ended before pyHanko had a status (the indication says why)."""
    indication, sub = _indication(result.ades_subindic)
    return SignatureEvidence(
        field_name=embedded_sig.field_name, kind=r.kind, revision=r.revision, signed_end=r.signed_end,
        covers_whole_revision=False, intact=False, valid=False, trusted=False,
        indication=indication, subindication=sub,
        failure=plain_text(result.failure_msg) if result.failure_msg else None,
        subfilter=r.subfilter, signer=r.signer, claimed_signing_time=r.claimed,
        signature_timestamp=None, content_timestamp=None, best_signature_time=None,
        pades_level=None, docmdp_permission=r.docmdp, binding=r.binding,
        signature_timestamp_present=_has_signature_timestamp(embedded_sig),
    )


def _signature_timestamp(result, st):
    """The signature timestamp's evidence, and whether it passed only in the past: not trusted
    at the validation time (its TSA certificate has expired), but past validation with the
    archive timestamps' proof of existence passed."""
    sig_ts = ts_evidence(st.timestamp_validity)
    ts_result = getattr(result, "signature_timestamp_status", None)
    if sig_ts is None or sig_ts.ok or not (sig_ts.intact and sig_ts.valid) or ts_result is None:
        return sig_ts, False
    from pyhanko.sign.ades.report import AdESPassed

    if ts_result.ades_subindic is AdESPassed.OK:
        return dataclasses.replace(sig_ts, trusted=True), True
    return sig_ts, False


def _pades_level(embedded_sig, reader, subfilter, revision, sig_ts) -> str | None:
    if subfilter != "/ETSI.CAdES.detached":
        return None
    if sig_ts is None and not _has_signature_timestamp(embedded_sig):
        return "B-B"
    if not _dss_after(reader, revision):
        return "B-T"
    later_ts = any(
        s.sig_object_type == "/DocTimeStamp" and s.signed_revision > revision
        for s in reader.embedded_signatures
    )
    return "B-LTA" if later_ts else "B-LT"


async def _timestamp_judged_alone(embedded_sig, reader, env, st, sig_ts, indication, moment):
    """Validation stopped at the signature timestamp or before it: judge the token on its own,
    so the finding names the timestamp when that is what failed. Returns (timestamp evidence,
    whether the signer's own chain validated and the timestamp is what failed)."""
    if sig_ts is not None or indication is Indication.TOTAL_PASSED or not _has_signature_timestamp(embedded_sig):
        return sig_ts, False
    sig_ts = await timestamp_alone(embedded_sig, reader, env, content=False, moment=moment)
    failed_on_ts = sig_ts is not None and not sig_ts.ok and getattr(st, "validation_path", None) is not None
    return sig_ts, failed_on_ts


async def _with_status(embedded_sig, r: _Read, result, st, reader, env: TrustEnv, moment) -> SignatureEvidence:
    indication, sub = _indication(result.ades_subindic)
    sig_ts, past_validated_ts = _signature_timestamp(result, st)
    content_ts = ts_evidence(st.content_timestamp_validity)
    if content_ts is None and _has_content_timestamp(embedded_sig):
        content_ts = await timestamp_alone(embedded_sig, reader, env, content=True, moment=moment)
    level = _pades_level(embedded_sig, reader, r.subfilter, r.revision, sig_ts)
    integrity = _integrity(embedded_sig)
    covers = covers_revision(integrity.get("coverage", getattr(st, "coverage", None)))
    best_time = getattr(result, "best_signature_time", None)
    indication, sub, corrected = _validity_period_check(
        indication, sub, r.signer, best_time, sig_ts, env.moment or moment or utcnow()
    )
    failure = corrected or (plain_text(result.failure_msg) if result.failure_msg else None)
    modification = integrity.get("modification_level")
    sig_ts, failed_on_ts = await _timestamp_judged_alone(embedded_sig, reader, env, st, sig_ts, indication, moment)
    used_ts = tuple(
        UsedTimestamp(role, t.time) for role, t in (("signature", sig_ts), ("content", content_ts)) if t
    )
    return SignatureEvidence(
        timestamps_used=used_ts,
        revocation_used=revocation_from_result(result, embedded_sig, reader),
        field_name=embedded_sig.field_name, kind=r.kind, revision=r.revision, signed_end=r.signed_end,
        covers_whole_revision=covers, intact=bool(st.intact), valid=bool(st.valid),
        trusted=bool(st.trusted) and indication is Indication.TOTAL_PASSED,
        indication=indication, subindication=sub, failure=failure, subfilter=r.subfilter,
        signer=r.signer, claimed_signing_time=r.claimed, signature_timestamp=sig_ts,
        content_timestamp=content_ts,
        best_signature_time=best_time,
        pades_level=level, docmdp_permission=r.docmdp, binding=r.binding,
        modification_level=modification.name if modification is not None else None,
        docmdp_ok=integrity.get("docmdp_ok"),
        signature_timestamp_present=_has_signature_timestamp(embedded_sig),
        failed_on_signature_timestamp=failed_on_ts,
        signature_timestamp_past_validated=past_validated_ts,
        correction=corrected,
        qualification=assess_qualification(env, st, best_time),
    )


def _validity_period_check(indication, sub, signer, best_time, sig_ts, validation_time=None):
    """zvhsign's own check of the signer certificate's validity period against the
    proof of existence (EN 319 102-1 §5.5: a signature proven to exist only after its
    certificate expired is OUT_OF_BOUNDS_NO_POE). pyHanko 0.38 passes such signatures
    when they carry a signature timestamp made after the expiry, and never checks the
    validity of a signer certificate that is itself a trust anchor. The proof of
    existence: a valid signature timestamp, else the best signature time pyHanko
    established (a document timestamp), else the validation time itself."""
    if signer is None or indication is not Indication.TOTAL_PASSED:
        return indication, sub, None
    poe = None
    if sig_ts is not None and sig_ts.ok:
        poe = sig_ts.time  # the signature existed at this time (upper bound)
    else:
        poe = best_time or validation_time
    if poe is not None:
        if poe > signer.not_after:
            return (
                Indication.INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                (
                    f"the signature is proven to exist only at {poe:%Y-%m-%d %H:%M}Z, after the "
                    f"signer's certificate expired on {signer.not_after:%Y-%m-%d}"
                ),
            )
    if best_time is not None and best_time < signer.not_before:
        return (
            Indication.INDETERMINATE, "NOT_YET_VALID",
            (
                f"the signature existed at {best_time:%Y-%m-%d %H:%M}Z, before the signer's "
                f"certificate became valid on {signer.not_before:%Y-%m-%d}"
            ),
        )
    return indication, sub, None


async def _with_time_validation(embedded_sig, spec, timing):
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
    # without a signature timestamp there is no time to validate with: the basic
    # process (EN 319 102-1 §5.3) at the validation time
    spec_here = dataclasses.replace(base, local_knowledge=knowledge)
    if _has_signature_timestamp(embedded_sig):
        return await ades.ades_with_time_validation(
            signed_data=embedded_sig.signed_data,
            validation_spec=spec_here,
            timing_info=timing,
            raw_digest=embedded_sig.compute_digest(),
            extra_status_kwargs=embedded_sig.summarise_integrity_info(),
            status_cls=PdfSignatureStatus,
        )
    # pyHanko 0.38's basic process ignores status_cls (always a CMS status), so the
    # PDF integrity facts are read from the embedded signature instead (_integrity)
    return await ades.ades_basic_validation(
        signed_data=embedded_sig.signed_data,
        validation_spec=spec_here,
        timing_info=timing,
        raw_digest=embedded_sig.compute_digest(),
    )


def _broken(embedded_sig, kind, revision, signed_end, subfilter, signer, exc, binding=NO_BINDING) -> SignatureEvidence:
    """Validation stopped after the signature was read: INDETERMINATE, never "malformed" --
    the file unreadable where it was needed (UNREADABLE_HERE), else an error or a time-out."""
    return SignatureEvidence(
        binding=binding,
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=False, intact=False, valid=False, trusted=False,
        indication=Indication.INDETERMINATE, subindication=None,
        failure=f"validation did not complete: {plain_text(exc, 'an error or time-out while validating')}",
        subfilter=subfilter, signer=signer,
        claimed_signing_time=None, signature_timestamp=None, content_timestamp=None,
        best_signature_time=None, pades_level=None,
        not_validated=UNREADABLE_HERE if unreadable_here(exc) else "an error or time-out while validating",
    )


def _unsupported_algorithm(embedded_sig) -> str | None:
    from .algorithms import unsupported_algorithm

    try:
        cert = embedded_sig.signer_cert
    except Exception:
        cert = None
    try:
        return unsupported_algorithm(embedded_sig.signer_info, cert)
    except Exception:
        return None  # unreadable algorithm fields: validation reports the malformed CMS


def _unsupported(embedded_sig, kind, revision, signed_end, subfilter, signer, why, binding=NO_BINDING):
    """A signature made with an algorithm zvhsign can't verify (named in ``why``): INDETERMINATE
    (EN 319 102-1 FORMAT_FAILURE: the verification building block can't process it), never a
    signature value that does not verify."""
    return SignatureEvidence(
        binding=binding,
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=False, intact=False, valid=False, trusted=False,
        indication=Indication.INDETERMINATE, subindication="FORMAT_FAILURE",
        failure=f"the signature can't be validated: {why}",
        subfilter=subfilter, signer=signer,
        claimed_signing_time=None, signature_timestamp=None, content_timestamp=None,
        best_signature_time=None, pades_level=None, not_validated=why,
    )


def _etsi_part(embedded_sig, result):
    """One signature's ETSI TS 119 102-2 SignatureValidationReport and its validation
    objects, made by pyHanko's report generator while the signature is at hand."""
    from pyhanko.sign.validation.report import tools

    try:
        report = tools._generate_report(embedded_sig, result)
        objects = [tools._package_validation_object(vo) for vo in result.validation_objects]
    except Exception:  # a report is a by-product; its failure must not change the verdict
        return None
    return report, objects
