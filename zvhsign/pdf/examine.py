"""Examining a signed copy: revisions, approved prefix, signatures → FileEvidence.

Signature validation uses pyHanko's AdES API (ETSI EN 319 102-1 indications);
revision boundaries, trailing data and the structural comparison of revisions
are zvhsign's own, so the verdict never rests on a single library's view.
"""

from __future__ import annotations

import dataclasses
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
    NO_BINDING,
    UsedTimestamp,
)
from ..errors import InputError
from .certinfo import certificate_info
from .fields import REPORT_FIELD
from .mandate import binding_of
from .qualification import assess as assess_qualification
from .revinfo_used import (
    file_revinfo_digests,
    path_certs,
    revocation_from_result,
    revocation_used,
    signer_cert,
)
from .trust import TrustEnv

_CLASS_NAME = re.compile(r"\b(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit)\b:?\s*")
_MODULE_PATH = re.compile(r"\b(?:[a-z_][a-z0-9_]*\.){1,}[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")
_ENUM_REPR = re.compile(r"\[?<?\b[A-Z][a-z]+[A-Z]\w*\.[A-Z][A-Z0-9_]+\b(?::[^>\]]*)?>?\]?")
_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>")
_PY_MODULES = ("pyhanko", "pikepdf", "asn1crypto", "cryptography", "zvhsign", "builtins", "oscrypto",
               "aiohttp", "asyncio", "xsdata", "certomancer", "io", "qpdf")


def plain_text(what: object, fallback: str = "damaged or unsupported structure") -> str:
    """A message for people from an exception or library text: no Python class names,
    module paths or object reprs (they say nothing to a secretariat and leak internals)."""
    text = str(what).strip() if what is not None else ""
    if "maximum recursion depth" in text or isinstance(what, RecursionError):
        return "objects nested too deeply to be read (beyond zvhsign's nesting bound)"
    text = _OBJECT_REPR.sub("the file", text)
    text = re.sub(r"'[A-Z]\w*' object", "a value", text)
    text = _ENUM_REPR.sub("", text)
    text = _CLASS_NAME.sub("", text)
    text = _MODULE_PATH.sub(
        lambda m: "" if m.group(0).split(".")[0] in _PY_MODULES else m.group(0), text
    )
    text = re.sub(r"\s{2,}", " ", text).strip(" :;,-")
    if text.startswith("'") and text.endswith("'") and text.count("'") == 2:  # a bare KeyError
        text = f"missing entry {text[1:-1]}"
    return text or fallback


_EOF = re.compile(rb"%%EOF[ \t\x00]*(?:\r\n|\r|\n)?")
_PARTIAL_REVISION = re.compile(rb"\bobj\b|\bendobj\b|\bxref\b|\btrailer\b|\bstartxref\b")


def _revision_ends(data: bytes, reader) -> list[int]:
    """Byte offset where each revision (as pyHanko counts them) ends: after the
    ``startxref N %%EOF`` that points at the revision's cross-reference section
    (in a linearized file that is the last one, not the first %%EOF after the
    first-page xref); else after the first %%EOF following the section."""
    ends = []
    xrefs = reader.xrefs
    for rev in range(xrefs.total_revisions):
        info = xrefs.get_xref_container_info(rev)
        # the trailer's ``startxref`` names the section's declared offset (the
        # ``xref`` keyword or the stream object), not where its entries start
        offsets = {info.declared_startxref, info.start_location}
        m = None
        for offset in offsets:
            pointer = re.compile(
                rb"startxref\s+%d\s*%%%%EOF[ \t\x00]*(?:\r\n|\r|\n)?" % offset
            )
            found = pointer.search(data, info.end_location)
            if found is not None and (m is None or found.start() < m.start()):
                m = found
        if m is None:
            m = _EOF.search(data, info.end_location)
        if m is None:
            raise InputError("a revision has no end-of-file marker: the file is truncated or damaged")
        ends.append(m.end())
    return ends


_COMPLETE_END = re.compile(rb"startxref\s+\d+\s*%%EOF[ \t\x00]*(?:\r\n|\r|\n)?")


