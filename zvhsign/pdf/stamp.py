"""Stamping: mark every page and the metadata of a version with its identity.

Output is byte-for-byte reproducible: reportlab draws the overlay in invariant
mode, pikepdf saves with a deterministic /ID, no clock is read.
"""

from __future__ import annotations

import io

from ..domain.digests import Sha256
from ..domain.documents import DocumentKind, StampInfo
from ..errors import InputError, UsageError
from .fields import APPROVAL_FIELD, SLOTS_PER_PAGE, partner_field_name, partner_slot, signature_pages

XMP_NS = "https://zvhsign.nl/ns/stamp/1.0/"
XMP_PREFIX = "zvh"
DOCINFO_KEYS = {"document": "/ZVHDocumentId", "version": "/ZVHVersion", "sha": "/ZVHSourceSHA256"}


def _stamp_line(info: StampInfo, page: int, pages: int) -> str:
    return (
        f"{info.document.title} \u00b7 versie {info.version} \u00b7 "
        f"SHA-256 bron {info.source_sha256.short} \u00b7 pagina {page}/{pages}"
    )


def _overlay_pdf(info: StampInfo, sizes: list[tuple[float, float]]) -> bytes:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1)
    n = len(sizes)
    for i, (w, h) in enumerate(sizes, start=1):
        c.setPageSize((w, h))
        c.setFillColor(Color(0.25, 0.25, 0.35))
        c.setFont("Helvetica", 7)
        c.drawCentredString(w / 2, 20, _stamp_line(info, i, n))
        c.setStrokeColor(Color(0.6, 0.6, 0.7))
        c.setLineWidth(0.4)
        c.line(36, 30, w - 36, 30)
        c.showPage()
    c.save()
    return buf.getvalue()


def stamp_pdf(source, document: DocumentKind, version: str, partner_fields: int, output) -> StampInfo:
    """Write the stamped PDF for ``source`` (bytes, or a mapped file: see ``byteview``) into
    the binary file ``output``; returns the identity written into it. Neither the source
    nor the result is held in memory as a whole (a 200 MB source: benchmarks/large_file.py)."""
    import pikepdf

    from .byteview import prefix_stream, release

    if partner_fields < 1 or partner_fields > 99:
        raise UsageError("the number of partner signature fields must be between 1 and 99")
    info = StampInfo(document, version, Sha256.of(source))
    release(source)  # a mapped source's pages: qpdf reads it with pread from here on
    try:
        pdf = pikepdf.open(prefix_stream(source))
    except pikepdf.PdfError as exc:
        raise InputError(f"the source is not a readable PDF: {qpdf_text(exc)}") from None
    with pdf:
        if pdf.is_encrypted:
            raise InputError("the source PDF is encrypted; stamp an unencrypted source")
        if "/AcroForm" in pdf.Root and pdf.Root.AcroForm.get("/Fields"):
            raise InputError(
                "the source already has form fields; stamp the plain source document",
                hint="stamp the original text PDF, not a signed or stamped copy",
            )
        if DOCINFO_KEYS["document"] in pdf.docinfo:
            raise InputError("the source is already stamped")

        first_sig_page = len(pdf.pages)
        _append_signature_pages(pdf, info, partner_fields)
        sizes = []
        for page in pdf.pages:
            box = page.trimbox if "/TrimBox" in page.obj else page.mediabox
            sizes.append((float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        overlay = pikepdf.open(io.BytesIO(_overlay_pdf(info, sizes)))
        for page, over in zip(pdf.pages, overlay.pages):
            _overlay(pdf, page, over)

        _add_signature_fields(pdf, partner_fields, first_sig_page)
        _write_metadata(pdf, info)

        pdf.save(
            output,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            fix_metadata_version=False,
        )
        overlay.close()
    return info


def _overlay(pdf, page, over) -> None:
    """Like ``Page.add_overlay`` but with a fixed resource name (reproducible)."""
    import pikepdf

    formx = pdf.copy_foreign(over.as_form_xobject())
    name = page.add_resource(formx, pikepdf.Name.XObject, pikepdf.Name("/ZVHStamp"))
    box = page.trimbox if "/TrimBox" in page.obj else page.mediabox
    placement = page.calc_form_xobject_placement(formx, name, pikepdf.Rectangle(box))
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"Q\n" + placement))


