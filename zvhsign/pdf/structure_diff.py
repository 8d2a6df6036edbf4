"""What one revision changed relative to the one before: two :class:`DocModel` compared.

Each concern is a function of its own (pages, annotations, catalog and form, the stamp,
form and signature fields, signature widgets, validation data, metadata); each reports
through ``add(kind, text)``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.evidence import Change, ChangeKind
from ..domain.text import valid_text
from .structure_model import DocModel

Add = Callable[[ChangeKind, str], None]

# what a change of some catalog entries means
_CATALOG_TEXT = {
    "/Perms": "document catalog entry /Perms changed: a certification (DocMDP) signature added after "
              "the first signature, or the certification replaced (only the first signature may certify)",
}


def diff_models(a: DocModel, b: DocModel, rev: int, final: DocModel | None = None,
                metadata: bool = True) -> list[Change]:
    """What revision ``rev`` (model ``b``) changed relative to the one before (``a``).
    ``final``: the last revision's model (an empty signature field added here that a
    later revision signs is the two-step signing of some products, not an overlay);
    ``metadata``: the revision follows the last signature (metadata may not change)."""
    changes: list[Change] = []

    def add(kind: ChangeKind, text: str) -> None:  # keys and names as PDF writes their bytes
        changes.append(Change(rev, kind, valid_text(text)))

    _pages(a, b, add)
    _catalog_and_form(a, b, add)
    _existing_fields(a, b, add)
    _new_fields(a, b, final, add)
    _signature_widgets(a, b, add)
    _validation_data(a, b, add)
    if metadata:
        _metadata(a, b, add)
    return changes


def _pages(a: DocModel, b: DocModel, add: Add) -> None:
    if len(a.pages) != len(b.pages):
        add(ChangeKind.PAGES, f"page count {len(a.pages)} → {len(b.pages)}")
    for i, (pa, pb) in enumerate(zip(a.pages, b.pages), start=1):
        if pa != pb:
            keys = sorted({k for k, _ in pa} ^ {k for k, _ in pb} | {k for (k, v) in pa if (k, v) not in pb})
            add(ChangeKind.PAGE_CONTENT, f"page {i}: {', '.join(keys) or 'page dictionary'} changed")
    for i, (aa, ab) in enumerate(zip(a.annots, b.annots), start=1):
        if aa != ab:
            add(ChangeKind.ANNOTATION, f"page {i}: annotations added, removed or changed ({len(aa)} → {len(ab)})")


def _catalog_and_form(a: DocModel, b: DocModel, add: Add) -> None:
    for key in sorted(set(a.catalog) | set(b.catalog)):
        if a.catalog.get(key) != b.catalog.get(key):
            add(ChangeKind.CATALOG, _CATALOG_TEXT.get(key, f"document catalog entry {key} added, removed or changed"))
    for key in sorted(set(a.acroform) | set(b.acroform)):
        if a.acroform.get(key) != b.acroform.get(key):
            add(ChangeKind.FORM, f"form entry {key} added, removed or changed")
    if b.need_appearances and not a.need_appearances:
        add(ChangeKind.FORM, "form asks viewers to regenerate appearances (/NeedAppearances)")
    if a.stamp != b.stamp:
        add(ChangeKind.METADATA, "the stamp's document id, version or SHA-256 in the metadata changed")


def _existing_fields(a: DocModel, b: DocModel, add: Add) -> None:
    """Fields of the earlier revision: removed, changed, or signed beyond being signed."""
    for name, fa in a.fields.items():
        fb = b.fields.get(name)
        if fb is None:
            add(ChangeKind.SIGNATURE_FIELD if fa.is_sig else ChangeKind.FORM, f"field {name} removed")
        elif not fa.is_sig or not fb.is_sig:
            if fa.full != fb.full:
                add(ChangeKind.FORM, f"form field {name} changed")
        elif fa.signed:
            if fa.full != fb.full:
                add(ChangeKind.SIGNATURE_FIELD, f"signed field {name} changed after it was signed")
        elif fa.essential != fb.essential:
            add(ChangeKind.SIGNATURE_FIELD, f"signature field {name} changed beyond being signed")


def _new_fields(a: DocModel, b: DocModel, final: DocModel | None, add: Add) -> None:
    """Fields the revision added: never a form field, never an empty signature field (unless a
    later revision signs it), and under a certification never a visible signed one."""
    for name, fb in b.fields.items():
        if name in a.fields:
            continue
        if not fb.is_sig:
            add(ChangeKind.FORM, f"form field {name} added")
        elif fb.signed and fb.visible and a.docmdp in (1, 2):
            # a certified document (the approval) lets signers fill its signature fields;
            # a new visible one is an addition to the page (pyHanko and Acrobat agree)
            add(ChangeKind.SIGNATURE_FIELD,
                f"new visible signature field {name} added to a certified document "
                "(only its existing signature fields may be signed visibly)")
        elif not fb.signed and not _signed_later(name, final):
            overlay = " (visible: a possible overlay)" if fb.visible else ""
            add(ChangeKind.SIGNATURE_FIELD, f"empty signature field {name} added{overlay}")


def _signed_later(name: str, final: DocModel | None) -> bool:
    """A later revision signs the field (that signature covers this revision)."""
    later = final.fields.get(name) if final is not None else None
    return later is not None and later.is_sig and later.signed


_NO_WIDGETS: tuple = ((), ())


def _signature_widgets(a: DocModel, b: DocModel, add: Add) -> None:
    """Signature widgets on the pages: one of a signed field never changes, one of an empty
    field changes only by being signed, and each belongs to a known signature field."""
    for i, (wa, wb) in enumerate(zip(a.sig_widgets, b.sig_widgets), start=1):
        for name in sorted(set(wa) | set(wb)):
            before, after = wa.get(name), wb.get(name)
            fa = a.fields.get(name)
            if after is not None and name not in b.fields:
                add(ChangeKind.ANNOTATION, f"page {i}: signature widget {name} outside the form")
            elif fa is None:
                continue
            elif fa.signed and before != after:
                add(ChangeKind.SIGNATURE_FIELD,
                    f"page {i}: a widget of signed field {name} added, removed or changed after it was signed")
            elif not fa.signed and (before or _NO_WIDGETS)[1] != (after or _NO_WIDGETS)[1]:
                add(ChangeKind.SIGNATURE_FIELD,
                    f"page {i}: a widget of signature field {name} added, removed or moved beyond being signed")


def _validation_data(a: DocModel, b: DocModel, add: Add) -> None:
    """Validation data may be added, never removed or replaced."""
    if a.has_dss and not b.has_dss:
        add(ChangeKind.VALIDATION_DATA, "the document security store (/DSS) was removed")
    elif a.dss - b.dss:
        gone = a.dss - b.dss
        what = ", ".join(sorted({k.strip("/") for k, _ in gone}))
        add(ChangeKind.VALIDATION_DATA, f"{len(gone)} item(s) of validation data removed from the DSS ({what})")


def _metadata(a: DocModel, b: DocModel, add: Add) -> None:
    """An update after the last signature (that no signature covers) may not change the
    metadata -- unless it signs itself."""
    signs = any(f.is_sig and f.signed and not (name in a.fields and a.fields[name].signed)
                for name, f in b.fields.items())
    if signs:
        return
    if a.docinfo != b.docinfo:
        keys = sorted({k for k, _ in set(a.docinfo) ^ set(b.docinfo)})
        add(ChangeKind.DOCUMENT_METADATA,
            f"document info {', '.join(keys)} changed in an update that adds no signature")
    if a.xmp != b.xmp:
        paths = sorted({p.rsplit("}", 1)[-1] for p, _ in set(a.xmp) ^ set(b.xmp)})
        add(ChangeKind.DOCUMENT_METADATA,
            f"XMP metadata ({', '.join(paths[:5])}) changed in an update that adds no signature")