def _complete_ends(data: bytes) -> list[int]:
    """Offsets just after each ``startxref N %%EOF`` (a complete revision's end), last first."""
    return [m.end() for m in _COMPLETE_END.finditer(data)][::-1]


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_OBJECT_END = re.compile(rb"(?:\bendobj|%%EOF|>>)[\s\x00]*$")


def _trailing_kind(rest: bytes, file_size: int | None = None) -> str | None:
    """None: nothing after the last complete revision; "truncated": an update that was
    cut off (a signature whose /ByteRange reaches past the end of the file, or object
    syntax that stops inside an object or stream); "appended": anything else -- text,
    or complete objects without a cross-reference section of their own (readers that
    rebuild the xref by scanning show them: a finding, not an unreadable file)."""
    if not rest.strip(b" \t\r\n\x00"):
        return None
    if file_size is not None:
        for m in _BYTE_RANGE.finditer(rest):
            if int(m.group(3)) + int(m.group(4)) > file_size:
                return "truncated"
    if _PARTIAL_REVISION.search(rest) and b"%%EOF" not in rest:
        starts = [m.start() for m in re.finditer(rb"\bstream\b", rest)]
        ends = [m.start() for m in re.finditer(rb"\bendstream\b", rest)]
        inside_stream = bool(starts) and (not ends or starts[-1] > ends[-1])
        if inside_stream or not _OBJECT_END.search(rest):
            return "truncated"
    return "appended"


def _open_reader(data: bytes):
    """Parse the complete part of ``data``; return (reader, end of the complete part,
    notes on structural oddities).

    The complete part ends at the last ``startxref … %%EOF`` that yields a parseable
    file. Bytes after it are *trailing data* (a finding: other readers may show what
    no signature covers), unless they are an update cut off in the middle
    (truncation: the file can't be judged).
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .bounds import first_too_deep, nesting_message

    head = data[:1024]
    if b"%PDF-" not in head:
        raise InputError("not a PDF file (no %PDF header)")
    ends = _complete_ends(data)
    if not ends:
        raise InputError("the PDF has no complete revision (no startxref/%%EOF): it is truncated")
    bounds: list[str] = []
    deep = first_too_deep(data)
    if deep is not None:  # only what comes before it is read
        ends = [e for e in ends if e <= deep]
        if not ends:
            raise InputError(nesting_message(f"the file's first revision (at byte {deep})").replace(
                "it was not examined", "the file can't be examined"))
        bounds.append(nesting_message(f"the update after byte {ends[0]} (at byte {deep})"))
    if _trailing_kind(data[ends[0]:], len(data)) == "truncated":
        raise InputError(
            f"the file ends inside an incomplete revision after byte {ends[0]}: "
            "it was truncated (or a write was interrupted)"
        )
    first_error = None
    too_deep = False
    # the whole file first, strictly, then leniently (a MALFORMED_REVISION, with its
    # signatures still judged); only then an earlier end: a later, broken "revision"
    # other readers may still show is trailing data
    for end in ends[:4]:
        strict_error = None
        for strict in (True, False):
            try:
                reader = PdfFileReader(io.BytesIO(data[:end]), strict=strict)
                if reader.encrypted:
                    raise InputError("the PDF is encrypted; zvhsign verifies unencrypted copies only")
                reader.root  # noqa: B018 - force parsing the catalog
                notes = _reader_disagreements(reader, data[:end], strict, strict_error)
                if reader.xrefs.hybrid_xrefs_present and strict:
                    # pyHanko validates hybrid-reference files only when lenient
                    reader = PdfFileReader(io.BytesIO(data[:end]), strict=False)
                if end != ends[0] and too_deep:
                    bounds.append(nesting_message(f"the update after byte {end}"))
                return reader, end, notes, bounds
            except InputError:
                raise
            except RecursionError:  # deeper than the parser's stack: the bound, named
                too_deep = True
                break
            except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                first_error = first_error or exc
                strict_error = exc if strict else strict_error
    if too_deep and first_error is None:
        raise InputError(nesting_message("the file").replace("it was not examined", "it can't be examined"))
    raise InputError(f"the PDF can't be parsed (truncated or damaged): {plain_text(first_error)}") from None


def _reader_disagreements(reader, prefix: bytes, strict: bool, strict_error) -> list[str]:
    """Notes (MALFORMED_REVISION) on a parsed file whose readers may disagree about its content:
    it parses only leniently (unless the strict reader's objection is pyHanko's own rule that is
    stricter than the standard, and qpdf reads it cleanly), or its hybrid cross-reference
    sections contradict each other. See :mod:`.xrefcheck`."""
    from .xrefcheck import hybrid_conflicts, only_stricter_than_standard

    notes = []
    if not strict and not only_stricter_than_standard(reader, prefix):
        notes.append(
            f"the file only parses leniently ({plain_text(strict_error)}); "
            "readers may disagree about its content"
        )
    if reader.xrefs.hybrid_xrefs_present:
        conflicts = hybrid_conflicts(reader)
        if conflicts:
            shown = ", ".join(str(n) for n in conflicts[:5])
            notes.append(
                "the file's hybrid cross-reference sections contradict each other (the xref table "
                f"and the cross-reference stream place object(s) {shown} differently): "
                "readers may disagree about its content"
            )
    return notes


def _ts_evidence(status) -> TimestampEvidence | None:
    if status is None:
        return None
    tsa = not_after = None
    try:
        tsa = status.signing_cert.subject.human_friendly
        not_after = status.signing_cert.not_valid_after
    except Exception:
        pass
    return TimestampEvidence(
        time=status.timestamp,
        tsa=tsa,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        tsa_not_after=not_after,
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


def _covers(coverage) -> bool:
    """The signature covers at least its whole revision (the last one covers the whole file)."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return coverage is not None and coverage >= SignatureCoverageLevel.ENTIRE_REVISION


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