def _signature_pages_pdf(info: StampInfo, partner_fields: int, w: float, h: float) -> bytes:
    """The appended "Digitale ondertekening" pages: heading, and a caption and frame per slot."""
    from reportlab.lib.colors import Color
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1, pagesize=(w, h))
    for page in range(signature_pages(partner_fields)):
        c.setFillColor(Color(0.1, 0.1, 0.2))
        c.setFont("Helvetica-Bold", 14)
        c.drawString(50, h - 62, "Digitale ondertekening")
        c.setFont("Helvetica", 9)
        c.drawString(50, h - 80, f"{info.document.title}, versie {info.version}")
        c.setFillColor(Color(0.3, 0.3, 0.4))
        c.setFont("Helvetica", 7.5)
        c.drawString(50, h - 94, "Partners ondertekenen digitaal (PAdES), elk in een eigen handtekeningveld hieronder.")
        c.drawString(50, h - 104, "Alleen een geldige digitale handtekening telt; controleer een exemplaar met: zvhsign verify")
        for index in range(page * SLOTS_PER_PAGE + 1, min(partner_fields, (page + 1) * SLOTS_PER_PAGE) + 1):
            _p, (x1, y1, x2, y2) = partner_slot(index, w, h)
            c.setFillColor(Color(0.4, 0.4, 0.5))
            c.setFont("Helvetica", 6.5)
            c.drawString(x1, y2 + 2.5, f"Handtekening {index:02d}")
            c.setStrokeColor(Color(0.75, 0.75, 0.82))
            c.setLineWidth(0.5)
            c.rect(x1, y1, x2 - x1, y2 - y1, stroke=1, fill=0)
        c.showPage()
    c.save()
    return buf.getvalue()


def _append_signature_pages(pdf, info: StampInfo, partner_fields: int) -> None:
    import pikepdf

    last = pdf.pages[-1]
    box = last.trimbox if "/TrimBox" in last.obj else last.mediabox
    w, h = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    sig = pikepdf.open(io.BytesIO(_signature_pages_pdf(info, partner_fields, w, h)))
    pdf.pages.extend(sig.pages)


def _add_signature_fields(pdf, partner_fields: int, first_sig_page: int) -> None:
    """The approval field (invisible, page 1) and the partner fields, each on its
    slot of the appended signature pages (see ``fields.py``)."""
    import pikepdf

    fields = pikepdf.Array()
    annots: dict[int, pikepdf.Array] = {}

    def add(name: str, page_index: int, rect) -> None:
        page = pdf.pages[page_index]
        widget = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String(name),
                Rect=pikepdf.Array(list(rect)),
                F=132,  # Print + Locked: not movable
                P=page.obj,
            )
        )
        fields.append(widget)
        if page_index not in annots:
            annots[page_index] = page.obj.get("/Annots", pikepdf.Array())
        annots[page_index].append(widget)

    add(APPROVAL_FIELD, 0, (0, 0, 0, 0))
    sig_box = pdf.pages[first_sig_page].mediabox
    w, h = float(sig_box[2]) - float(sig_box[0]), float(sig_box[3]) - float(sig_box[1])
    for i in range(1, partner_fields + 1):
        page_offset, rect = partner_slot(i, w, h)
        add(partner_field_name(i), first_sig_page + page_offset, rect)
    for page_index, arr in annots.items():
        pdf.pages[page_index].obj.Annots = arr
    pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=fields))


def _write_metadata(pdf, info: StampInfo) -> None:
    import pikepdf

    pikepdf.Pdf  # noqa: B018 - keep import
    from pikepdf.models.metadata import PdfMetadata

    PdfMetadata.register_xml_namespace(XMP_NS, XMP_PREFIX)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = info.document.title
        meta[f"{{{XMP_NS}}}DocumentId"] = info.document.value
        meta[f"{{{XMP_NS}}}Version"] = info.version
        meta[f"{{{XMP_NS}}}SourceSHA256"] = info.source_sha256.hex
    pdf.docinfo["/Title"] = info.document.title
    pdf.docinfo[DOCINFO_KEYS["document"]] = info.document.value
    pdf.docinfo[DOCINFO_KEYS["version"]] = info.version
    pdf.docinfo[DOCINFO_KEYS["sha"]] = info.source_sha256.hex


# ------------------------------------------------------------------ reading a stamp


def qpdf_text(exc: BaseException) -> str:
    """qpdf's message without the name it gives a Python stream (``stream <_io.BufferedReader>:``,
    ``<_io.BytesIO object at 0x…>``), on one line."""
    import re

    text = re.sub(r"(\bstream\s+)?<_io\.\w+(\s[^<>]*)?>(:\s*)?", "", str(exc))
    text = " ".join(text.split())
    return text or type(exc).__name__

