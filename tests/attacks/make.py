"""Generator of attacked copies, made at test time from real copies signed with the test PKI.

Every function takes the bytes of a real PDF (an approved or signed copy) and
returns the bytes of an attacked copy; the ones that sign do so with a
:class:`Forger`, who holds a real test key and signs with pyHanko directly --
bypassing the checks ``zvhsign sign`` makes, as an attacker would.

The function name says what the attack is; the tests name their fixtures after it.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

RED_BOX = b"q 1 0 0 rg 72 600 450 60 re f Q\n"  # a visible change on the page


# ---------------------------------------------------------------------------- signing


class Forger:
    """Signs with a real key of the test PKI into a given writer, with no checks."""

    def __init__(self, ws, passphrase, p12: Callable[[str], Path]):
        self.ws = ws
        self.passphrase = passphrase
        self.p12 = p12

    def sign(
        self,
        data: bytes,
        label: str = "om",
        *,
        prepare: Callable | None = None,
        field_name: str | None = None,
        level: str = "B-T",
        certify: bool = False,
        box: tuple | None = None,
    ) -> bytes:
        """Sign ``data`` as ``label``; ``prepare(writer)`` may change the document in
        the same incremental update before the signature is added."""
        return asyncio.run(self._sign(data, label, prepare, field_name, level, certify, box))

    async def _sign(self, data, label, prepare, field_name, level, certify, box=None):
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

        from zvhsign.pdf.signing import free_signature_fields
        from zvhsign.services.keys import KeySource
        from zvhsign.services.runtime import open_runtime

        signer = KeySource(pkcs12=self.p12(label), passphrase=self.passphrase).load()
        if field_name is None:
            free = [n for n in free_signature_fields(data) if n.startswith("ZVH_Handtekening_")]
            field_name = free[0] if free else "Extra_Signature"
        async with open_runtime(self.ws) as rt:
            lta = level == "B-LTA"
            meta = PdfSignatureMetadata(
                field_name=field_name,
                md_algorithm="sha256",
                subfilter=SigSeedSubFilter.PADES,
                certify=certify,
                docmdp_permissions=MDPPerm.FILL_FORMS,
                embed_validation_info=lta,
                use_pades_lta=lta,
                validation_context=rt.env.validation_context(for_signing=True) if lta else None,
            )
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
            if prepare is not None:
                prepare(writer)
            timestamper = rt.env.timestamper if level != "B-B" else None
            out = io.BytesIO()
            new_field = SigFieldSpec(field_name, box=box, on_page=-1) if box else None

            class UncheckedSigner(PdfSigner):
                """An attacker's signer: no refusal to certify a document that is already
                signed or certified (pyHanko's own writer refuses; other tools don't)."""

                def _enforce_certification_constraints(self, reader):
                    return None

            await UncheckedSigner(meta, signer, timestamper=timestamper, new_field_spec=new_field).async_sign_pdf(
                writer, output=out
            )
            return out.getvalue()


    def timestamp(self, data: bytes) -> bytes:
        """Add a document timestamp (with validation data), as a B-LTA renewal does."""
        return asyncio.run(self._timestamp(data))

    async def _timestamp(self, data):
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

        from zvhsign.services.runtime import open_runtime

        async with open_runtime(self.ws) as rt:
            out = io.BytesIO()
            await PdfTimeStamper(rt.env.timestamper).async_timestamp_pdf(
                IncrementalPdfFileWriter(io.BytesIO(data)), "sha256",
                validation_context=rt.env.validation_context(for_signing=True), output=out,
            )
            return out.getvalue()

    def add_validation_data(self, data: bytes) -> bytes:
        """Add fresh revocation data for the partner signature to the DSS (an LTV update)."""
        return asyncio.run(self._add_validation_data(data))

    async def _add_validation_data(self, data):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.dss import async_add_validation_info

        from zvhsign.services.runtime import open_runtime

        async with open_runtime(self.ws) as rt:
            reader = PdfFileReader(io.BytesIO(data))
            sig = reader.embedded_regular_signatures[-1]
            out = io.BytesIO()
            await async_add_validation_info(
                sig, rt.env.validation_context(for_signing=True), output=out, force_write=True
            )
            return out.getvalue()


# ------------------------------------------------------------------ document changes


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


# --------------------------------------------------------------------- the attacks


def edited_after_approval_then_signed(approved: bytes, forger: Forger) -> bytes:
    """The approved copy gets a page-content update, then a partner signs the result."""
    return forger.sign(incremental(approved, draw_on_page))


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


def content_changed_in_signing_update(approved: bytes, forger: Forger) -> bytes:
    """The signer's own update changes a page's content as well as adding the signature."""
    return forger.sign(approved, prepare=draw_on_page)


def annotation_added_in_signing_update(approved: bytes, forger: Forger) -> bytes:
    return forger.sign(approved, prepare=add_annotation)


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


def text_appended_after_last_revision(signed: bytes) -> bytes:
    return signed + b"\n% Deze kopie is niet geldig.\nNIET GELDIG\n"


def objects_appended_without_xref(signed: bytes) -> bytes:
    """A redefined object after the last %%EOF, with no xref: pyHanko follows the last
    startxref and skips it; readers that rebuild the xref by scanning show it."""
    return signed + b"\n4 0 obj\n<< /Type /Page >>\nendobj\n%%EOF\n"


def annotation_added_after_signing(signed: bytes) -> bytes:
    return incremental(signed, add_annotation)


def content_changed_after_signing(signed: bytes) -> bytes:
    return incremental(signed, draw_on_page)


def truncated(signed: bytes) -> bytes:
    """The file cut off in the middle (an interrupted copy)."""
    return signed[: len(signed) * 2 // 3]


def truncated_inside_last_revision(signed: bytes) -> bytes:
    """The file cut off inside its last incremental update (after an earlier %%EOF)."""
    last_eof = signed.rstrip().rfind(b"%%EOF", 0, len(signed.rstrip()) - 5)
    return signed[: last_eof + 200]


# ----------------------------------------------- issue 4: more attack classes

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


def empty_visible_signature_field_added(signed: bytes) -> bytes:
    """Overlay through an unsigned signature field with a visible appearance."""
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    return incremental(
        signed,
        lambda w: append_signature_field(w, SigFieldSpec("Overlay", box=(72, 600, 522, 660))),
    )


def signature_field_enlarged_in_signing_update(approved: bytes, forger: Forger) -> bytes:
    """The signer's update also gives the pre-created invisible field a large /Rect."""
    from pyhanko.pdf_utils import generic

    def prepare(w):
        for ref in w.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if str(field.get("/T")) == "ZVH_Handtekening_01":
                field["/Rect"] = generic.ArrayObject(
                    [generic.FloatObject(v) for v in (72, 600, 522, 660)]
                )
                w.mark_update(ref.reference if hasattr(ref, "reference") else ref)

    return forger.sign(approved, prepare=prepare)


