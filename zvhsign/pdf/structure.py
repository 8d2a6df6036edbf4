"""Revision-by-revision structure analysis, independent of pyHanko's diff analysis.

Each revision after the approved one is opened on its own (the byte prefix
ending at that revision) with pikepdf/qpdf -- a second parser -- and reduced to
a canonical model of everything a reader renders or acts on: pages (content,
resources, boxes), annotations, form fields, catalog entries, the stamp
metadata. Two consecutive models may differ only by:

* signature fields that were empty becoming signed (value, appearance);
* new signature fields that are signed in the same revision (visible or not: a
  field a signer draws in Acrobat; never an empty one);
* validation data added to the /DSS (never removed or replaced), extensions
  (/Extensions);
* in a revision that signs (a signature or document timestamp), document info or
  XMP entries other than the stamp's; in a revision that signs nothing, only the
  modification date and producer.

Anything else is reported as a :class:`~zvhsign.domain.evidence.Change`, whether
or not the copy contains an approved version and whatever pyHanko's difference
analysis says.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from dataclasses import dataclass, field

from ..domain.evidence import Change, ChangeKind

# catalog entries a signing revision may add or change
# (/StructTreeRoot: the logical structure for assistive technology -- signing products
# that add a widget to a tagged PDF add its structure element; nothing is rendered from it)
# (/Version: the PDF version a writer declares, raised by signing products whose signature
# needs a later version, e.g. brainpool curves; nothing is rendered from it)
_CATALOG_ALLOWED = {"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/Pages", "/StructTreeRoot", "/Version"}
# what a change of some catalog entries means
_CATALOG_TEXT = {
    "/Perms": "document catalog entry /Perms changed: a certification (DocMDP) signature added after "
              "the first signature, or the certification replaced (only the first signature may certify)",
}
# page entries that don't change what is rendered and that signing products set when they
# add a widget: the page's key into the structure tree, and the tab order
_PAGE_IGNORED = {"/Annots", "/Parent", "/StructParents", "/Tabs"}
# page entries inherited from the page tree (compared as the page sees them)
_PAGE_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
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
            try:
                return ("name", str(obj))
            except UnicodeDecodeError:  # a name with bytes that are not UTF-8
                return ("name", bytes(obj.unparse()))
        if isinstance(obj, pikepdf.String):
            return ("string", bytes(obj))
        if isinstance(obj, bool):
            return ("value", repr(obj))
        if isinstance(obj, (int, float, Decimal)):
            return ("num", format(Decimal(str(obj)).normalize(), "f"))  # 612 == 612.0
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
            try:
                parts.append(str(t))
            except UnicodeDecodeError:
                parts.append(bytes(t).decode("latin-1"))
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
    #: per page: {signature field name: (widget canons, widget canons without the keys a
    #: signer sets)} -- also widgets that hang off a field through /Parent only
    sig_widgets: list
    fields: dict[str, _FieldModel] = field(default_factory=dict)
    stamp: tuple = ()
    dss: frozenset = frozenset()  # SHA-256 of every certificate, OCSP response and CRL in the DSS
    has_dss: bool = False
    docinfo: tuple = ()  # document info entries, but the modification date and producer
    xmp: tuple = ()  # XMP properties, but dates, producer and instance ids
    docmdp: int | None = None  # the certification's DocMDP permission (None: not certified)


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


# metadata a writer updates with every save (not content): document info and XMP
_DOCINFO_VOLATILE = {"/ModDate", "/Producer"}
_XMP_VOLATILE = ("ModifyDate", "MetadataDate", "Producer", "InstanceID", "History", "VersionID")


def _xmp_properties(pdf) -> tuple:
    """Every XMP property as (qualified name, value), sorted, read with the decompression
    cap, whether written as an element or an attribute; empty values, the toolkit and
    the volatile properties (dates, producer, instance ids) left out."""
    from lxml import etree

    from .stamp import read_xmp_bytes

    data = read_xmp_bytes(pdf)
    if data is None:
        return ()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )
    start = data.find(b"<")
    root = etree.fromstring(data[start:] if start > 0 else data, parser)
    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
    out = set()

    def volatile(name: str) -> bool:
        return name.rsplit("}", 1)[-1] in _XMP_VOLATILE

    for desc in root.iter(f"{rdf}Description"):
        for key, value in desc.attrib.items():
            if key.startswith(rdf) or volatile(key) or not value.strip():
                continue
            out.add((key, value.strip()))
        for prop in desc:
            if not isinstance(prop.tag, str) or volatile(prop.tag):
                continue
            texts = [t.strip() for t in prop.itertext() if t.strip()]
            texts += [v for el in prop.iter() for k, v in el.attrib.items()
                      if not k.startswith(rdf) and not k.startswith("{http://www.w3.org/XML") and v.strip()]
            if texts:
                out.add((prop.tag, " | ".join(texts)))
    return tuple(sorted(out))


def _dss_digests(root) -> tuple[bool, frozenset]:
    import pikepdf

    dss = root.get("/DSS")
    if not isinstance(dss, pikepdf.Dictionary):
        return dss is not None, frozenset()
    found = set()
    for key in ("/Certs", "/OCSPs", "/CRLs"):
        arr = dss.get(key)
        if not isinstance(arr, pikepdf.Array):
            continue
        for item in arr:
            try:
                found.add((key, hashlib.sha256(item.read_raw_bytes()).hexdigest()))
            except Exception:
                found.add((key, f"<unreadable {item.objgen}>"))
    return True, frozenset(found)


def _widget_canons(canon: _Canon, widget) -> tuple[str, str]:
    full = repr(canon(widget))
    essential = repr(tuple(
        (k, canon(v)) for k, v in sorted(widget.items()) if k not in _SKIP_KEYS | _SIGNING_KEYS
    ))
    return full, essential


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
        entries = {k: v for k, v in po.items() if k not in _PAGE_IGNORED}
        for key in _PAGE_INHERITED:  # as the page sees them: pushed down or inherited alike
            node = po
            for _ in range(32):
                if key in node or node.get("/Parent") is None:
                    break
                node = node.get("/Parent")
            if key not in entries and key in node:
                entries[key] = node.get(key)
        pages.append(tuple((k, canon(v)) for k, v in sorted(entries.items())))
        plain, sigs = [], {}
        for annot in po.get("/Annots", pikepdf.Array()):
            if annot.get("/Subtype") == pikepdf.Name.Widget and _is_sig_field(annot):
                full, essential = _widget_canons(canon, annot)
                entry = sigs.setdefault(_field_name(annot), ([], []))
                entry[0].append(full)
                entry[1].append(essential)
            else:
                plain.append(canon(annot))
        annots.append(tuple(plain))
        sig_widgets.append({k: (tuple(sorted(f)), tuple(sorted(e))) for k, (f, e) in sigs.items()})
    docinfo_stamp = tuple(str(pdf.docinfo.get(k, "")) for k in DOCINFO_KEYS.values())
    xmp_stamp: tuple = ()
    if "/Metadata" in root:
        try:
            from .stamp import xmp_stamp_fields

            # read with a decompression cap: a Flate bomb in the XMP is not inflated
            xmp_stamp = xmp_stamp_fields(pdf) or ()
        except Exception:  # unreadable XMP is itself a change worth reporting
            xmp_stamp = ("<unreadable XMP>",)
    has_dss, dss = _dss_digests(root)
    docinfo = tuple(sorted(
        (str(k), repr(canon(v))) for k, v in pdf.docinfo.items() if str(k) not in _DOCINFO_VOLATILE
    ))
    try:
        xmp = _xmp_properties(pdf)
    except Exception:
        xmp = (("<unreadable XMP>", ""),)
    return _DocModel(
        catalog, acroform, need_app, pages, annots, sig_widgets, fields, docinfo_stamp + xmp_stamp,
        dss, has_dss, docinfo, xmp, _docmdp(root),
    )


def _docmdp(root) -> int | None:
    """The DocMDP permission of the document's certification signature (/Perms /DocMDP)."""
    try:
        perms = root.get("/Perms")
        sig = perms.get("/DocMDP") if perms is not None else None
        if sig is None:
            return None
        for ref in sig.get("/Reference", []):
            if ref.get("/TransformMethod") == "/DocMDP":
                return int(ref.get("/TransformParams", {}).get("/P", 2))
        return 2
    except Exception:
        return 2


