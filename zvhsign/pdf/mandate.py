"""The machtigingsbesluit as a PDF, and a mayor's signature bound to it.

* :func:`render_mandate` renders the seed's model text (annex "Voorbeeldtekst
  machtiging burgemeester"), filled in, with reportlab platypus; puts the terms
  (municipality, mayor, decision date, covered approved versions with their
  SHA-256) in the document information dictionary as JSON (``/ZVHMandate``) and
  in the XMP metadata; and adds two visible signature fields at the bottom of
  the last page: "de secretaris" and "de burgemeester".
* :func:`read_mandate_terms` reads the terms back from the part of the file the
  signatures cover (a file that is not a mandate is an ``InputError`` with ``N_``-marked
  msgids: ``mandate sign|register`` say it in the signatory's language, see errors.py).
* :func:`binding_attributes` / :func:`read_bindings`: how a mayor's signature
  states its capacity and binds the mandate. It is a CAdES ``signer-attributes-v2``
  signed attribute (ETSI EN 319 122-1 §5.2.6.1) with one *claimed role*
  (X.509 ``role`` attribute, RFC 5755 RoleSyntax): ``roleName`` is the capacity
  ("namens het college van burgemeester en wethouders van Haarlem") and
  ``roleAuthority`` names the authority for that role -- the signed mandate --
  as an RFC 6920 ``ni:///sha-256;…`` URI of its SHA-256. Being a CMS *signed*
  attribute, it is covered by the signature value itself (not only by the PDF
  byte range), survives extraction of the CMS, and is shown as a claimed role
  by other PAdES validators.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date

from ..domain.documents import DocumentKind
from ..domain.evidence import SignatureBinding
from ..domain.mandates import BURGEMEESTER_FIELD, MANDATE_FIELDS, SECRETARIS_FIELD, MandateTerms
from ..errors import N_, InputError
from . import speedups

INFO_KEY = "/ZVHMandate"
NI_PREFIX = "ni:///sha-256;"
_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]

# signature boxes (points, A4 = 595 x 842): bottom of the last page
_BOX_W, _BOX_H, _BOX_Y = 220, 80, 72
_BOXES = {SECRETARIS_FIELD: (70, _BOX_Y), BURGEMEESTER_FIELD: (305, _BOX_Y)}


def dutch_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _story(terms: MandateTerms, titles: dict):
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, Spacer, Table, TableStyle

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName="Helvetica", fontSize=10.5, leading=14.5)
    head = ParagraphStyle("head", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=17, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5)
    g = terms.municipality
    zvh = "Zorg&amp;Veiligheidshuis Kennemerland"
    bullets = [
        f"dat de colleges van B&amp;W en de burgemeesters van de gemeenten die zitting nemen in het {zvh} "
        f"als verwerkingsverantwoordelijken een Samenwerkingsconvenant en Privacy Protocol willen afsluiten "
        f"met de andere netwerkpartners van het {zvh};",
        "dat in dit Samenwerkingsconvenant en Privacy Protocol wordt vastgelegd hoe informatie (in de vorm "
        "van persoonsgegevens) wordt gedeeld ten behoeve van de samenwerking op het gebied van integrale "
        "veiligheid en complexe casuïstiek zoals beschreven in het Landelijke Kader Veiligheidshuizen;",
        "dat het wenselijk is dat de burgemeester, als meest betrokken verwerkingsverantwoordelijke bij het "
        "onderwerp, dit Samenwerkingsconvenant en Privacy Protocol ook namens het college van B&amp;W "
        "ondertekent,",
    ]
    story = [
        Paragraph("Machtigingsbesluit", small),
        Paragraph(f"Burgemeester en wethouders van de gemeente {_esc(g)}", head),
        Paragraph("overwegende:", body),
        ListFlowable(
            [ListItem(Paragraph(b, body), leftIndent=14) for b in bullets],
            bulletType="bullet", start="–", leftIndent=14,
        ),
        Spacer(1, 4 * mm),
        Paragraph("<b>machtigen</b>", body),
        Spacer(1, 2 * mm),
        Paragraph(
            f"burgemeester {_esc(terms.mayor)} om het Samenwerkingsconvenant en Privacy Protocol "
            f"{zvh} ook namens het college van burgemeester en wethouders te ondertekenen.",
            body,
        ),
        Spacer(1, 3 * mm),
        Paragraph("Deze machtiging geldt voor de volgende door de Bestuurlijke Regiegroep vastgestelde versies:", body),
    ]
    mono = ParagraphStyle("mono", parent=small, fontName="Courier", fontSize=7, leading=9)
    rows = [["Document", "Versie", "SHA-256 van de vastgestelde versie"]]
    for c in terms.covers:
        rows.append([titles.get(c.document, c.document.value), c.version, c.approved_sha256.hex])
    t = Table(
        [[Paragraph(_esc(str(x)), mono if i and j == 2 else small) for j, x in enumerate(r)]
         for i, r in enumerate(rows)],
        colWidths=[58 * mm, 14 * mm, 98 * mm],
    )
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
        ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [
        Spacer(1, 2 * mm), t, Spacer(1, 6 * mm),
        Paragraph(f"{_esc(g)}, {dutch_date(terms.decision_date)}", body),
        Spacer(1, 3 * mm),
        Paragraph(f"Burgemeester en wethouders van {_esc(g)},", body),
    ]
    return story


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _draw_boxes(canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(0.45, 0.45, 0.45)
    canvas.setFont("Helvetica", 10)
    for name, (x, y) in _BOXES.items():
        canvas.rect(x, y, _BOX_W, _BOX_H, stroke=1, fill=0)
        canvas.drawString(x, y + _BOX_H + 6, MANDATE_FIELDS[name][0] + ",")
    canvas.restoreState()


def render_mandate(terms: MandateTerms) -> bytes:
    """The draft machtigingsbesluit: one PDF with the terms and two empty signature fields."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    titles = {d: d.title for d in DocumentKind}
    meta = json.dumps(terms.to_json(), sort_keys=True, ensure_ascii=False)
    kwargs = dict(
        pagesize=A4, leftMargin=25 * mm, rightMargin=20 * mm, topMargin=25 * mm,
        bottomMargin=(_BOX_Y + _BOX_H + 30),  # the text never runs into the signature boxes
        title=f"Machtigingsbesluit gemeente {terms.municipality}",
        author=f"Burgemeester en wethouders van {terms.municipality}",
        subject="Machtiging burgemeester: Samenwerkingsconvenant en Privacy Protocol ZVH Kennemerland",
        creator="zvhsign", keywords=["zvhsign", "machtigingsbesluit"], invariant=1,
    )
    pages: list[int] = []

    def count(canvas, doc):
        pages.append(canvas.getPageNumber())

    SimpleDocTemplate(io.BytesIO(), **kwargs).build(_story(terms, titles), onFirstPage=count, onLaterPages=count)
    last = max(pages)

    def on_page(canvas, doc):
        if canvas.getPageNumber() == last:
            _draw_boxes(canvas)

    buf = io.BytesIO()
    SimpleDocTemplate(buf, **kwargs).build(_story(terms, titles), onFirstPage=on_page, onLaterPages=on_page)
    return _finish(buf.getvalue(), meta, last - 1)