async def _timestamp_alone(embedded_sig, reader, env: TrustEnv, *, content: bool) -> TimestampEvidence | None:
    """The signature timestamp (``content``: the content timestamp) token validated by
    itself, with the file's DSS: for when pyHanko's AdES process did not report it."""
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.generic_cms import (
        extract_tst_data_iter,
        message_imprint_checker,
        validate_tst_signed_data,
    )
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    try:
        dss = ades._dss_to_local_knowledge(reader=reader)
        vc = env.validation_context(certs=dss.known_certs, ocsps=dss.known_ocsps, crls=dss.known_crls)
    except Exception:
        vc = env.validation_context()
    # a content timestamp is over the signed content (the /ByteRange digest),
    # a signature timestamp over the signature value
    imprint = embedded_sig.compute_digest if content else message_imprint_checker(embedded_sig.signer_info)
    for tst in extract_tst_data_iter(embedded_sig.signer_info, signed=content):
        try:
            kwargs = await validate_tst_signed_data(tst, vc, imprint)
            return _ts_evidence(TimestampSignatureStatus(**kwargs))
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


async def _examine_document_timestamp(
    embedded_sig, reader, env: TrustEnv, revision, signed_end, subfilter, signer
) -> SignatureEvidence:
    """A document timestamp is judged now (or at ``--at``); one that is INDETERMINATE
    then (typically: its TSA certificate has expired) but is covered by a later
    document timestamp is judged again at that timestamp's time, with the validation
    data in the file: the later timestamp is its proof of existence (the archive
    timestamp chain of PAdES B-LTA). The later timestamp is judged on its own."""
    vc, st = await _validate_document_timestamp(embedded_sig, reader, env)
    ind, sub = _timestamp_indication(st)
    used = [UsedTimestamp("document", st.timestamp, embedded_sig.field_name)]
    archive_at = indeterminate_now = None
    if ind is Indication.INDETERMINATE:
        nxt, nxt_time = _next_document_timestamp(embedded_sig, reader)
        validation_time = env.moment or utcnow()
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
        covers_whole_revision=_covers(st.coverage),
        intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
        indication=ind, subindication=sub, failure=None, subfilter=subfilter,
        signer=signer, claimed_signing_time=None, signature_timestamp=_ts_evidence(st),
        content_timestamp=None, best_signature_time=st.timestamp, pades_level=None,
        timestamps_used=tuple(used), revocation_used=revocation,
        archive_validated_at=archive_at, indeterminate_now=indeterminate_now,
    )


