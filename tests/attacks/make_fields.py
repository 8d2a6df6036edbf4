"""Attacks through form fields and signature fields: fields and widgets added or filled
over page 1 after signing (form overlays, shadow 'replace' through a form), signature
fields added, emptied or enlarged, and a new visible field signed as Acrobat makes it.
Loaded and re-exported by make.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zvh_attacks_make_updates import RED_BOX, incremental

if TYPE_CHECKING:
    from zvh_attacks_make_signing import Forger

__all__ = [
    "empty_invisible_signature_field_added",
    "empty_visible_signature_field_added",
    "form_field_added_after_signing",
    "form_field_filled_after_signing",
    "new_visible_signature_field_signed",
    "signature_field_enlarged_in_signing_update",
    "signature_removed_from_field",
    "widget_added_to_signed_field",
    "with_empty_text_field",
]


# --------------------------------------------------------------------- signature fields


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


def signature_removed_from_field(signed: bytes) -> bytes:
    """The partner's field emptied again in a later update (signature 'removed')."""

    def change(w):
        for ref in w.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if str(field.get("/T")) == "ZVH_Handtekening_01":
                del field["/V"]
                w.mark_update(ref.reference if hasattr(ref, "reference") else ref)

    return incremental(signed, change)


def new_visible_signature_field_signed(approved: bytes, forger: Forger) -> bytes:
    """What Acrobat does when a user draws a signature field: a new, visible field on the
    last page, created and signed in one update."""
    return forger.sign(approved, "om", field_name="Getekend_in_Acrobat", box=(72, 100, 272, 160))


# --------------------------------------------------- form fields and widgets (issue 11)


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
