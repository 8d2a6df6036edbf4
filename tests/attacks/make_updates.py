"""Attacks made by a PDF writer in an incremental update, unsigned after the last signature
or in the signer's own update: page content, annotations, pages, fonts and the catalog
changed (shadow attacks among them), the DSS, document info and XMP metadata changed, and
the re-certified copy. The writer helpers the other attack modules share are here too.
Loaded and re-exported by make.py."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zvh_attacks_make_signing import Forger

__all__ = [
    "RED_BOX",
    "add_annotation",
    "annotation_added_after_signing",
    "annotation_added_in_signing_update",
    "content_changed_after_signing",
    "content_changed_in_signing_update",
    "document_info_changed_after_signing",
    "draw_on_page",
    "dss_emptied_after_signing",
    "dss_removed_after_signing",
    "edited_after_approval_then_signed",
    "font_replaced_after_signing",
    "incremental",
    "open_action_added_after_signing",
    "page_added_after_signing",
    "page_content_replaced_via_xref",
    "recertified_after_signing",
    "recertified_with_content_change",
    "xmp_title_changed_after_signing",
]

RED_BOX = b"q 1 0 0 rg 72 600 450 60 re f Q\n"  # a visible change on the page


# --------------------------------------------------------------------- document changes


def draw_on_page(writer, page_ix: int = 0, content: bytes = RED_BOX) -> None:
    """Add a content stream to a page (in the writer's current update)."""
    from pyhanko.pdf_utils import generic

    ref = writer.add_object(generic.StreamObject(stream_data=content))
    writer.add_stream_to_page(page_ix, ref)


def add_annotation(writer, page_ix: int = 0) -> None:
    """Add a visible square annotation with its own appearance to a page."""
    from pyhanko.pdf_utils import generic

    ap = writer.add_object(
        generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (0, 0, 200, 40)]
                ),
            },
            stream_data=b"1 0 0 rg 0 0 200 40 re f",
        )
    )
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Square"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (72, 600, 272, 640)]
            ),
            generic.NameObject("/F"): generic.NumberObject(4),
            generic.NameObject("/Contents"): generic.TextStringObject("NIET GELDIG"),
            generic.NameObject("/AP"): generic.DictionaryObject({generic.NameObject("/N"): ap}),
        }
    )
    annot_ref = writer.add_object(annot)
    page_ref, _ = writer.find_page_for_modification(page_ix)
    writer.register_annotation(page_ref, annot_ref)


