"""Hand-written incremental updates with unusual cross-reference sections (issue 11, the
MALFORMED_REVISION decision): appended to a real signed copy whose revisions use classic
xref tables; the bytes before stay untouched, so every signature stays intact."""

from __future__ import annotations

from .bombs import _catalog


def _xref_stream(num: int, at: int, size: int, root: str, prev: int, rows: list[tuple[int, int, int, int]],
                 extra: str = "") -> bytes:
    """Object ``num`` at byte ``at``: a cross-reference stream (W [1 4 2], uncompressed)
    with ``rows`` = (object number, type, field 2, field 3)."""
    rows = sorted(rows)
    index = " ".join(f"{n} 1" for n, *_ in rows)
    data = b"".join(bytes([t]) + f2.to_bytes(4, "big") + f3.to_bytes(2, "big") for _, t, f2, f3 in rows)
    return (f"{num} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Index [{index}] /Root {root} "
            f"/Prev {prev}{extra} /Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream\nendobj\n"


def with_reused_xref_stream_number(signed: bytes) -> bytes:
    """Two updates that change nothing, each with a cross-reference stream, the second reusing
    the object number of the first one's (as iText writes them): allowed by the standard,
    refused by pyHanko's strict reader."""
    root_num, root_gen, size, info_ref, _body, prev = _catalog(signed)
    root = f"{root_num} {root_gen} R{info_ref}"
    out = bytearray(signed if signed.endswith(b"\n") else signed + b"\n")
    num, size = size, size + 1
    first = len(out)
    out += _xref_stream(num, first, size, root, prev, [(num, 1, first, 0)])
    out += f"startxref\n{first}\n%%EOF\n".encode()
    second = len(out)
    out += _xref_stream(num, second, size, root, first, [(num, 1, second, 0)])
    out += f"startxref\n{second}\n%%EOF\n".encode()
    return bytes(out)


def with_contradicting_hybrid_xref(signed: bytes) -> bytes:
    """A hybrid-reference update whose xref table places the catalog at one version of it and
    whose /XRefStm at another (a PDF 1.4 reader and a PDF 1.5 reader read different
    catalogs: one with an /OpenAction)."""
    root_num, root_gen, size, info_ref, body, prev = _catalog(signed)
    assert root_gen == 0
    out = bytearray(signed if signed.endswith(b"\n") else signed + b"\n")
    plain_at = len(out)
    out += f"{root_num} 0 obj\n".encode() + body + b"\nendobj\n"
    forged_at = len(out)
    action = b" /OpenAction << /S /JavaScript /JS (app.alert\\('forged'\\)) >> >>"
    out += f"{root_num} 0 obj\n".encode() + body[:-2] + action + b"\nendobj\n"
    stm_num = size
    stm_at = len(out)
    out += _xref_stream(stm_num, stm_at, size + 1, f"{root_num} 0 R{info_ref}", prev,
                        [(root_num, 1, forged_at, 0), (stm_num, 1, stm_at, 0)])
    xref_at = len(out)
    out += (f"xref\n0 1\n0000000000 65535 f \n{root_num} 1\n{plain_at:010d} 00000 n \n"
            f"trailer\n<< /Size {size + 1} /Root {root_num} 0 R{info_ref} /Prev {prev} /XRefStm {stm_at} >>\n"
            f"startxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


def with_wrong_xref_size(signed: bytes) -> bytes:
    """An update whose xref table lists an object beyond the trailer's /Size (only a lenient
    reader accepts it): MALFORMED_REVISION."""
    root_num, root_gen, size, info_ref, body, prev = _catalog(signed)
    out = bytearray(signed if signed.endswith(b"\n") else signed + b"\n")
    at = len(out)
    out += f"{root_num} {root_gen} obj\n".encode() + body + b"\nendobj\n"
    extra = len(out)
    out += f"{size + 5} 0 obj\n(beyond /Size)\nendobj\n".encode()
    xref_at = len(out)
    out += (f"xref\n0 1\n0000000000 65535 f \n{root_num} 1\n{at:010d} {root_gen:05d} n \n"
            f"{size + 5} 1\n{extra:010d} 00000 n \n"
            f"trailer\n<< /Size {size} /Root {root_num} {root_gen} R{info_ref} /Prev {prev} >>\n"
            f"startxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)