XMP_MAX_BYTES = 4 * 1024 * 1024
"""The most XMP metadata zvhsign decompresses (a stamp's XMP is a few kB). A larger
stream -- e.g. a Flate bomb in an appended update -- is refused unread."""


class XmpTooLarge(ValueError):
    """The XMP metadata stream decompresses to more than the cap."""


def read_xmp_bytes(pdf, limit: int = XMP_MAX_BYTES) -> bytes | None:
    """The document's XMP metadata, decompressed at most to ``limit`` bytes.

    ``None`` when there is none. :class:`XmpTooLarge` when it would be larger;
    ``ValueError`` when it is not a plain or Flate-compressed stream. Never asks
    qpdf to decode the stream (qpdf would decompress all of it in memory)."""
    import zlib

    import pikepdf

    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return None
    if not isinstance(meta, pikepdf.Stream):
        raise ValueError("the /Metadata entry is not a stream")
    filters = meta.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = list(filters)
        if len(filters) > 1:
            raise ValueError("the XMP metadata has a chain of filters")
        filters = filters[0] if filters else None
    if meta.get("/DecodeParms") is not None and filters is not None:
        parms = meta.get("/DecodeParms")
        if isinstance(parms, pikepdf.Array):
            parms = parms[0] if len(parms) else None
        if isinstance(parms, pikepdf.Dictionary) and int(parms.get("/Predictor", 1)) > 1:
            raise ValueError("the XMP metadata uses a predictor")
    raw = meta.read_raw_bytes()  # as stored in the file: bounded by the file's size
    if filters is None:
        if len(raw) > limit:
            raise XmpTooLarge(f"the XMP metadata is larger than {limit} bytes")
        return bytes(raw)
    if filters != pikepdf.Name.FlateDecode:
        raise ValueError(f"the XMP metadata is encoded with {filters}, not FlateDecode")
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(bytes(raw), limit + 1)
    except zlib.error as exc:
        raise ValueError(f"the XMP metadata can't be decompressed: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise XmpTooLarge(f"the XMP metadata decompresses to more than {limit} bytes")
    return out


def xmp_stamp_fields(pdf, limit: int = XMP_MAX_BYTES) -> tuple[str, str, str] | None:
    """``(document id, version, source SHA-256)`` from the stamp's XMP entries (empty
    strings for missing ones), read with the decompression cap; ``None`` without XMP.
    Raises ``ValueError`` (:class:`XmpTooLarge` among them) for unreadable XMP.

    For the structure analysis as well: it compares these between revisions."""
    data = read_xmp_bytes(pdf, limit)
    if data is None:
        return None
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )
    start = data.find(b"<")
    try:
        root = etree.fromstring(data[start:] if start > 0 else data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the XMP metadata is not well-formed XML: {exc}") from None
    found: dict[str, str] = {}
    names = ("DocumentId", "Version", "SourceSHA256")
    for el in root.iter():
        for key, value in el.attrib.items():
            for n in names:
                if key == f"{{{XMP_NS}}}{n}":
                    found.setdefault(n, value)
        tag = el.tag if isinstance(el.tag, str) else ""
        for n in names:
            if tag == f"{{{XMP_NS}}}{n}":
                found.setdefault(n, (el.text or "").strip())
    return tuple(found.get(n, "") for n in names)  # type: ignore[return-value]


def read_stamp_from(data: bytes, name: str) -> StampInfo | None:
    """The stamp identity of a PDF given as bytes (``name`` for messages)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return read_stamp(pdf)
    except pikepdf.PdfError as exc:
        raise InputError(f"{name}: not a readable PDF: {qpdf_text(exc)}") from None


def read_stamp(pdf) -> StampInfo | None:
    """The stamp identity from an open pikepdf document, if stamped: the document
    info's entries, which the XMP metadata (read with a decompression cap) must not
    contradict. XMP that is too large or unreadable makes it no valid stamp."""
    di = pdf.docinfo
    try:
        doc = DocumentKind.parse(str(di[DOCINFO_KEYS["document"]]))
        info = StampInfo(doc, str(di[DOCINFO_KEYS["version"]]), Sha256(str(di[DOCINFO_KEYS["sha"]])))
    except (KeyError, ValueError):
        return None
    try:
        xmp = xmp_stamp_fields(pdf)
    except ValueError:  # XmpTooLarge, unreadable, not XML
        return None
    except Exception:  # noqa: BLE001 - a damaged stream qpdf can't read
        return None
    if xmp is not None and any(xmp):
        if xmp != (info.document.value, info.version, info.source_sha256.hex):
            return None  # the two copies of the identity disagree
    return info