def _last_sig_dict_span(data: bytes) -> tuple[int, int]:
    m = None
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        pass
    assert m is not None
    return m.start(), m.end()


def _partner_contents_span(data: bytes) -> tuple[int, int]:
    """Offsets of the hex string /Contents <…> of the partner signature (the first
    signature after the approval), from its /ByteRange."""
    _, a, b, _ = (int(x) for x in _byte_ranges(data)[_partner_index(data)].groups())
    return a, b


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


def signature_removed_from_field(signed: bytes) -> bytes:
    """The partner's field emptied again in a later update (signature 'removed')."""

    def change(w):
        for ref in w.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if str(field.get("/T")) == "ZVH_Handtekening_01":
                del field["/V"]
                w.mark_update(ref.reference if hasattr(ref, "reference") else ref)

    return incremental(signed, change)


def not_a_pdf() -> bytes:
    return b"Dit is geen PDF, maar een tekstbestand met de naam convenant.pdf.\n"


# ------------------------------------- issue 11: zvhsign's own analysis names every class


def _fields(writer):
    return [ref.get_object() for ref in writer.root["/AcroForm"]["/Fields"]]


def _ref(obj):
    return obj.reference if hasattr(obj, "reference") else obj


def _text_field(writer, name: str, value: str | None, rect=(72, 600, 522, 660), page_ix: int = 0):
    """A text field with a visible widget on a page (its value shown in its appearance)."""
    from pyhanko.pdf_utils import generic

    ap = writer.add_object(generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (0, 0, rect[2] - rect[0], rect[3] - rect[1])]),
        },
        stream_data=RED_BOX if value else b"",
    ))
    page_ref, _ = writer.find_page_for_modification(page_ix)
    field = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
        generic.NameObject("/FT"): generic.NameObject("/Tx"),
        generic.NameObject("/T"): generic.TextStringObject(name),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
        generic.NameObject("/F"): generic.NumberObject(4),
        generic.NameObject("/P"): page_ref,
        generic.NameObject("/AP"): generic.DictionaryObject({generic.NameObject("/N"): ap}),
    })
    if value is not None:
        field[generic.NameObject("/V")] = generic.TextStringObject(value)
    ref = writer.add_object(field)
    writer.register_annotation(page_ref, ref)
    writer.root["/AcroForm"]["/Fields"].append(ref)
    writer.update_container(writer.root["/AcroForm"]["/Fields"])
    return ref


def with_empty_text_field(data: bytes) -> bytes:
    """An (unsigned) document with an empty text field: the base of a form-filling attack."""
    return incremental(data, lambda w: _text_field(w, "Opmerking", None))


def form_field_filled_after_signing(signed: bytes) -> bytes:
    """Shadow 'replace' through a form: a text field that was empty when signed gets a
    value (and an appearance over page 1) in a later, unsigned update."""

    def change_by_ref(w):
        from pyhanko.pdf_utils import generic as g

        for ref in w.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if str(field.get("/T")) == "Opmerking":
                field["/V"] = g.TextStringObject("NIET GELDIG")
                ap = w.add_object(g.StreamObject(stream_data=RED_BOX))
                field["/AP"] = g.DictionaryObject({g.NameObject("/N"): ap})
                w.mark_update(_ref(ref))

    return incremental(signed, change_by_ref)


