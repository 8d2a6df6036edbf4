"""The canonical model of one revision, read by qpdf (pikepdf): everything a reader renders
or acts on -- pages (content, resources, boxes), annotations, form fields, catalog entries,
document info, XMP and the stamp's metadata, the DSS, the certification's DocMDP level.
Two models are compared by :mod:`.structure_diff`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

# catalog entries a signing revision may add or change
# (/StructTreeRoot: the logical structure for assistive technology -- signing products
# that add a widget to a tagged PDF add its structure element; nothing is rendered from it)
# (/Version: the PDF version a writer declares, raised by signing products whose signature
# needs a later version, e.g. brainpool curves; nothing is rendered from it)
_CATALOG_ALLOWED = {"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/Pages", "/StructTreeRoot", "/Version"}
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
    """Canonical, hashable form of pikepdf objects, memoised per document.

    The hot loop of the revision comparison (every object of every revision passes through
    here): one type test per pikepdf object in order of frequency, integers' forms kept by
    value, the cycle guard a set of the objects on the current path (added on the way
    down, taken out on the way back) rather than a new set per level."""

    def __init__(self) -> None:
        import pikepdf

        self.memo: dict = {}
        self._ints: dict = {}  # integer -> its form
        self._path: set = set()
        self._pikepdf = pikepdf
        self._page = pikepdf.Name.Page

    def __call__(self, obj):
        if isinstance(obj, self._pikepdf.Object):
            og = obj.objgen
            if og != (0, 0):  # an indirect object: once per document, cycles cut
                found = self.memo.get(og)
                if found is not None:
                    return found
                if og in self._path:
                    return ("cycle",)
                self._path.add(og)
                try:
                    result = self._canon(obj)
                finally:
                    self._path.discard(og)
                self.memo[og] = result
                return result
            return self._canon(obj)
        return self._value(obj)

    def _value(self, obj):
        """A Python value pikepdf gives for a number, a boolean or null."""
        if isinstance(obj, bool):
            return ("value", repr(obj))
        if type(obj) is int:  # the commonest: kept by value (an int's form is its digits)
            form = self._ints.get(obj)
            if form is None:
                form = self._ints[obj] = ("num", format(Decimal(obj), "f"))
            return form
        if isinstance(obj, (int, float, Decimal)):
            return ("num", format(Decimal(str(obj)).normalize(), "f"))  # 612 == 612.0
        return ("value", repr(obj))

    def _canon(self, obj):
        # (loops, not generator expressions or helpers: each nested object costs two Python
        # frames, not three or four -- a chain of indirect objects, e.g. the /Next links of a
        # long outline, is followed that deep before Python's recursion limit)
        pikepdf = self._pikepdf
        if isinstance(obj, pikepdf.Dictionary):
            if obj.get("/Type") == self._page:
                return ("page-ref", obj.objgen)  # pages are compared on their own
            entries = []
            for k, v in sorted(obj.items()):
                if k not in _SKIP_KEYS:
                    entries.append((k, self(v)))
            return ("dict", tuple(entries))
        if isinstance(obj, pikepdf.Array):
            items = []
            for v in obj:
                items.append(self(v))
            return ("array", tuple(items))
        if isinstance(obj, pikepdf.Name):
            try:
                return ("name", str(obj))
            except UnicodeDecodeError:  # a name with bytes that are not UTF-8
                return ("name", bytes(obj.unparse()))
        if isinstance(obj, pikepdf.String):
            return ("string", bytes(obj))
        if isinstance(obj, pikepdf.Stream):
            entries = []
            for k, v in sorted(obj.items()):
                if k not in _SKIP_KEYS:
                    entries.append((k, self(v)))
            try:
                raw = obj.read_raw_bytes()
            except pikepdf.PdfError:
                raw = b"<unreadable>"
            return ("stream", tuple(entries), hashlib.sha256(raw).hexdigest())
        return self._value(obj)


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


@dataclass(frozen=True)
class FieldModel:
    name: str
    is_sig: bool
    signed: bool
    essential: object  # canon without the keys a signer may set while signing
    full: object  # complete canon
    visible: bool


@dataclass(frozen=True)
class DocModel:
    catalog: dict
    acroform: dict
    need_appearances: bool
    pages: list  # (page canon, content hash)
    annots: list  # per page: tuple of non-signature annotation canons
    #: per page: {signature field name: (widget canons, widget canons without the keys a
    #: signer sets)} -- also widgets that hang off a field through /Parent only
    sig_widgets: list
    fields: dict[str, FieldModel] = field(default_factory=dict)
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
        out[name] = FieldModel(name, is_sig, signed, essential, canon(node), visible)


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


def doc_model(pdf) -> DocModel:
    import pikepdf

    from .stamp import DOCINFO_KEYS

    canon = _Canon()
    root = pdf.Root
    catalog = {k: canon(v) for k, v in root.items() if k not in _CATALOG_ALLOWED}
    acro = root.get("/AcroForm")
    acroform = {}
    need_app = False
    fields: dict[str, FieldModel] = {}
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
    return DocModel(
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
