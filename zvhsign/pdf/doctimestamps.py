"""Timestamps: tokens judged on their own, document timestamps (PAdES B-LTA's archive
timestamp chain), and what each signature's evidence gets from the document timestamps
that follow it."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.evidence import Indication, SignatureEvidence, SignatureKind, TimestampEvidence, UsedTimestamp
from .revinfo_used import file_revinfo_digests, path_certs, revocation_used, signer_cert
from .trust import TrustEnv

def ts_evidence(status) -> TimestampEvidence | None:
    if status is None:
        return None
    tsa = not_after = None
    try:
        tsa = status.signing_cert.subject.human_friendly
        not_after = status.signing_cert.not_valid_after
    except Exception:
        pass
    problem = getattr(status, "trust_problem_indic", None)
    return TimestampEvidence(
        time=status.timestamp,
        tsa=tsa,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        tsa_not_after=not_after,
        trust_problem=problem.standard_name if problem is not None and not status.trusted else None,
    )


def covers_revision(coverage) -> bool:
    """The signature covers at least its whole revision (the last one covers the whole file)."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return coverage is not None and coverage >= SignatureCoverageLevel.ENTIRE_REVISION


async def timestamp_alone(embedded_sig, reader, env: TrustEnv, *, content: bool, moment=None) -> TimestampEvidence | None:
    """The signature timestamp (``content``: the content timestamp) token validated by
    itself, with the file's DSS: for when pyHanko's AdES process did not report it.
    ``moment``: the file's validation time (None: the environment's)."""
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.generic_cms import (
        extract_tst_data_iter,
        message_imprint_checker,
        validate_tst_signed_data,
    )
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    try:
        dss = ades._dss_to_local_knowledge(reader=reader)
        vc = env.validation_context(certs=dss.known_certs, ocsps=dss.known_ocsps, crls=dss.known_crls, moment=moment)
    except Exception:
        vc = env.validation_context(moment=moment)
    # a content timestamp is over the signed content (the /ByteRange digest),
    # a signature timestamp over the signature value
    imprint = embedded_sig.compute_digest if content else message_imprint_checker(embedded_sig.signer_info)
    try:
        tokens = list(extract_tst_data_iter(embedded_sig.signer_info, signed=content))
    except Exception:  # a damaged attribute: no token to judge (the signature's own validation names it)
        return None
    for tst in tokens:
        try:
            kwargs = await validate_tst_signed_data(tst, vc, imprint)
            return ts_evidence(TimestampSignatureStatus(**kwargs))
        except Exception:
            continue
    return None


def _next_document_timestamp(embedded_sig, reader):
    """The document timestamp that directly follows ``embedded_sig`` and its genTime."""
    later = sorted(
        (s for s in reader.embedded_timestamp_signatures if s.signed_revision > embedded_sig.signed_revision),
        key=lambda s: s.signed_revision,
    )
    for s in later:
        try:
            return s, s.signed_data["encap_content_info"]["content"].parsed["gen_time"].native
        except Exception:
            continue
    return None, None


async def _validate_document_timestamp(embedded_sig, reader, env: TrustEnv, moment=None):
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_timestamp

    try:
        dss = ades._dss_to_local_knowledge(reader=reader)
        vc = env.validation_context(
            certs=dss.known_certs, ocsps=dss.known_ocsps, crls=dss.known_crls, moment=moment
        )
    except Exception:
        vc = env.validation_context(ocsps=[], crls=[], moment=moment)
    return vc, await async_validate_pdf_timestamp(embedded_sig, validation_context=vc)


def _timestamp_indication(st) -> tuple[Indication, str | None]:
    if st.intact and st.valid and st.trusted:
        return Indication.TOTAL_PASSED, None
    if not st.intact:
        return Indication.TOTAL_FAILED, "HASH_FAILURE"
    if not st.valid:
        return Indication.TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
    return Indication.INDETERMINATE, (
        st.trust_problem_indic.standard_name if st.trust_problem_indic else "NO_CERTIFICATE_CHAIN_FOUND"
    )


