"""Revision-by-revision structure analysis, independent of pyHanko's diff analysis.

Each revision after the approved one is opened on its own (the byte prefix
ending at that revision) with pikepdf/qpdf -- a second parser -- and reduced to
a canonical model of everything a reader renders or acts on: pages (content,
resources, boxes), annotations, form fields, catalog entries, the stamp
metadata. Two consecutive models may differ only by:

* signature fields that were empty becoming signed (value, appearance);
* new signature fields that are signed in the same revision;
* validation data (/DSS), extensions (/Extensions), and document info or XMP
  entries other than the stamp's.

Anything else is reported as a :class:`~zvhsign.domain.evidence.Change`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from ..domain.evidence import Change, ChangeKind

# catalog entries a signing revision may add or change
_CATALOG_ALLOWED = {"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/Pages"}
# AcroForm entries a signing revision may change (besides /Fields)
_ACROFORM_ALLOWED = {"/Fields", "/SigFlags", "/DR", "/DA"}
# keys never followed while canonicalising (back pointers)
_SKIP_KEYS = {"/Parent", "/P"}
# signature-field keys a signer sets while signing an empty field
# (/Rect is not among them: moving or enlarging a field's widget while signing
# would let the signature's appearance cover the page -- an overlay)
_SIGNING_KEYS = {"/V", "/AP", "/MK", "/DA", "/F", "/Lock", "/SV"}


class _Canon:
    """Canonical, hashable form of pikepdf objects, memoised per document."""

    def __init__(self) -> None:
        self.memo: dict = {}

    def __call__(self, obj, stack: frozenset = frozenset()):
        import pikepdf

        og = obj.objgen if isinstance(obj, pikepdf.Object) else (0, 0)
        if og != (0, 0):
            if og in self.memo:
                return self.memo[og]
            if og in stack:
                return ("cycle",)
            stack = stack | {og}
        result = self._canon(obj, stack)
        if og != (0, 0):
            self.memo[og] = result
        return result

    def _canon(self, obj, stack):
        import pikepdf

        if isinstance(obj, pikepdf.Stream):
            d = tuple(
                (k, self(v, stack)) for k, v in sorted(obj.items()) if k not in _SKIP_KEYS
            )
            try:
                raw = obj.read_raw_bytes()
            except pikepdf.PdfError:
                raw = b"<unreadable>"
            return ("stream", d, hashlib.sha256(raw).hexdigest())
        if isinstance(obj, pikepdf.Dictionary):
            if obj.get("/Type") == pikepdf.Name.Page:
                return ("page-ref", obj.objgen)  # pages are compared on their own
            return (
                "dict",
                tuple((k, self(v, stack)) for k, v in sorted(obj.items()) if k not in _SKIP_KEYS),
            )
        if isinstance(obj, pikepdf.Array):
            return ("array", tuple(self(v, stack) for v in obj))
        if isinstance(obj, pikepdf.Name):
            return ("name", str(obj))
        if isinstance(obj, pikepdf.String):
            return ("string", bytes(obj))
        return ("value", repr(obj))


def _is_sig_field(obj) -> bool:
    import pikepdf

    node = obj
    for _ in range(32):  # /FT is inheritable
        ft = node.get("/FT")
        if ft is not None:
            return ft == pikepdf.Name.Sig
        node = node.get("/Parent")
        if node is None:
            return False
    return False


def _field_name(obj) -> str:
    parts = []
    node = obj
    for _ in range(32):
        t = node.get("/T")
        if t is not None:
            parts.append(str(t))
        node = node.get("/Parent")
        if node is None:
            break
    return ".".join(reversed(parts)) or f"<unnamed {obj.objgen[0]}>"


@dataclass
class _FieldModel:
    name: str
    is_sig: bool
    signed: bool
    essential: object  # canon without the keys a signer may set while signing
    full: object  # complete canon
    visible: bool


@dataclass
class _DocModel:
    catalog: dict
    acroform: dict
    need_appearances: bool
    pages: list  # (page canon, content hash)
    annots: list  # per page: tuple of non-signature annotation canons
    sig_widgets: list  # per page: set of signature-widget field names
    fields: dict[str, _FieldModel] = field(default_factory=dict)
    stamp: tuple = ()


def _rect_visible(obj) -> bool:
    rect = obj.get("/Rect")
    if rect is None or len(rect) != 4:
        return False
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return True
    return abs(x2 - x1) > 0.01 and abs(y2 - y1) > 0.01


def _walk_fields(canon: _Canon, nodes, out: dict, depth=0) -> None:
    if depth > 32 or nodes is None:
        return
    for node in nodes:
        kids = node.get("/Kids")
        is_widget_kids = kids is not None and all("/T" not in k for k in kids)
        if kids is not None and not is_widget_kids:
            _walk_fields(canon, kids, out, depth + 1)
            continue
        name = _field_name(node)
        is_sig = _is_sig_field(node)
        signed = node.get("/V") is not None
        essential = tuple(
            (k, canon(v)) for k, v in sorted(node.items()) if k not in _SKIP_KEYS | _SIGNING_KEYS
        )
        widgets = list(kids) if is_widget_kids else [node]
        visible = any(_rect_visible(w) for w in widgets)
        out[name] = _FieldModel(name, is_sig, signed, essential, canon(node), visible)


def _model(pdf) -> _DocModel:
    import pikepdf

    from .stamp import DOCINFO_KEYS

    canon = _Canon()
    root = pdf.Root
    catalog = {k: canon(v) for k, v in root.items() if k not in _CATALOG_ALLOWED}
    acro = root.get("/AcroForm")
    acroform = {}
    need_app = False
    fields: dict[str, _FieldModel] = {}
    if acro is not None:
        acroform = {k: canon(v) for k, v in acro.items() if k not in _ACROFORM_ALLOWED}
        need_app = bool(acro.get("/NeedAppearances", False))
        _walk_fields(canon, acro.get("/Fields"), fields)
    pages, annots, sig_widgets = [], [], []
    for page in pdf.pages:
        po = page.obj
        pages.append(tuple((k, canon(v)) for k, v in sorted(po.items()) if k not in {"/Annots", "/Parent"}))
        plain, sigs = [], set()
        for annot in po.get("/Annots", pikepdf.Array()):
            if annot.get("/Subtype") == pikepdf.Name.Widget and _is_sig_field(annot):
                sigs.add(_field_name(annot))
            else:
                plain.append(canon(annot))
        annots.append(tuple(plain))
        sig_widgets.append(sigs)
    docinfo_stamp = tuple(str(pdf.docinfo.get(k, "")) for k in DOCINFO_KEYS.values())
    xmp_stamp: tuple = ()
    if "/Metadata" in root:
        try:
            from .stamp import xmp_stamp_fields

            # read with a decompression cap: a Flate bomb in the XMP is not inflated
            xmp_stamp = xmp_stamp_fields(pdf) or ()
        except Exception:  # unreadable XMP is itself a change worth reporting
            xmp_stamp = ("<unreadable XMP>",)
    return _DocModel(
        catalog, acroform, need_app, pages, annots, sig_widgets, fields, docinfo_stamp + xmp_stamp
    )


def _open(prefix: bytes):
    import pikepdf

    return pikepdf.open(io.BytesIO(prefix), attempt_recovery=False, suppress_warnings=True)


def _diff(a: _DocModel, b: _DocModel, rev: int) -> list[Change]:
    changes: list[Change] = []

    def add(kind: ChangeKind, text: str) -> None:
        changes.append(Change(rev, kind, text))

    if len(a.pages) != len(b.pages):
        add(ChangeKind.PAGES, f"page count {len(a.pages)} → {len(b.pages)}")
    for i, (pa, pb) in enumerate(zip(a.pages, b.pages), start=1):
        if pa != pb:
            keys = sorted({k for k, _ in pa} ^ {k for k, _ in pb} | {k for (k, v) in pa if (k, v) not in pb})
            add(ChangeKind.PAGE_CONTENT, f"page {i}: {', '.join(keys) or 'page dictionary'} changed")
    for i, (aa, ab) in enumerate(zip(a.annots, b.annots), start=1):
        if aa != ab:
            add(ChangeKind.ANNOTATION, f"page {i}: annotations added, removed or changed ({len(aa)} → {len(ab)})")
    for key in sorted(set(a.catalog) | set(b.catalog)):
        if a.catalog.get(key) != b.catalog.get(key):
            add(ChangeKind.CATALOG, f"document catalog entry {key} added, removed or changed")
    for key in sorted(set(a.acroform) | set(b.acroform)):
        if a.acroform.get(key) != b.acroform.get(key):
            add(ChangeKind.FORM, f"form entry {key} added, removed or changed")
    if b.need_appearances and not a.need_appearances:
        add(ChangeKind.FORM, "form asks viewers to regenerate appearances (/NeedAppearances)")
    if a.stamp != b.stamp:
        add(ChangeKind.METADATA, "the stamp's document id, version or SHA-256 in the metadata changed")

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
    for name, fb in b.fields.items():
        if name in a.fields:
            continue
        if not fb.is_sig:
            add(ChangeKind.FORM, f"form field {name} added")
        elif not fb.signed and fb.visible:
            add(ChangeKind.SIGNATURE_FIELD, f"empty visible signature field {name} added (possible overlay)")
    # a signature widget placed on a page must belong to a known signature field
    for i, (wa, wb) in enumerate(zip(a.sig_widgets, b.sig_widgets), start=1):
        for name in wb - wa:
            if name not in b.fields:
                add(ChangeKind.ANNOTATION, f"page {i}: signature widget {name} outside the form")
    return changes


def analyse_revisions(data: bytes, ends: list[int], start: int) -> tuple[list[Change], list[str]]:
    """Compare revision ``start`` with every later one, pairwise.

    Returns (changes, problems): problems are revisions that can't be parsed on
    their own (a sign of a crafted or damaged update).
    """
    changes: list[Change] = []
    problems: list[str] = []
    try:
        with _open(data[: ends[start]]) as pdf:
            prev = _model(pdf)
    except Exception as exc:
        return [], [f"the approved revision can't be parsed independently: {exc}"]
    for rev in range(start + 1, len(ends)):
        try:
            with _open(data[: ends[rev]]) as pdf:
                cur = _model(pdf)
        except Exception as exc:
            problems.append(f"revision {rev + 1} can't be parsed independently: {exc}")
            continue
        changes.extend(_diff(prev, cur, rev))
        prev = cur
    return changes, problems