def incremental(data: bytes, change: Callable) -> bytes:
    """Apply ``change(writer)`` in a new incremental update (no signature)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- in the signing update


def edited_after_approval_then_signed(approved: bytes, forger: Forger) -> bytes:
    """The approved copy gets a page-content update, then a partner signs the result."""
    return forger.sign(incremental(approved, draw_on_page))


def content_changed_in_signing_update(approved: bytes, forger: Forger) -> bytes:
    """The signer's own update changes a page's content as well as adding the signature."""
    return forger.sign(approved, prepare=draw_on_page)


def annotation_added_in_signing_update(approved: bytes, forger: Forger) -> bytes:
    return forger.sign(approved, prepare=add_annotation)


# ------------------------------------------------------------------------ after signing


def annotation_added_after_signing(signed: bytes) -> bytes:
    return incremental(signed, add_annotation)


def content_changed_after_signing(signed: bytes) -> bytes:
    return incremental(signed, draw_on_page)


# --------------------------------------------------------- issue 4: more attack classes


def _first_page(writer):
    return writer.root["/Pages"]["/Kids"][0].get_object()


def _replace_object(writer, ref, new_obj) -> None:
    """Redefine an existing object number in the writer's update (the xref now points
    at the new definition: the 'replace' of shadow attacks)."""
    writer.objects[(ref.generation, ref.idnum)] = new_obj


def page_added_after_signing(signed: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject

    def change(w):
        content = w.add_object(generic.StreamObject(stream_data=RED_BOX))
        box = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)])
        w.insert_page(PageObject(contents=content, media_box=box))

    return incremental(signed, change)


def open_action_added_after_signing(signed: bytes) -> bytes:
    """A catalog change: JavaScript run when the document opens."""
    from pyhanko.pdf_utils import generic

    def change(w):
        w.root["/OpenAction"] = generic.DictionaryObject({
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert('NIET GELDIG')"),
        })
        w.update_root()

    return incremental(signed, change)


def page_content_replaced_via_xref(signed: bytes) -> bytes:
    """Shadow 'replace': the page's existing content stream object is redefined in a
    later update (same object number, new bytes) -- no new object, no new page entry."""
    from pyhanko.pdf_utils import generic

    def change(w):
        contents = _first_page(w).raw_get("/Contents")
        if isinstance(contents, generic.IndirectObject):
            target = contents.get_object()
            if isinstance(target, generic.ArrayObject):
                contents = target
        ref = contents.raw_get(0) if isinstance(contents, generic.ArrayObject) else contents
        ref = ref.reference
        _replace_object(w, ref, generic.StreamObject(stream_data=RED_BOX))

    return incremental(signed, change)


def font_replaced_after_signing(signed: bytes) -> bytes:
    """Shadow attack via fonts: a font the page uses is redefined (other glyphs)."""
    from pyhanko.pdf_utils import generic

    def change(w):
        fonts = _first_page(w)["/Resources"]["/Font"]
        name = min(fonts.keys())
        ref = fonts.raw_get(name)
        ref = ref.reference if hasattr(ref, "reference") else ref
        _replace_object(w, ref, generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/ZapfDingbats"),
        }))

    return incremental(signed, change)


# ------------------------------------------------------- issue 11: metadata and the DSS


def dss_removed_after_signing(signed: bytes) -> bytes:
    def change(w):
        del w.root["/DSS"]
        w.update_root()

    return incremental(signed, change)


def dss_emptied_after_signing(signed: bytes) -> bytes:
    from pyhanko.pdf_utils import generic

    def change(w):
        dss = w.root["/DSS"]
        for key in ("/Certs", "/OCSPs", "/CRLs"):
            if key in dss:
                dss[key] = generic.ArrayObject()
        w.update_container(dss)

    return incremental(signed, change)


def document_info_changed_after_signing(signed: bytes) -> bytes:
    """An unsigned trailing update changes the document's /Title."""
    from pyhanko.pdf_utils import generic

    def change(w):
        info = w.trailer["/Info"]
        info[generic.NameObject("/Title")] = generic.TextStringObject("Convenant (NIET GELDIG)")
        w.mark_update(w.trailer.raw_get("/Info"))

    return incremental(signed, change)


def xmp_title_changed_after_signing(signed: bytes) -> bytes:
    """An unsigned trailing update rewrites the XMP dc:title (the stamp's entries kept)."""
    from pyhanko.pdf_utils import generic

    def change(w):
        meta = w.root["/Metadata"]
        xml = meta.data
        new = re.sub(rb"(<dc:title[^>]*>.*?<rdf:li[^>]*>)([^<]*)", rb"\1Convenant (NIET GELDIG)", xml, flags=re.S)
        assert new != xml, "no dc:title in the XMP"
        from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream

        ref = w.add_object(MetadataStream(
            {generic.NameObject("/Type"): generic.NameObject("/Metadata"),
             generic.NameObject("/Subtype"): generic.NameObject("/XML")}, stream_data=new))
        w.root["/Metadata"] = ref
        w.update_root()

    return incremental(signed, change)


# ----------------------------------------------------- the re-certified copy (issue 11)


def recertified_after_signing(signed: bytes, forger: Forger) -> bytes:
    """A new certification signature (DocMDP) appended after the approved version and the
    partner's signature, by another key: it claims to be the document's author signature,
    in a field of its own (pyHanko's writer refuses this; an attacker's tool doesn't)."""
    return forger.sign(signed, "untrusted-signer", field_name="Herbevestiging", certify=True)


def recertified_with_content_change(signed: bytes, forger: Forger) -> bytes:
    """The re-certification changes page 1 in the same update: a certification by a partner
    key over an edited copy."""
    return forger.sign(signed, "om", field_name="Herbevestiging", certify=True,
                       prepare=lambda w: draw_on_page(w))
