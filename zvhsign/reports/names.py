"""Certificate subjects as people read them: "Naam (functie, organisatie)", never raw OIDs.

Subjects reach the report in two spellings: RFC 4514 (``2.5.4.97=NTRNL-1,CN=A,O=B``, as
the audit log records the trust settings) and asn1crypto's human-friendly form
(``Organization Identifier: NTRNL-1, Common Name: A``, as the evidence holds them).
Both are read into (attribute, value) pairs; every known attribute -- by OID or by
name -- gets its Dutch label, so an unknown one is the only thing that can still show
an OID (labelled as such).
"""

from __future__ import annotations

import re

from ..domain.evidence import CertificateInfo

#: known attributes: OID -> (canonical name, Dutch label)
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "2.5.4.3": ("commonName", "naam"),
    "2.5.4.4": ("surname", "achternaam"),
    "2.5.4.5": ("serialNumber", "serienummer"),
    "2.5.4.6": ("countryName", "land"),
    "2.5.4.7": ("localityName", "plaats"),
    "2.5.4.8": ("stateOrProvinceName", "provincie"),
    "2.5.4.9": ("streetAddress", "adres"),
    "2.5.4.10": ("organizationName", "organisatie"),
    "2.5.4.11": ("organizationalUnitName", "afdeling"),
    "2.5.4.12": ("title", "functie"),
    "2.5.4.15": ("businessCategory", "soort organisatie"),
    "2.5.4.17": ("postalCode", "postcode"),
    "2.5.4.42": ("givenName", "voornaam"),
    "2.5.4.43": ("initials", "voorletters"),
    "2.5.4.46": ("dnQualifier", "DN-kwalificatie"),
    "2.5.4.65": ("pseudonym", "pseudoniem"),
    "2.5.4.97": ("organizationIdentifier", "organisatie-identificatie"),
    "1.2.840.113549.1.9.1": ("emailAddress", "e-mail"),
    "0.9.2342.19200300.100.1.25": ("domainComponent", "domein"),
    "1.3.6.1.4.1.311.60.2.1.3": ("jurisdictionCountryName", "land van inschrijving"),
}
#: the short and long names both spellings use, to the OID
_NAMES = {
    "cn": "2.5.4.3", "common name": "2.5.4.3", "sn": "2.5.4.4", "surname": "2.5.4.4",
    "serialnumber": "2.5.4.5", "serial number": "2.5.4.5", "c": "2.5.4.6", "country": "2.5.4.6",
    "l": "2.5.4.7", "locality": "2.5.4.7", "st": "2.5.4.8", "state/province": "2.5.4.8",
    "street": "2.5.4.9", "street address": "2.5.4.9", "o": "2.5.4.10", "organization": "2.5.4.10",
    "ou": "2.5.4.11", "organizational unit": "2.5.4.11", "title": "2.5.4.12",
    "business category": "2.5.4.15", "businesscategory": "2.5.4.15", "postal code": "2.5.4.17",
    "gn": "2.5.4.42", "given name": "2.5.4.42", "givenname": "2.5.4.42", "initials": "2.5.4.43",
    "pseudonym": "2.5.4.65", "organization identifier": "2.5.4.97",
    "organizationidentifier": "2.5.4.97", "email address": "1.2.840.113549.1.9.1",
    "emailaddress": "1.2.840.113549.1.9.1", "dc": "0.9.2342.19200300.100.1.25",
    "domain component": "0.9.2342.19200300.100.1.25",
    "jurisdiction of incorporation country name": "1.3.6.1.4.1.311.60.2.1.3",
}
for _oid, (_name, _nl) in ATTRIBUTES.items():
    _NAMES.setdefault(_name.lower(), _oid)

_OID = re.compile(r"^\d+(\.\d+)+$")
_FRIENDLY = re.compile(r"(?:^|, )([A-Z][A-Za-z/ ]*|\d+(?:\.\d+)+): ")


def _oid_of(key: str) -> str:
    k = key.strip()
    return k if _OID.match(k) else _NAMES.get(k.lower(), k)


def _rfc4514(text: str) -> list[tuple[str, str]]:
    parts, cur, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i + 1]
            i += 2
            continue
        if ch in ",+":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    out = []
    for p in parts:
        key, _, value = p.partition("=")
        if value.startswith("#"):  # a DER-encoded value: keep it out of sight
            value = "(binair)"
        out.append((_oid_of(key), value.strip()))
    return out


def _friendly(text: str) -> list[tuple[str, str]]:
    marks = list(_FRIENDLY.finditer(text))
    out = []
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        out.append((_oid_of(m.group(1)), text[m.end():end].strip()))
    return out


def dn_fields(text: str | None) -> list[tuple[str, str]]:
    """(OID, value) pairs of a distinguished name in either spelling, in its order."""
    if not text:
        return []
    head = text.split(",", 1)[0]
    if "=" in head and ": " not in head:
        return _rfc4514(text)
    if ": " in head:
        return _friendly(text)
    return [("2.5.4.3", text.strip())]


def label_of(oid: str) -> str:
    """The Dutch label of an attribute, with its standard name; an unknown one says so."""
    if oid in ATTRIBUTES:
        name, nl = ATTRIBUTES[oid]
        return nl
    return f"overig kenmerk {oid}" if _OID.match(oid) else oid


def dn_display(text: str | None) -> str:
    """"Naam (functie, organisatie)" of a subject; without a name, the organisation."""
    if not text:
        return "onbekend"
    fields = dn_fields(text)
    get = lambda oid: next((v for o, v in fields if o == oid and v), None)  # noqa: E731
    name, title, org = get("2.5.4.3"), get("2.5.4.12"), get("2.5.4.10")
    if name is None:
        given, sur = get("2.5.4.42"), get("2.5.4.4")
        name = " ".join(x for x in (given, sur) if x) or None
    if name is None:
        return org or dn_details(text)
    if org and org in name:
        org = None
    extra = ", ".join(x for x in (title, org) if x)
    return f"{name} ({extra})" if extra else name


def dn_details(text: str | None) -> str:
    """Every attribute of a subject with its Dutch label, e.g. ``organisatie-identificatie
    (organizationIdentifier): NTRNL-90000044``."""
    parts = []
    for oid, value in dn_fields(text):
        label = label_of(oid)
        if oid == "2.5.4.97":
            label += " (organizationIdentifier)"
        parts.append(f"{label}: {value}")
    return "; ".join(parts) or "onbekend"


def cert_display(c: CertificateInfo | None) -> str:
    """The holder of a certificate as "Naam (functie, organisatie)"."""
    if c is None:
        return "onbekend"
    if c.common_name:
        extra = ", ".join(x for x in (c.title, c.organisation) if x)
        return f"{c.common_name} ({extra})" if extra else c.common_name
    return dn_display(c.subject)


_DN_IN_TEXT = re.compile(r"(?:\b\d+(?:\.\d+){2,}|\b(?:CN|O|OU|C|SERIALNUMBER))=[^;()]*")


def humanise(text: str) -> str:
    """A message that may quote a subject in RFC 4514 (from a finding or the audit log),
    with the subject shown as a name instead of OIDs."""
    if "=" not in text:
        return text
    return _DN_IN_TEXT.sub(lambda m: dn_display(m.group(0).rstrip(" ,.")), text)
