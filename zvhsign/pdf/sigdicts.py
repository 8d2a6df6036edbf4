"""Every filled signature field of a file, and zvhsign's own check of each signature
dictionary's /ByteRange and /Contents against the file's bytes (before any library reads them)."""

from __future__ import annotations

import re

from ..domain.evidence import Indication, SignatureEvidence, SignatureKind
from .plaintext import plain_text

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


def collect_signatures(reader, ends, data: bytes = b"") -> tuple[list, list[SignatureEvidence], dict]:
    """Every filled signature field: pyHanko's signature objects for the ones it can
    process, and evidence of failure for the rest. (pyHanko's own collection skips
    unknown SubFilters and stops at the first unparseable /Contents; a filled field
    that is silently skipped would look like a signed field with nothing to check.)
    The third value: zvhsign's own structure problem of a processable signature
    (by ``id()`` of its pyHanko object)."""
    from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields

    from .embedded import embedded_signature

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
                emb = embedded_signature(reader, sig_field, fq_name)  # integrity facts computed once
                emb.signed_revision  # noqa: B018 - force reading /ByteRange and /Contents
            except Exception as exc:
                raise _Unprocessable(
                    f"the signature's /Contents is not a readable CMS signature ({plain_text(exc)})"
                ) from None
            _readable(emb)
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


def _readable(emb) -> None:  # noqa: ANN001
    """What is read from a signature before it is validated must be readable (else it can't
    be processed): what it says may change after it (its /Reference: in its signed bytes, so a
    damaged one was changed) and what it binds (its signed attributes: covered by its value)."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    from .mandate import binding_of

    try:
        emb.docmdp_level, emb.fieldmdp  # noqa: B018
    except Exception as exc:
        raise _Unprocessable(f"the signature's /Reference (its DocMDP or FieldMDP permissions) can't be "
                             f"read ({plain_text(exc)})") from None
    try:
        binding_of(emb, strict=True)  # mandate and capacity
        list(extract_tst_data_iter(emb.signer_info, signed=True))  # content timestamps
    except Exception as exc:
        raise _Unprocessable(f"the signature's signed attributes can't be read ({plain_text(exc)})") from None


class _Unprocessable(Exception):
    """A signature zvhsign can't process; the message is for people."""