async def _examine_signature(
    embedded_sig, ends, reader, env: TrustEnv, spec, etsi: list | None = None
) -> SignatureEvidence:
    from pyhanko.sign.validation.ades import ades_lta_validation

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
    binding = binding_of(embedded_sig)
    unsupported = _unsupported_algorithm(embedded_sig)
    if unsupported:
        kind = SignatureKind.DOC_TIMESTAMP if is_ts else (
            SignatureKind.CERTIFICATION if certification else SignatureKind.SIGNATURE)
        return _unsupported(embedded_sig, kind, revision, signed_end, subfilter, signer, unsupported, binding)

    if is_ts:
        try:
            return await _examine_document_timestamp(
                embedded_sig, reader, env, revision, signed_end, subfilter, signer
            )
        except Exception as exc:
            return _broken(embedded_sig, SignatureKind.DOC_TIMESTAMP, revision, signed_end, subfilter, signer, exc)

    kind = SignatureKind.CERTIFICATION if certification else SignatureKind.SIGNATURE
    if kind is SignatureKind.SIGNATURE and embedded_sig.field_name == REPORT_FIELD:
        kind = SignatureKind.REPORT  # rules check it is the secretariat's
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
        return _broken(embedded_sig, kind, revision, signed_end, subfilter, signer, exc, binding)
    indication, sub = _indication(result.ades_subindic)
    st = result.api_status
    if etsi is not None and st is not None:
        etsi.append(_etsi_part(embedded_sig, result))
    if st is None:
        return SignatureEvidence(
            field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
            covers_whole_revision=False, intact=False, valid=False, trusted=False,
            indication=indication, subindication=sub,
            failure=plain_text(result.failure_msg) if result.failure_msg else None,
            subfilter=subfilter, signer=signer, claimed_signing_time=claimed,
            signature_timestamp=None, content_timestamp=None, best_signature_time=None,
            pades_level=None, docmdp_permission=docmdp, binding=binding,
            signature_timestamp_present=_has_signature_timestamp(embedded_sig),
        )
    sig_ts = _ts_evidence(st.timestamp_validity)
    past_validated_ts = False
    ts_result = getattr(result, "signature_timestamp_status", None)
    if sig_ts is not None and not sig_ts.ok and sig_ts.intact and sig_ts.valid and ts_result is not None:
        from pyhanko.sign.ades.report import AdESPassed

        if ts_result.ades_subindic is AdESPassed.OK:
            # not trusted at the validation time (its TSA certificate has expired),
            # but past validation with the archive timestamps' proof of existence passed
            sig_ts = dataclasses.replace(sig_ts, trusted=True)
            past_validated_ts = True
    content_ts = _ts_evidence(st.content_timestamp_validity)
    if content_ts is None and _has_content_timestamp(embedded_sig):
        content_ts = await _timestamp_alone(embedded_sig, reader, env, content=True)
    level = None
    if subfilter == "/ETSI.CAdES.detached":
        level = "B-B"
        if sig_ts is not None or _has_signature_timestamp(embedded_sig):
            level = "B-T"
            if _dss_after(reader, revision):
                level = "B-LT"
                later_ts = [
                    s for s in reader.embedded_signatures
                    if s.sig_object_type == "/DocTimeStamp" and s.signed_revision > revision
                ]
                if later_ts:
                    level = "B-LTA"
    integrity = _integrity(embedded_sig)
    covers = _covers(integrity.get("coverage", getattr(st, "coverage", None)))
    best_time = getattr(result, "best_signature_time", None)
    indication, sub, corrected = _validity_period_check(
        indication, sub, signer, best_time, sig_ts, env.moment or utcnow()
    )
    failure = plain_text(result.failure_msg) if result.failure_msg else None
    modification = integrity.get("modification_level")
    failed_on_ts = False
    if sig_ts is None and indication is not Indication.TOTAL_PASSED and _has_signature_timestamp(embedded_sig):
        # validation stopped at the signature timestamp or before it: judge the token
        # on its own, so the finding names the timestamp when that is what failed
        sig_ts = await _timestamp_alone(embedded_sig, reader, env, content=False)
        if sig_ts is not None and not sig_ts.ok and getattr(st, "validation_path", None) is not None:
            failed_on_ts = True  # the signer's own chain validated
    if corrected:
        failure = corrected
    used_ts = tuple(
        UsedTimestamp(role, t.time) for role, t in (("signature", sig_ts), ("content", content_ts)) if t
    )
    return SignatureEvidence(
        timestamps_used=used_ts,
        revocation_used=revocation_from_result(result, embedded_sig, reader),
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=covers, intact=bool(st.intact), valid=bool(st.valid),
        trusted=bool(st.trusted) and indication is Indication.TOTAL_PASSED,
        indication=indication, subindication=sub, failure=failure, subfilter=subfilter,
        signer=signer, claimed_signing_time=claimed, signature_timestamp=sig_ts,
        content_timestamp=content_ts,
        best_signature_time=best_time,
        pades_level=level, docmdp_permission=docmdp, binding=binding,
        modification_level=modification.name if modification is not None else None,
        docmdp_ok=integrity.get("docmdp_ok"),
        signature_timestamp_present=_has_signature_timestamp(embedded_sig),
        failed_on_signature_timestamp=failed_on_ts,
        signature_timestamp_past_validated=past_validated_ts,
        correction=corrected,
        qualification=assess_qualification(env, st, best_time),
    )


