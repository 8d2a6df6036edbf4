"""Where a file's revisions end, what follows the last one, and opening it with pyHanko.

Revision boundaries and trailing data are zvhsign's own (not a library's view): a
linearized file is one revision, bytes after the last complete revision are trailing
data (a finding), an update cut off in the middle is a truncated file (exit 3), a
revision nested beyond zvhsign's bound is not read (:mod:`.bounds`), and readers that
may disagree about the file are noted (:mod:`.xrefcheck`).
"""

from __future__ import annotations

import re

from ..errors import DamagedFileError, InputError
from . import speedups
from .byteview import prefix, prefix_stream
from .plaintext import plain_text

_EOF = re.compile(rb"%%EOF[ \t\x00]*(?:\r\n|\r|\n)?")
_PARTIAL_REVISION = re.compile(rb"\bobj\b|\bendobj\b|\bxref\b|\btrailer\b|\bstartxref\b")


def revision_ends(data: bytes, reader) -> list[int]:
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
            raise DamagedFileError("a revision has no end-of-file marker: the file is truncated or damaged")
        ends.append(m.end())
    return ends


_COMPLETE_END = re.compile(rb"startxref\s+\d+\s*%%EOF[ \t\x00]*(?:\r\n|\r|\n)?")


def _complete_ends(data: bytes) -> list[int]:
    """Offsets just after each ``startxref N %%EOF`` (a complete revision's end), last first."""
    return [m.end() for m in _COMPLETE_END.finditer(data)][::-1]


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_OBJECT_END = re.compile(rb"(?:\bendobj|%%EOF|>>)[\s\x00]*$")


def trailing_kind(rest: bytes, file_size: int | None = None) -> str | None:
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


def open_reader(data: bytes):
    """Parse the complete part of ``data``; return (reader, end of the complete part,
    notes on structural oddities).

    The complete part ends at the last ``startxref … %%EOF`` that yields a parseable
    file. Bytes after it are *trailing data* (a finding: other readers may show what
    no signature covers), unless they are an update cut off in the middle
    (truncation: the file can't be judged).
    """
    from pyhanko.pdf_utils.misc import PdfError

    from .bounds import first_too_deep, nesting_message

    head = data[:1024]
    if b"%PDF-" not in head:
        raise DamagedFileError("not a PDF file (no %PDF header)")
    ends = _complete_ends(data)
    if not ends:
        raise DamagedFileError("the PDF has no complete revision (no startxref/%%EOF): it is truncated")
    bounds: list[str] = []
    deep = first_too_deep(data)
    if deep is not None:  # only what comes before it is read
        ends = [e for e in ends if e <= deep]
        if not ends:
            raise DamagedFileError(nesting_message(f"the file's first revision (at byte {deep})").replace(
                "it was not examined", "the file can't be examined"))
        bounds.append(nesting_message(f"the update after byte {ends[0]} (at byte {deep})"))
    if trailing_kind(data[ends[0]:], len(data)) == "truncated":
        raise DamagedFileError(
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
                reader = speedups.reader(prefix_stream(data, end), strict=strict)
                if reader.encrypted:
                    raise DamagedFileError("the PDF is encrypted; zvhsign verifies unencrypted copies only")
                reader.root  # noqa: B018 - force parsing the catalog
                notes = _reader_disagreements(reader, prefix(data, end), strict, strict_error)
                if reader.xrefs.hybrid_xrefs_present and strict:
                    # pyHanko validates hybrid-reference files only when lenient
                    reader = speedups.reader(prefix_stream(data, end), strict=False)
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
        raise DamagedFileError(nesting_message("the file").replace("it was not examined", "it can't be examined"))
    raise DamagedFileError(f"the PDF can't be parsed (truncated or damaged): {plain_text(first_error)}") from None


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