def _finish(pdf: bytes, meta: str, last_page: int) -> bytes:
    """Add the metadata and the two visible signature fields (pyHanko), as one file."""
    import pikepdf
    from pyhanko.pdf_utils.writer import copy_into_new_writer
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.docinfo[pikepdf.Name(INFO_KEY)] = meta
        tmp = io.BytesIO()
        doc.save(tmp, deterministic_id=True)
    w = copy_into_new_writer(speedups.reader(io.BytesIO(tmp.getvalue())))
    for name, (x, y) in _BOXES.items():
        append_signature_field(
            w, SigFieldSpec(sig_field_name=name, on_page=last_page, box=(x, y, x + _BOX_W, y + _BOX_H))
        )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _terms_from(data: bytes) -> MandateTerms | None:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            raw = pdf.docinfo.get(INFO_KEY)
            if raw is None:
                return None
            return MandateTerms.from_json(json.loads(str(raw)))
    except (pikepdf.PdfError, ValueError, KeyError, TypeError) as exc:
        raise InputError.spoken(N_("the mandate's metadata can't be read: {error}"), error=str(exc)) from None


def read_mandate_terms(data: bytes, covered_end: int | None = None) -> MandateTerms:
    """The terms of a mandate PDF, read from the first ``covered_end`` bytes (the part
    its first signature covers); the terms of the whole file must be the same."""
    terms = _terms_from(data[:covered_end] if covered_end else data)
    if terms is None:
        raise InputError.spoken(
            N_("not a machtigingsbesluit made by `zvhsign mandate draft` (no /ZVHMandate metadata)"))
    if covered_end and _terms_from(data) != terms:
        raise InputError.spoken(N_("the mandate's metadata was changed after it was signed"))
    return terms


