"""When do readers of a file's cross-reference sections disagree? (MALFORMED_REVISION)

Two shapes the PDF standard allows are not malformed by themselves:

* **Hybrid-reference files** (ISO 32000-1 §7.5.8.4; Microsoft Word writes them): a
  classic xref table with an ``/XRefStm`` for the objects in object streams. Readers
  disagree only where the table and the stream of one section both list an object
  in use, at different places (a PDF 1.4 reader and a PDF 1.5 reader then read
  different objects) -- that is reported.
* **An update that reuses the object number of an earlier cross-reference stream**
  (iText does): the standard allows it; pyHanko's strict reader refuses it ("stricter
  than the spec", in its own words). Not reported when that is the strict reader's
  objection and qpdf, the second parser, reads every object of the same bytes without
  recovery and without a warning.

Anything else that parses only leniently stays MALFORMED_REVISION.
"""

from __future__ import annotations

from .byteview import prefix_stream


def _sections(reader) -> list:
    try:
        return list(reader.xrefs._xref_sections)  # chronological; pyHanko's internal API
    except Exception:
        return []


def hybrid_conflicts(reader) -> list[int]:
    """Object numbers that a hybrid section's xref table and its cross-reference stream
    both list in use, at different places."""
    out: list[int] = []
    for section in _sections(reader):
        data = section.xref_data
        if data.hybrid is None:
            continue
        stream = data.hybrid.xref_data
        for idnum, where in data.standard_xrefs.items():
            if idnum in stream.xrefs_in_objstm or stream.standard_xrefs.get(idnum, where) != where:
                out.append(idnum)
    return sorted(set(out))


def xref_stream_reused(reader) -> bool:
    """A later update redefines the object number of an earlier cross-reference stream."""
    sections = _sections(reader)
    for i, section in enumerate(sections):
        ref = section.meta_info.stream_ref
        if ref is None:
            continue
        if any((ref.idnum, ref.generation) in later.xref_data.explicit_refs_in_revision
               for later in sections[i + 1:]):
            return True
    return False


def qpdf_reads_cleanly(prefix: bytes) -> bool:
    """qpdf opens ``prefix`` without reconstructing its cross-reference table and resolves
    every object without a warning."""
    import pikepdf

    try:
        with pikepdf.open(prefix_stream(prefix), attempt_recovery=False, suppress_warnings=True) as pdf:
            for _ in pdf.objects:
                pass
            pdf.Root  # noqa: B018
            return not pdf.get_warnings()
    except Exception:
        return False


def only_stricter_than_standard(reader, prefix: bytes) -> bool:
    """The strict reader's objection to ``prefix`` (parsed leniently by ``reader``) is
    pyHanko's own rule against reusing a cross-reference stream's object number, and the
    second parser reads the bytes cleanly: no disagreement between readers."""
    return xref_stream_reused(reader) and qpdf_reads_cleanly(prefix)
