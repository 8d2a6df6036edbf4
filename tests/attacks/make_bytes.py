"""Attacks on the file's bytes, made without a PDF writer: whole-file rewrites by qpdf and
pikepdf (then signed), a flipped byte, text or objects after the last revision (without
xref or %%EOF), a cross-reference entry pointing beside its object, a cut-off file, and a file
that is no PDF. Loaded and re-exported by make.py."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from zvh_attacks_make_updates import RED_BOX

if TYPE_CHECKING:
    from zvh_attacks_make_signing import Forger

__all__ = [
    "byte_flipped_in_page_content",
    "byte_flipped_in_signed_range",
    "linearized",
    "not_a_pdf",
    "objects_appended_without_eof",
    "objects_appended_without_xref",
    "rewritten_by_pikepdf",
    "rewritten_by_pikepdf_then_signed",
    "rewritten_by_qpdf",
    "rewritten_by_qpdf_then_signed",
    "text_appended_after_last_revision",
    "truncated",
    "truncated_inside_last_revision",
    "validation_data_misplaced",
]


# ------------------------------------------------------------- rewritten by other tools


def rewritten_by_qpdf_then_signed(approved: bytes, forger: Forger) -> bytes:
    """The approved copy is rewritten by qpdf (same content, new bytes), then signed."""
    return forger.sign(rewritten_by_qpdf(approved))


def rewritten_by_qpdf(data: bytes) -> bytes:
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is needed for this fixture"
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d, "in.pdf"), Path(d, "out.pdf")
        src.write_bytes(data)
        subprocess.run([qpdf, str(src), str(dst)], check=True)
        return dst.read_bytes()


def rewritten_by_pikepdf_then_signed(approved: bytes, forger: Forger) -> bytes:
    """The approved copy is re-saved by pikepdf, then signed."""
    return forger.sign(rewritten_by_pikepdf(approved))


def rewritten_by_pikepdf(data: bytes) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out)
    return out.getvalue()


def linearized(data: bytes) -> bytes:
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is needed for this fixture"
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d, "in.pdf"), Path(d, "out.pdf")
        src.write_bytes(data)
        subprocess.run([qpdf, "--linearize", str(src), str(dst)], check=True)
        return dst.read_bytes()


# --------------------------------------------------------------------- one byte flipped


def byte_flipped_in_signed_range(signed: bytes) -> bytes:
    """One digit of the last partner signature's /M date changed (inside its signed range)."""
    m = None
    for m in re.finditer(rb"/M \(D\\072(\d)", signed):
        pass
    assert m is not None, "no signing time found"
    pos = m.start(1) + 5  # a digit of the date, inside the signed bytes
    flipped = bytearray(signed)
    flipped[pos] = ord("1") if flipped[pos] != ord("1") else ord("2")
    return bytes(flipped)


def byte_flipped_in_page_content(signed: bytes) -> bytes:
    """One byte inside the first page's content stream changed (covered by every signature)."""
    m = re.search(rb"stream\r?\n", signed)
    assert m is not None
    pos = m.end() + 10
    flipped = bytearray(signed)
    flipped[pos] ^= 0x01
    return bytes(flipped)


# -------------------------------------------------------- bytes after the last revision


def text_appended_after_last_revision(signed: bytes) -> bytes:
    return signed + b"\n% Deze kopie is niet geldig.\nNIET GELDIG\n"


def objects_appended_without_xref(signed: bytes) -> bytes:
    """A redefined object after the last %%EOF, with no xref: pyHanko follows the last
    startxref and skips it; readers that rebuild the xref by scanning show it."""
    return signed + b"\n4 0 obj\n<< /Type /Page >>\nendobj\n%%EOF\n"


def objects_appended_without_eof(signed: bytes) -> bytes:
    """ISA-3: a complete object redefinition appended after the last %%EOF, with no xref and
    no end-of-file marker (poppler rebuilds the xref and shows the forged page)."""
    return signed + b"\n4 0 obj\n<< /Type /Page /Contents 99 0 R >>\nendobj\n99 0 obj\n<< /Length 31 >>\nstream\n" \
        + RED_BOX[:31] + b"\nendstream\nendobj\n"


# ------------------------------------------------------------------- cut off, or no PDF


def truncated(signed: bytes) -> bytes:
    """The file cut off in the middle (an interrupted copy)."""
    return signed[: len(signed) * 2 // 3]


def truncated_inside_last_revision(signed: bytes) -> bytes:
    """The file cut off inside its last incremental update (after an earlier %%EOF)."""
    last_eof = signed.rstrip().rfind(b"%%EOF", 0, len(signed.rstrip()) - 5)
    return signed[: last_eof + 200]


def not_a_pdf() -> bytes:
    return b"Dit is geen PDF, maar een tekstbestand met de naam convenant.pdf.\n"


def validation_data_misplaced(signed: bytes) -> bytes:
    """The newest cross-reference entry of the DSS (the validation data) points one byte past
    its object (same length): its header can't be read there -- by the validation, which reads
    the DSS, whatever it is asked again."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    idnum = PdfFileReader(io.BytesIO(signed), strict=False).root.raw_get("/DSS").idnum
    entry = None
    for table in re.finditer(rb"(?m)^xref\s*\n((?:\d+ \d+\s*\n(?:\d{10} \d{5} [nf]\s{1,2})*)+)", signed):
        for sub in re.finditer(rb"(\d+) (\d+)\s*\n((?:\d{10} \d{5} [nf]\s{1,2})*)", table.group(1)):
            first, lines = int(sub.group(1)), sub.start(3) + table.start(1)
            if first <= idnum < first + int(sub.group(2)):
                entry = lines + 20 * (idnum - first)  # the newest table that lists it wins
    assert entry is not None and signed[entry + 17:entry + 18] == b"n", "the DSS in an xref table expected"
    moved = b"%010d" % (int(signed[entry:entry + 10]) + 1)
    return signed[:entry] + moved + signed[entry + 10:]