def _open(prefix: bytes):
    import pikepdf

    return pikepdf.open(io.BytesIO(prefix), attempt_recovery=False, suppress_warnings=True)


def _diff(a: _DocModel, b: _DocModel, rev: int, final: _DocModel | None = None,
          metadata: bool = True) -> list[Change]:
    """What revision ``rev`` (model ``b``) changed relative to the one before (``a``).
    ``final``: the last revision's model (an empty signature field added here that a
    later revision signs is the two-step signing of some products, not an overlay);
    ``metadata``: the revision follows the last signature (metadata may not change)."""
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
            add(ChangeKind.CATALOG, _CATALOG_TEXT.get(key, f"document catalog entry {key} added, removed or changed"))
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
        elif fb.signed and fb.visible and a.docmdp in (1, 2):
            # a certified document (the approval) lets signers fill its signature fields;
            # a new visible one is an addition to the page (pyHanko and Acrobat agree)
            add(ChangeKind.SIGNATURE_FIELD,
                f"new visible signature field {name} added to a certified document "
                "(only its existing signature fields may be signed visibly)")
        elif not fb.signed:
            later = final.fields.get(name) if final is not None else None
            if later is not None and later.is_sig and later.signed:
                continue  # signed in a later revision (that signature covers this one)
            overlay = " (visible: a possible overlay)" if fb.visible else ""
            add(ChangeKind.SIGNATURE_FIELD, f"empty signature field {name} added{overlay}")
    # signature widgets on the pages: one of a signed field never changes, one of an empty
    # field changes only by being signed, and each belongs to a known signature field
    for i, (wa, wb) in enumerate(zip(a.sig_widgets, b.sig_widgets), start=1):
        for name in sorted(set(wa) | set(wb)):
            before, after = wa.get(name), wb.get(name)
            fa = a.fields.get(name)
            if after is not None and name not in b.fields:
                add(ChangeKind.ANNOTATION, f"page {i}: signature widget {name} outside the form")
            elif fa is not None and fa.signed and before != after:
                add(ChangeKind.SIGNATURE_FIELD,
                    f"page {i}: a widget of signed field {name} added, removed or changed after it was signed")
            elif fa is not None and not fa.signed and (before or ((), ()))[1] != (after or ((), ()))[1]:
                add(ChangeKind.SIGNATURE_FIELD,
                    f"page {i}: a widget of signature field {name} added, removed or moved beyond being signed")
    # validation data may be added, never removed or replaced
    if a.has_dss and not b.has_dss:
        add(ChangeKind.VALIDATION_DATA, "the document security store (/DSS) was removed")
    elif a.dss - b.dss:
        gone = a.dss - b.dss
        what = ", ".join(sorted({k.strip("/") for k, _ in gone}))
        add(ChangeKind.VALIDATION_DATA, f"{len(gone)} item(s) of validation data removed from the DSS ({what})")
    # an update after the last signature (that no signature covers) may not change the metadata
    signs = any(f.is_sig and f.signed and not (name in a.fields and a.fields[name].signed)
                for name, f in b.fields.items())
    if metadata and not signs:
        if a.docinfo != b.docinfo:
            keys = sorted({k for k, _ in set(a.docinfo) ^ set(b.docinfo)})
            add(ChangeKind.DOCUMENT_METADATA,
                f"document info {', '.join(keys)} changed in an update that adds no signature")
        if a.xmp != b.xmp:
            paths = sorted({p.rsplit("}", 1)[-1] for p, _ in set(a.xmp) ^ set(b.xmp)})
            add(ChangeKind.DOCUMENT_METADATA,
                f"XMP metadata ({', '.join(paths[:5])}) changed in an update that adds no signature")
    return changes