def _with_document_timestamps(signatures: list[SignatureEvidence]) -> list[SignatureEvidence]:
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


def _require_archive_proof(signatures: list[SignatureEvidence]) -> list[SignatureEvidence]:
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
    # without a signature timestamp there is no time to validate with: the basic
    # process (EN 319 102-1 §5.3) at the validation time
    spec_here = dataclasses.replace(base, local_knowledge=knowledge)
    if _has_signature_timestamp(embedded_sig):
        return await ades.ades_with_time_validation(
            signed_data=embedded_sig.signed_data,
            validation_spec=spec_here,
            timing_info=env.timing(),
            raw_digest=embedded_sig.compute_digest(),
            extra_status_kwargs=embedded_sig.summarise_integrity_info(),
            status_cls=PdfSignatureStatus,
        )
    # pyHanko 0.38's basic process ignores status_cls (always a CMS status), so the
    # PDF integrity facts are read from the embedded signature instead (_integrity)
    return await ades.ades_basic_validation(
        signed_data=embedded_sig.signed_data,
        validation_spec=spec_here,
        timing_info=env.timing(),
        raw_digest=embedded_sig.compute_digest(),
    )


_HEX_GAP = re.compile(rb"<[0-9A-Fa-f\s]*>")


def _signature_structure(value, data: bytes, ends: list[int]) -> tuple[str | None, bool]:
    """zvhsign's own check of a signature dictionary's /ByteRange and /Contents against
    the file's bytes, before any library reads them. Returns (problem, fatal): the
    ranges must be four whole numbers [0 a b c] that start at the beginning of the
    file, leave out exactly the /Contents hex string and end where a revision ends;
    ``fatal``: the signature can't be processed at all."""
    from pyhanko.pdf_utils import generic

    br = value.get("/ByteRange")
    if not isinstance(br, generic.ArrayObject):
        return "the signature's /ByteRange is missing or not an array", True
    nums = list(br)
    if len(nums) != 4 or not all(isinstance(n, int) and not isinstance(n, bool) for n in nums):
        return "the signature's /ByteRange is not four whole numbers", True
    a0, l1, s2, l2 = (int(n) for n in nums)
    if min(a0, l1, s2, l2) < 0:
        return "the signature's /ByteRange has a negative offset or length", True
    contents = value.get("/Contents")
    if not isinstance(contents, (generic.ByteStringObject, generic.TextStringObject, bytes, str)):
        return "the signature's /Contents is not a string", True
    if a0 != 0:
        return "the signed ranges do not start at the beginning of the file", False
    if s2 < l1:
        return "the signed ranges overlap", False
    if s2 + l2 > len(data):
        return "the signed ranges reach past the end of the file", False
    gap = data[l1:s2]
    if not _HEX_GAP.fullmatch(gap):
        return (
            f"the bytes left out of the signed ranges ({l1}-{s2}) are not just the signature's "
            "/Contents: part of the file is not covered by the signature"
        ), False
    raw = bytes(contents) if not isinstance(contents, str) else contents.encode("latin-1", "replace")
    hexdigits = re.sub(rb"\s", b"", gap[1:-1])
    if len(hexdigits) // 2 != len(raw):
        return "the bytes left out of the signed ranges are not the signature's /Contents", False
    end = s2 + l2
    if not any(0 <= e - end <= 4 for e in ends):
        return f"the signed ranges end at byte {end}, which is not the end of a revision", False
    return None, False


