"""Attacks on the partner signature's dictionary, patched in place with every offset kept:
its /Contents (zeroed, emptied, not a string) and its /ByteRange (shortened, null, three
numbers, overlapping, with a gap) -- universal signature forgery and signature wrapping;
the approval signature's /Reference and the partner's signed attributes (or its content
timestamp among them) damaged. Loaded and re-exported by make.py."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

__all__ = [
    "PARTNER_FIELD",
    "approval_reference_damaged",
    "content_timestamp_damaged",
    "signed_attributes_damaged",
    "byte_range_null",
    "byte_range_overlapping",
    "byte_range_three_numbers",
    "byte_range_with_gap",
    "contents_not_a_string",
    "signature_byterange_changed",
    "signature_contents_emptied",
    "signature_contents_zeroed",
]


# --------------------------------------------------- the partner's signature dictionary


PARTNER_FIELD = "ZVH_Handtekening_01"


def _byte_ranges(data: bytes) -> list:
    return list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))


def _partner_index(data: bytes) -> int:
    """Which /ByteRange (in file order) is the partner's: the signature in ZVH_Handtekening_01
    (1 after the approval; later in a re-certified copy the partner signed)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (sig,) = [s for s in reader.embedded_signatures if s.field_name == PARTNER_FIELD]
    want = [int(x) for x in sig.byte_range]
    return next(i for i, m in enumerate(_byte_ranges(data)) if [int(x) for x in m.groups()] == want)


def _partner_contents_span(data: bytes) -> tuple[int, int]:
    """Offsets of the hex string /Contents <…> of the partner signature (the first
    signature after the approval), from its /ByteRange."""
    _, a, b, _ = (int(x) for x in _byte_ranges(data)[_partner_index(data)].groups())
    return a, b


def _patch_partner_sig_dict(signed: bytes, replace: Callable[[bytes], bytes]) -> bytes:
    """Rewrite the partner signature's /ByteRange array in place, keeping its length."""
    m = _byte_ranges(signed)[_partner_index(signed)]
    new = replace(m.group(0))
    assert len(new) <= len(m.group(0))
    new = new.ljust(len(m.group(0)))
    return signed[: m.start()] + new + signed[m.end():]


# ----------------------------------------------------- /Contents and /ByteRange patched


def signature_contents_zeroed(signed: bytes) -> bytes:
    """Universal signature forgery: the partner's /Contents zeroed (same length)."""
    a, b = _partner_contents_span(signed)
    return signed[: a + 1] + b"0" * (b - a - 2) + signed[b - 1 :]


def signature_contents_emptied(signed: bytes) -> bytes:
    """USF: /Contents made an empty string, padded with spaces to keep every offset."""
    a, b = _partner_contents_span(signed)
    return signed[:a] + b"<>" + b" " * (b - a - 2) + signed[b:]


def signature_byterange_changed(signed: bytes) -> bytes:
    """USF/wrapping: the partner's /ByteRange rewritten (same length) to cover less."""
    m = _byte_ranges(signed)[_partner_index(signed)]
    start, end = m.start(4), m.end(4)
    n = int(m.group(4))
    new = str(max(n - 100, 1)).rjust(end - start).encode()
    return signed[:start] + new + signed[end:]


def byte_range_null(signed: bytes) -> bytes:
    return _patch_partner_sig_dict(signed, lambda old: b"/ByteRange null")


def byte_range_three_numbers(signed: bytes) -> bytes:
    def rep(old):
        nums = re.findall(rb"\d+", old)
        return b"/ByteRange [" + b" ".join(nums[:3]) + b"]"

    return _patch_partner_sig_dict(signed, rep)


def byte_range_overlapping(signed: bytes) -> bytes:
    """The second range starts inside the first (overlap)."""
    def rep(old):
        a, b, c, d = (int(x) for x in re.findall(rb"\d+", old))
        return b"/ByteRange [%d %d %d %d]" % (a, b, b - 10, d + 10)

    return _patch_partner_sig_dict(signed, rep)


def byte_range_with_gap(signed: bytes) -> bytes:
    """The unsigned gap is larger than /Contents: bytes after it are not signed."""
    def rep(old):
        a, b, c, d = (int(x) for x in re.findall(rb"\d+", old))
        return b"/ByteRange [%d %d %d %d]" % (a, b, c + 40, d - 40)

    return _patch_partner_sig_dict(signed, rep)


def contents_not_a_string(signed: bytes) -> bytes:
    """The partner's /Contents replaced by a number (same length: spaces)."""
    a, b = _partner_contents_span(signed)
    return signed[:a] + b"0" + b" " * (b - a - 1) + signed[b:]


def approval_reference_damaged(signed: bytes) -> bytes:
    """The approval (certification) signature's /Reference damaged in the signed bytes: its
    DocMDP transform's /TransformMethod renamed (same length), so its permissions can't be read."""
    old = b"/TransformMethod /DocMDP"
    assert signed.count(old) == 1, "one certification signature expected"
    return signed.replace(old, b"/TransformMethoX /DocMDP")


def signed_attributes_damaged(signed: bytes) -> bytes:
    """The partner's CMS (its /Contents, outside the signed bytes) with the first signed
    attribute claiming more bytes than the attributes hold (same length): its signed
    attributes can't be parsed, the rest of the CMS can."""
    from asn1crypto import cms

    a, b = _partner_contents_span(signed)
    der = bytearray.fromhex(signed[a + 1 : b - 1].decode("ascii"))
    attrs = cms.ContentInfo.load(bytes(der))["content"]["signer_infos"][0]["signed_attrs"]
    encoded = attrs.dump()
    first = der.find(encoded) + len(encoded) - len(attrs.contents)  # the first attribute's tag
    assert der[first] == 0x30 and der[first + 1] < 0x7F, "a short-form SEQUENCE expected"
    der[first + 1] = 0x7F
    return signed[: a + 1] + der.hex().upper().encode() + signed[b - 1 :]


def content_timestamp_damaged(signed: bytes) -> bytes:
    """The partner's content timestamp (a signed attribute) with its token's outer SEQUENCE
    tagged primitive (same length): the attribute list parses, the token in it does not."""
    from asn1crypto import cms

    a, b = _partner_contents_span(signed)
    der = bytearray.fromhex(signed[a + 1 : b - 1].decode("ascii"))
    attrs = cms.ContentInfo.load(bytes(der))["content"]["signer_infos"][0]["signed_attrs"]
    (values,) = [x["values"] for x in attrs if x["type"].dotted == "1.2.840.113549.1.9.16.2.20"]
    encoded = values.dump()
    token = der.find(encoded) + len(encoded) - len(values.contents)
    assert der[token] == 0x30, "a SEQUENCE (the token's ContentInfo) expected"
    der[token] = 0x10
    return signed[: a + 1] + der.hex().upper().encode() + signed[b - 1 :]