def _why(exc: BaseException) -> str:
    from .examine import plain_text
    from .stamp import qpdf_text

    return plain_text(qpdf_text(exc))


def analyse_revisions(
    data: bytes, ends: list[int], start: int, last_signed: int | None = None
) -> tuple[list[Change], list[str]]:
    """Compare revision ``start`` with every later one, pairwise.

    ``last_signed``: the last revision that adds a signature or document timestamp;
    metadata may not change after it. Returns (changes, problems): problems are
    revisions that can't be parsed on their own (a sign of a crafted or damaged update).
    """
    problems: list[str] = []
    try:
        with _open(data[: ends[start]]) as pdf:
            models = [(start, _model(pdf))]
    except Exception as exc:
        return [], [f"revision {start + 1} (the base of the comparison) can't be parsed independently: {_why(exc)}"]
    for rev in range(start + 1, len(ends)):
        if ends[rev] == ends[rev - 1]:
            continue  # one revision to readers (the two sections of a linearized file)
        try:
            with _open(data[: ends[rev]]) as pdf:
                models.append((rev, _model(pdf)))
        except Exception as exc:
            problems.append(f"revision {rev + 1} can't be parsed independently: {_why(exc)}")
    final = models[-1][1]
    changes: list[Change] = []
    for (_, prev), (rev, cur) in zip(models, models[1:]):
        after_signatures = last_signed is None or rev > last_signed
        changes.extend(_diff(prev, cur, rev, final=final, metadata=after_signatures))
    return changes, problems