def _collect_signatures(reader, ends, data: bytes = b"") -> tuple[list, list[SignatureEvidence], dict]:
    """Every filled signature field: pyHanko's signature objects for the ones it can
    process, and evidence of failure for the rest. (pyHanko's own collection skips
    unknown SubFilters and stops at the first unparseable /Contents; a filled field
    that is silently skipped would look like a signed field with nothing to check.)
    The third value: zvhsign's own structure problem of a processable signature
    (by ``id()`` of its pyHanko object)."""
    from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    known = {str(sf.value) for sf in SigSeedSubFilter}
    good, bad, problems = [], [], {}
    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        fields = []  # an unreadable form: the structure analysis names it
    for fq_name, sig_obj, sig_field in fields:
        revision = len(ends) - 1
        try:
            revision = reader.xrefs.get_introducing_revision(sig_field.raw_get("/V").reference)
        except Exception:
            pass
        subfilter = None
        kind = SignatureKind.SIGNATURE
        problem: str | None = None
        unsupported: str | None = None
        try:
            value = sig_obj.get_object()
            subfilter = str(value.get("/SubFilter")) if "/SubFilter" in value else None
            kind = (
                SignatureKind.DOC_TIMESTAMP if value.get("/Type") == "/DocTimeStamp"
                else SignatureKind.SIGNATURE
            )
            problem, fatal = _signature_structure(value, data, ends) if data else (None, False)
            if fatal:
                raise _Unprocessable(problem)
            if subfilter not in known:
                unsupported = f"the signature format (/SubFilter {subfilter or 'missing'}) is not supported"
                raise _Unprocessable(unsupported)
            try:
                emb = EmbeddedPdfSignature(reader, sig_field, fq_name)
                emb.signed_revision  # noqa: B018 - force reading /ByteRange and /Contents
            except Exception as exc:
                raise _Unprocessable(
                    f"the signature's /Contents is not a readable CMS signature ({plain_text(exc)})"
                ) from None
            good.append(emb)
            if problem:
                problems[id(emb)] = problem
        except Exception as exc:
            why = str(exc) if isinstance(exc, _Unprocessable) else plain_text(exc)
            bad.append(SignatureEvidence(
                field_name=fq_name, kind=kind,
                revision=revision, signed_end=ends[min(revision, len(ends) - 1)],
                covers_whole_revision=False, intact=False, valid=False, trusted=False,
                indication=Indication.INDETERMINATE if unsupported else Indication.TOTAL_FAILED,
                subindication="FORMAT_FAILURE",
                failure=f"the signature can't be processed: {why}", subfilter=subfilter,
                signer=None, claimed_signing_time=None, signature_timestamp=None,
                content_timestamp=None, best_signature_time=None, pades_level=None,
                byte_range_problem=problem, not_validated=unsupported,
            ))
    good.sort(key=lambda e: e.signed_revision)
    return good, bad, problems


class _Unprocessable(Exception):
    """A signature zvhsign can't process; the message is for people."""