def form_field_added_after_signing(signed: bytes) -> bytes:
    """Form overlay: a new text field with a value and a visible appearance over page 1."""
    return incremental(signed, lambda w: _text_field(w, "Overlay", "NIET GELDIG"))


def widget_added_to_signed_field(signed: bytes) -> bytes:
    """A second widget for the partner's signed field, with a forged appearance over page 1
    (hangs off the field through /Parent only: the field itself is untouched)."""
    from pyhanko.pdf_utils import generic

    def change(w):
        fields = w.root["/AcroForm"]["/Fields"]
        target = next(fields.raw_get(i) for i in range(len(fields))
                      if str(fields[i].get("/T")) == "ZVH_Handtekening_01")
        ap = w.add_object(generic.StreamObject(
            {generic.NameObject("/Type"): generic.NameObject("/XObject"),
             generic.NameObject("/Subtype"): generic.NameObject("/Form"),
             generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 450, 60)])},
            stream_data=RED_BOX))
        page_ref, _ = w.find_page_for_modification(0)
        widget = w.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/Parent"): target,
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (72, 600, 522, 660)]),
            generic.NameObject("/F"): generic.NumberObject(4),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/AP"): generic.DictionaryObject({generic.NameObject("/N"): ap}),
        }))
        w.register_annotation(page_ref, widget)

    return incremental(signed, change)


def empty_invisible_signature_field_added(signed: bytes) -> bytes:
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    return incremental(signed, lambda w: append_signature_field(w, SigFieldSpec("Leeg")))


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


def _patch_partner_sig_dict(signed: bytes, replace: Callable[[bytes], bytes]) -> bytes:
    """Rewrite the partner signature's /ByteRange array in place, keeping its length."""
    m = _byte_ranges(signed)[_partner_index(signed)]
    new = replace(m.group(0))
    assert len(new) <= len(m.group(0))
    new = new.ljust(len(m.group(0)))
    return signed[: m.start()] + new + signed[m.end():]


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


def objects_appended_without_eof(signed: bytes) -> bytes:
    """ISA-3: a complete object redefinition appended after the last %%EOF, with no xref and
    no end-of-file marker (poppler rebuilds the xref and shows the forged page)."""
    return signed + b"\n4 0 obj\n<< /Type /Page /Contents 99 0 R >>\nendobj\n99 0 obj\n<< /Length 31 >>\nstream\n" \
        + RED_BOX[:31] + b"\nendstream\nendobj\n"


def linearized(data: bytes) -> bytes:
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is needed for this fixture"
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d, "in.pdf"), Path(d, "out.pdf")
        src.write_bytes(data)
        subprocess.run([qpdf, "--linearize", str(src), str(dst)], check=True)
        return dst.read_bytes()


def new_visible_signature_field_signed(approved: bytes, forger: Forger) -> bytes:
    """What Acrobat does when a user draws a signature field: a new, visible field on the
    last page, created and signed in one update."""
    return forger.sign(approved, "om", field_name="Getekend_in_Acrobat", box=(72, 100, 272, 160))


# ----------------------------------------------- the re-certified copy (issue 11)


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


# ------------------------------- re-certified copies: the approval check passes (issue 11)


def recertify(data: bytes, forger: Forger) -> bytes:
    """A second certification signature (DocMDP) by the secretariat's own key, in a field of
    its own: registered as an approved version, the copy passes the approval check, so an
    attack on it is caught by integrity findings alone."""
    return forger.sign(data, "secretariaat", field_name="ZVH_Herbevestiging", certify=True)


def register_approved(ws, data: bytes, version: str, forger: Forger, label: str = "secretariaat") -> None:
    """Register ``data`` as approved ``version`` of the document its stamp names, through the
    registry API ``approve`` uses -- superseding nothing, so every such version stays current."""
    from datetime import date, datetime, timezone

    from zvhsign.domain.digests import Sha256
    from zvhsign.domain.documents import ApprovedVersion
    from zvhsign.pdf.certinfo import certificate_info
    from zvhsign.pdf.stamp import read_stamp_from
    from zvhsign.registry import current_os_user
    from zvhsign.services.keys import KeySource
    from zvhsign.services.registry_access import open_registry

    info = read_stamp_from(data, "re-certified copy")
    assert info is not None, "the re-certified copy has no stamp"
    cert = certificate_info(KeySource(pkcs12=forger.p12(label), passphrase=forger.passphrase).load().signing_cert)
    av = ApprovedVersion(
        document=info.document, version=version, source_sha256=info.source_sha256,
        approved_sha256=Sha256.of(data), approved_size=len(data), decided_on=date(2026, 11, 2),
        approved_at=datetime.now(timezone.utc), approver_fingerprint=cert.fingerprint_sha256,
    )
    open_registry(ws).add_approved_version(
        av, data, actor=current_os_user(), actor_certificate=cert.fingerprint_sha256, supersede_older=False
    )
