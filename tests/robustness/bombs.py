"""Hostile copies for robustness tests: a Flate bomb in an appended update's XMP."""

from __future__ import annotations

import io
import zlib


def flate_bomb(decompressed_size: int, chunk: int = 1 << 20) -> bytes:
    """``decompressed_size`` bytes of XMP-looking whitespace, Flate-compressed (~1000:1)."""
    c = zlib.compressobj(9)
    parts = [c.compress(b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>')]
    block = b" " * chunk
    left = decompressed_size
    while left > 0:
        parts.append(c.compress(block[: min(chunk, left)]))
        left -= chunk
    parts.append(c.flush())
    return b"".join(parts)


def with_xmp_bomb(pdf_bytes: bytes, decompressed_size: int = 400 * 1024 * 1024) -> bytes:
    """``pdf_bytes`` plus a hand-written incremental update whose catalog points
    /Metadata at a Flate bomb (the earlier revisions, and their signatures, stay
    intact: the bytes before are untouched)."""
    import re

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root_num, root_gen = pdf.Root.objgen
        size = int(pdf.trailer.Size)
        info = pdf.trailer.get("/Info")
        info_ref = f" /Info {info.objgen[0]} {info.objgen[1]} R" if info is not None and info.is_indirect else ""
        root = pikepdf.Dictionary(pdf.Root)  # a direct copy: its values keep their references
        del root["/Metadata"]
        root_body = root.unparse()
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf_bytes)[-1])
    bomb = flate_bomb(decompressed_size)
    out = bytearray(pdf_bytes)
    if not out.endswith(b"\n"):
        out += b"\n"
    meta_num = size
    offsets = {}
    offsets[meta_num] = len(out)
    out += (f"{meta_num} 0 obj\n<< /Type /Metadata /Subtype /XML /Filter /FlateDecode "
            f"/Length {len(bomb)} >>\nstream\n").encode() + bomb + b"\nendstream\nendobj\n"
    offsets[root_num] = len(out)
    body = root_body.rstrip()
    assert body.endswith(b">>")
    body = body[:-2] + f" /Metadata {meta_num} 0 R >>".encode()
    out += f"{root_num} {root_gen} obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(offsets):
        gen = root_gen if num == root_num else 0
        out += f"{num} 1\n{offsets[num]:010d} {gen:05d} n \n".encode()
    out += (f"trailer\n<< /Size {meta_num + 1} /Root {root_num} {root_gen} R{info_ref} /Prev {prev} >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _catalog(pdf_bytes: bytes):
    """(root number, root generation, /Size, ' /Info n g R' or '', the catalog without
    /Metadata as a direct dictionary body, startxref of the last revision)."""
    import re

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root_num, root_gen = pdf.Root.objgen
        size = int(pdf.trailer.Size)
        info = pdf.trailer.get("/Info")
        info_ref = f" /Info {info.objgen[0]} {info.objgen[1]} R" if info is not None and info.is_indirect else ""
        root = pikepdf.Dictionary(pdf.Root)
        if "/Metadata" in root:
            del root["/Metadata"]
        body = root.unparse().rstrip()
    assert body.endswith(b">>")
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf_bytes)[-1])
    return root_num, root_gen, size, info_ref, body, prev


def with_objstm_bomb(pdf_bytes: bytes, decompressed_size: int = 256 * 1024 * 1024) -> bytes:
    """``pdf_bytes`` plus an incremental update (with an xref stream) whose new catalog
    lives in an object stream that inflates to ``decompressed_size`` bytes: reading the
    catalog means decompressing the stream."""
    root_num, root_gen, size, info_ref, body, prev = _catalog(pdf_bytes)
    if root_gen != 0:  # objects in an object stream have generation 0
        return with_xmp_bomb(pdf_bytes, decompressed_size)
    header = f"{root_num} 0 ".encode()
    first = len(header)
    c = zlib.compressobj(9)
    parts = [c.compress(header + body + b"\n")]
    block = b" " * (1 << 20)
    left = decompressed_size
    while left > 0:
        parts.append(c.compress(block[: min(len(block), left)]))
        left -= len(block)
    parts.append(c.flush())
    stream = b"".join(parts)
    out = bytearray(pdf_bytes)
    if not out.endswith(b"\n"):
        out += b"\n"
    objstm, xref_num = size, size + 1
    objstm_at = len(out)
    out += (f"{objstm} 0 obj\n<< /Type /ObjStm /N 1 /First {first} /Filter /FlateDecode "
            f"/Length {len(stream)} >>\nstream\n").encode() + stream + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = (bytes([2]) + objstm.to_bytes(4, "big") + (0).to_bytes(2, "big")
            + bytes([1]) + objstm_at.to_bytes(4, "big") + (0).to_bytes(2, "big")
            + bytes([1]) + xref_at.to_bytes(4, "big") + (0).to_bytes(2, "big"))
    out += (f"{xref_num} 0 obj\n<< /Type /XRef /Size {xref_num + 1} /W [1 4 2] "
            f"/Index [{root_num} 1 {objstm} 2] /Root {root_num} 0 R{info_ref} /Prev {prev} "
            f"/Length {len(rows)} >>\nstream\n").encode() + rows + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def with_deep_nesting(pdf_bytes: bytes, depth: int = 100_000, level: bytes = b"[") -> bytes:
    """``pdf_bytes`` plus an incremental update whose catalog holds arrays nested
    ``depth`` deep (a recursive parser's stack, a validator's patience); ``level`` opens
    each array (``b"[(x) "``: a string before the next level)."""
    root_num, root_gen, size, info_ref, body, prev = _catalog(pdf_bytes)
    out = bytearray(pdf_bytes)
    if not out.endswith(b"\n"):
        out += b"\n"
    at = len(out)
    body = body[:-2] + b" /ZvhDeep " + level * depth + b"]" * depth + b" >>"
    out += f"{root_num} {root_gen} obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += (f"xref\n0 1\n0000000000 65535 f \n{root_num} 1\n{at:010d} {root_gen:05d} n \n"
            f"trailer\n<< /Size {size} /Root {root_num} {root_gen} R{info_ref} /Prev {prev} >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)