def revision_hashes(data: bytes) -> list[str]:
    """SHA-256 of every complete revision (each prefix ending in %%EOF) of ``data``."""
    import hashlib
    import re

    out = []
    for m in re.finditer(rb"%%EOF[ \t\x00]*(?:\r\n|\r|\n)?", data):
        out.append(hashlib.sha256(data[: m.end()]).hexdigest())
        out.append(hashlib.sha256(data[: m.start() + 5]).hexdigest())
    return list(dict.fromkeys(out))


# -------------------------------------------------------------- binding a signature


def ni_uri(sha256_hex: str) -> str:
    """RFC 6920 name of a SHA-256 digest."""
    raw = bytes.fromhex(sha256_hex)
    return NI_PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_ni_uri(uri: str) -> str | None:
    """The SHA-256 hex of an RFC 6920 ``ni:`` URI (``ni:///sha-256;…``; an empty
    authority may be read back as ``ni:/sha-256;…``)."""
    import re

    m = re.match(r"^ni:(?://[^/]*)?/sha-256;([A-Za-z0-9_-]+)$", uri)
    if m is None:
        return None
    b64 = m.group(1)
    try:
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except ValueError:
        return None
    return raw.hex() if len(raw) == 32 else None


def binding_attributes(mandate_sha256: str | None, capacity: str | None, *, content_timestamp: bool):
    """pyHanko ``CAdESSignedAttrSpec`` stating the capacity and binding the mandate."""
    from asn1crypto import cms, x509
    from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec

    claimed = []
    if capacity or mandate_sha256:
        role = {"role_name": x509.GeneralName(
            name="directory_name", value=x509.Name.build({"title": capacity or "burgemeester"})
        )}
        if mandate_sha256:
            role["role_authority"] = [x509.GeneralName(name="uniform_resource_identifier", value=ni_uri(mandate_sha256))]
        claimed.append(cms.AttCertAttribute({"type": "role", "values": [cms.RoleSyntax(role)]}))
    return CAdESSignedAttrSpec(
        timestamp_content=content_timestamp,
        signer_attributes=SignerAttrSpec(claimed_attrs=claimed, certified_attrs=[]) if claimed else None,
    )


def binding_of(embedded_sig, *, strict: bool = False) -> SignatureBinding:
    """What one pyHanko ``EmbeddedPdfSignature`` binds (from its signed attributes). ``strict``:
    attributes that can't be read raise (else: nothing bound)."""
    import pyhanko.sign.ades.cades_asn1  # noqa: F401  (registers signer_attributes_v2)
    from asn1crypto import cms

    mandate = capacity = None
    try:
        attrs = list(embedded_sig.signer_info["signed_attrs"])
    except Exception:
        if strict:
            raise
        return SignatureBinding()
    for attr in attrs:
        if attr["type"].native != "signer_attributes_v2":
            continue
        for value in attr["values"]:
            claimed = value["claimed_attributes"]
            if not claimed or claimed.native is None:
                continue
            for ca in claimed:
                if ca["type"].native != "role":
                    continue
                for rs in ca["values"]:
                    rs = rs if isinstance(rs, cms.RoleSyntax) else cms.RoleSyntax.load(rs.dump())
                    name = rs["role_name"]
                    if name.name == "directory_name":
                        capacity = name.chosen.native.get("title") or capacity
                    auth = rs["role_authority"]
                    for gn in auth if auth.native is not None else []:
                        if gn.name == "uniform_resource_identifier":
                            raw = gn.chosen.contents.decode("ascii", "replace")
                            mandate = parse_ni_uri(raw) or parse_ni_uri(gn.native) or mandate
    return SignatureBinding(mandate_sha256=mandate, capacity=capacity)


def read_bindings(data: bytes) -> dict[str, SignatureBinding]:
    """Field name → binding, for every signature in a PDF."""
    try:
        reader = speedups.reader(io.BytesIO(data), strict=False)
        return {s.field_name: binding_of(s) for s in reader.embedded_signatures}
    except Exception as exc:
        raise InputError(f"the signatures can't be read: {exc}") from None


__all__ = [
    "BURGEMEESTER_FIELD",
    "SECRETARIS_FIELD",
    "binding_attributes",
    "binding_of",
    "dutch_date",
    "ni_uri",
    "parse_ni_uri",
    "read_bindings",
    "read_mandate_terms",
    "render_mandate",
    "revision_hashes",
]