def _broken(embedded_sig, kind, revision, signed_end, subfilter, signer, exc, binding=NO_BINDING) -> SignatureEvidence:
    """Validation stopped with an error (or a time-out) after the signature was read: that
    is not evidence of tampering -- the signature is INDETERMINATE (SIGNATURE_NOT_VALIDATED:
    verify again), never "malformed"."""
    return SignatureEvidence(
        binding=binding,
        field_name=embedded_sig.field_name, kind=kind, revision=revision, signed_end=signed_end,
        covers_whole_revision=False, intact=False, valid=False, trusted=False,
        indication=Indication.INDETERMINATE, subindication=None,
        failure=f"validation did not complete: {plain_text(exc, 'an error or time-out while validating')}",
        subfilter=subfilter, signer=signer,
        claimed_signing_time=None, signature_timestamp=None, content_timestamp=None,
        best_signature_time=None, pades_level=None,
        not_validated="an error or time-out while validating",
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


async def examine(
    path: str,
    data: bytes,
    env: TrustEnv,
    approved_by_size: Callable[[int], list[ApprovedVersion]],
    spec=None,
    etsi: list | None = None,
) -> FileEvidence:
    """Establish the facts about one copy. Raises InputError if it can't be judged.

    ``etsi``: when a list, the ETSI TS 119 102-2 report parts of each signature are
    appended to it (see :func:`etsi_report_xml`)."""
    from .stamp import read_stamp
    from .structure import analyse_revisions

    reader, complete_end, parse_notes, bounds = _open_reader(data)
    problems = list(parse_notes)
    try:
        ends = _revision_ends(data[:complete_end], reader)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"the PDF's revisions can't be read: {plain_text(exc)}") from None
    trailing = len(data) - ends[-1] if _trailing_kind(data[ends[-1]:]) else 0

    approved: ApprovedVersion | None = None
    approved_rev: int | None = None
    for i, end in enumerate(ends):
        for candidate in approved_by_size(end):
            if Sha256.of(data[:end]) == candidate.approved_sha256:
                approved, approved_rev = candidate, i
    stamp = None
    try:
        import pikepdf

        with pikepdf.open(io.BytesIO(data[: ends[approved_rev if approved_rev is not None else -1]])) as pdf:
            stamp = read_stamp(pdf)
    except Exception:
        stamp = None

    spec = spec or env.signature_spec()
    signatures = []
    embedded, unprocessable, sig_problems = _collect_signatures(reader, ends, data[:complete_end])
    reader._embedded_signatures = embedded  # later-timestamp lookups see the same list
    for embedded_sig in embedded:
        sig_ev = await _examine_signature(embedded_sig, ends, reader, env, spec, etsi)
        if id(embedded_sig) in sig_problems:
            sig_ev = dataclasses.replace(sig_ev, byte_range_problem=sig_problems[id(embedded_sig)])
        signatures.append(sig_ev)
    signatures.extend(unprocessable)
    signatures.sort(key=lambda s: s.revision)
    signatures = _require_archive_proof(_with_document_timestamps(signatures))

    # zvhsign's own revision analysis, from the approved version -- or, in a copy that
    # contains none, from the first signed revision: its findings never rest on the
    # approval check or on pyHanko's difference analysis
    base = approved_rev
    if base is None and signatures:
        base = min(s.revision for s in signatures)
    changes: list = []
    if base is not None and base < len(ends):
        last_signed = max((s.revision for s in signatures), default=None)
        changes, more = analyse_revisions(data, ends, base, last_signed)
        problems.extend(more)
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
        validated_at=env.moment or utcnow(),
        structure_base_revision=base,
        bounds_exceeded=tuple(bounds),
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


def etsi_report_xml(parts: list) -> str:
    """Combine the parts collected by :func:`examine` (over any number of files) into one
    ETSI TS 119 102-2 ValidationReport, serialised as pyHanko's generator does."""
    from pyhanko.generated.etsi import ts_11910202
    from pyhanko.sign.validation.report.tools import NAMESPACES
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    parts = [p for p in parts if p is not None]
    seen: set = set()
    objects = []
    for _, objs in parts:
        for vo in objs:
            if vo.id not in seen:
                seen.add(vo.id)
                objects.append(vo)
    report = ts_11910202.ValidationReport(
        signature_validation_report=tuple(r for r, _ in parts),
        signature_validation_objects=ts_11910202.ValidationObjectListType(tuple(objects)),
    )
    return XmlSerializer(config=SerializerConfig(indent="  ")).render(report, ns_map=NAMESPACES)


def utcnow() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