async def examine_document_timestamp(
    embedded_sig, reader, env: TrustEnv, revision, signed_end, subfilter, signer, moment=None
) -> SignatureEvidence:
    """A document timestamp is judged now -- at the file's validation time ``moment``, the
    same for every signature of the file -- (or at ``--at``); one that is INDETERMINATE
    then (typically: its TSA certificate has expired) but is covered by a later
    document timestamp is judged again at that timestamp's time, with the validation
    data in the file: the later timestamp is its proof of existence (the archive
    timestamp chain of PAdES B-LTA). The later timestamp is judged on its own."""
    vc, st = await _validate_document_timestamp(embedded_sig, reader, env, moment=moment)
    ind, sub = _timestamp_indication(st)
    used = [UsedTimestamp("document", st.timestamp, embedded_sig.field_name)]
    archive_at = indeterminate_now = None
    if ind is Indication.INDETERMINATE:
        nxt, nxt_time = _next_document_timestamp(embedded_sig, reader)
        validation_time = env.moment or moment or utcnow()
        # the later timestamp is proof only if it existed at the validation time
        if nxt is not None and nxt_time is not None and nxt_time <= validation_time:
            past_vc, past = await _validate_document_timestamp(embedded_sig, reader, env, moment=nxt_time)
            if _timestamp_indication(past)[0] is Indication.TOTAL_PASSED:
                archive_at, indeterminate_now = nxt_time, sub
                ind, sub, st, vc = Indication.TOTAL_PASSED, None, past, past_vc
                used.append(UsedTimestamp("archive", nxt_time, nxt.field_name))
    revocation = revocation_used(
        list(vc.ocsps), list(vc.crls), file_revinfo_digests(embedded_sig, reader),
        path_certs(st, extra=[signer_cert(embedded_sig)]),
    )
    return SignatureEvidence(
        field_name=embedded_sig.field_name, kind=SignatureKind.DOC_TIMESTAMP,
        revision=revision, signed_end=signed_end,
        covers_whole_revision=covers_revision(st.coverage),
        intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
        indication=ind, subindication=sub, failure=None, subfilter=subfilter,
        signer=signer, claimed_signing_time=None, signature_timestamp=ts_evidence(st),
        content_timestamp=None, best_signature_time=st.timestamp, pades_level=None,
        timestamps_used=tuple(used), revocation_used=revocation,
        archive_validated_at=archive_at, indeterminate_now=indeterminate_now,
    )


def with_document_timestamps(signatures: list[SignatureEvidence]) -> list[SignatureEvidence]:
    """Add to each signature's evidence the document timestamps that cover it."""
    import dataclasses

    doc_ts = [s for s in signatures if s.kind is SignatureKind.DOC_TIMESTAMP and s.best_signature_time]
    out = []
    for sig in signatures:
        if sig.kind is not SignatureKind.DOC_TIMESTAMP:
            covering = tuple(
                UsedTimestamp("document", d.best_signature_time, d.field_name)
                for d in doc_ts if d.revision > sig.revision
            )
            if covering:
                sig = dataclasses.replace(sig, timestamps_used=sig.timestamps_used + covering)
        out.append(sig)
    return out


def require_archive_proof(signatures: list[SignatureEvidence]) -> list[SignatureEvidence]:
    """zvhsign's own check of past validation: a signature timestamp that can't be trusted at
    the validation time (its TSA certificate expired) counts only with proof that it existed
    before then -- a later document timestamp that is itself TOTAL-PASSED (possibly through
    the next archive timestamp). pyHanko 0.38 passes such a signature when it also carries a
    content timestamp of the same expired TSA, without that proof."""
    doc_ts = [s for s in signatures if s.kind is SignatureKind.DOC_TIMESTAMP]
    out = []
    for sig in signatures:
        proven = any(d.revision > sig.revision and d.indication is Indication.TOTAL_PASSED for d in doc_ts)
        if sig.signature_timestamp_past_validated and not proven:
            why = ("the signature timestamp's TSA certificate has expired, and no valid later "
                   "document timestamp proves the signature existed before then")
            sig = dataclasses.replace(
                sig, indication=Indication.INDETERMINATE, subindication="NO_POE", trusted=False,
                signature_timestamp=dataclasses.replace(sig.signature_timestamp, trusted=False),
                signature_timestamp_past_validated=False, failure=why, correction=why,
            )
        out.append(sig)
    return out


def utcnow() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
