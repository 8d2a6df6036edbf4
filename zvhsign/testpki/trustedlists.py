"""TEST ONLY: a list of trusted lists and a Dutch trusted list for the ZVH Test PKI.

ETSI TS 119 612 XML (built with lxml), signed as the EU lists are (XAdES enveloped,
with signxml) by the test trusted-list operators ``lotl-signer`` and
``tl-signer-nl``. The Dutch list names the ZVH Test Issuing CA as a qualified CA
service for e-signatures ("granted" since 2020), unless told otherwise: tests make
variants (a service withdrawn, a CA not listed, a list past its next update).
``certs/out/trusted-lists/`` holds the default pair (``python -m
zvhsign.testpki.trustedlists``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

TSL = "http://uri.etsi.org/02231/v2#"
ADD = "http://uri.etsi.org/02231/v2/additionaltypes#"
_X = "{http://www.w3.org/XML/1998/namespace}lang"
_BASE = "http://uri.etsi.org/TrstSvc/TrustedList"
LOTL_TYPE = f"{_BASE}/TSLType/EUlistofthelists"
GENERIC_TYPE = f"{_BASE}/TSLType/EUgeneric"
CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
GRANTED = f"{_BASE}/Svcstatus/granted"
WITHDRAWN = f"{_BASE}/Svcstatus/withdrawn"
FOR_ESIGNATURES = f"{_BASE}/SvcInfoExt/ForeSignatures"
LOTL_URL = "http://pki.zvh-test.invalid/tl/eu-lotl.xml"
NL_URL = "http://pki.zvh-test.invalid/tl/tsl-nl.xml"

ISSUED = datetime(2026, 6, 1, tzinfo=timezone.utc)
NEXT_UPDATE = datetime(2036, 6, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Status:
    """One status of a listed service, from ``since``."""

    uri: str
    since: datetime


GRANTED_SINCE_2020 = (Status(GRANTED, datetime(2020, 1, 1, tzinfo=timezone.utc)),)


def _el(parent, tag: str, text: str | None = None, ns: str = TSL, **attrs):
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _name(parent, tag: str, text: str) -> None:
    _el(_el(parent, tag), "Name", text, **{_X: "en"})


def _time(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64(cert_pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return base64.b64encode(x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)).decode()


def _identity(parent, tag: str, cert_pem: bytes) -> None:
    _el(_el(_el(parent, tag), "DigitalId"), "X509Certificate", _b64(cert_pem))


def _scheme(root, *, territory: str, list_type: str, sequence: int, issued: datetime,
            next_update: datetime | None, operator: str):
    si = _el(root, "SchemeInformation")
    _el(si, "TSLVersionIdentifier", "6")
    _el(si, "TSLSequenceNumber", str(sequence))
    _el(si, "TSLType", list_type)
    _name(si, "SchemeOperatorName", operator)
    _name(si, "SchemeName", f"{territory}: trusted list (TEST ONLY)")
    _el(_el(si, "SchemeInformationURI"), "URI", "http://pki.zvh-test.invalid/tl/info.xml", **{_X: "en"})
    _el(si, "StatusDeterminationApproach", f"{_BASE}/StatusDetn/EUappropriate")
    rules = f"{_BASE}/schemerules/" + ("EUlistofthelists" if list_type == LOTL_TYPE else "EUcommon")
    _el(_el(si, "SchemeTypeCommunityRules"), "URI", rules, **{_X: "en"})
    _el(si, "SchemeTerritory", territory)
    _el(_el(si, "PolicyOrLegalNotice"), "TSLLegalNotice", "TEST ONLY - never use for real signatures", **{_X: "en"})
    _el(si, "HistoricalInformationPeriod", "65535")
    return si


def _dates(si, issued: datetime, next_update: datetime | None, url: str) -> None:
    _el(si, "ListIssueDateTime", _time(issued))
    nu = _el(si, "NextUpdate")
    if next_update is not None:
        _el(nu, "dateTime", _time(next_update))
    _el(_el(si, "DistributionPoints"), "URI", url)


def _sign(root, key_pem: bytes, cert_pem: bytes) -> bytes:
    from signxml.xades import XAdESSigner

    signed = XAdESSigner().sign(root, key=key_pem, cert=cert_pem.decode())
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _pki_file(certs: Path, kind: str, label: str) -> bytes:
    return (certs / ("keys" if kind == "key" else "out") / f"{label}.{kind}.pem").read_bytes()


def make_lotl(certs: Path, *, sequence: int = 1, issued: datetime = ISSUED,
              next_update: datetime | None = NEXT_UPDATE, nl_signer: str = "tl-signer-nl",
              signer: str = "lotl-signer") -> bytes:
    """The test list of trusted lists, pointing to the Dutch list."""
    root = etree.Element(f"{{{TSL}}}TrustServiceStatusList", nsmap={None: TSL, "ns3": ADD},
                         TSLTag="http://uri.etsi.org/19612/TSLTag", Id="lotl")
    si = _scheme(root, territory="EU", list_type=LOTL_TYPE, sequence=sequence, issued=issued,
                 next_update=next_update, operator="ZVH Test Trusted List Operator (TEST ONLY)")
    pointer = _el(_el(si, "PointersToOtherTSL"), "OtherTSLPointer")
    _identity(_el(pointer, "ServiceDigitalIdentities"), "ServiceDigitalIdentity", _pki_file(certs, "cert", nl_signer))
    _el(pointer, "TSLLocation", NL_URL)
    info = _el(pointer, "AdditionalInformation")
    _el(_el(info, "OtherInformation"), "TSLType", GENERIC_TYPE)
    _name(_el(info, "OtherInformation"), "SchemeOperatorName", "ZVH Test Trusted List Operator NL")
    _el(_el(_el(info, "OtherInformation"), "SchemeTypeCommunityRules"), "URI",
        f"{_BASE}/schemerules/NL", **{_X: "en"})
    _el(_el(info, "OtherInformation"), "SchemeTerritory", "NL")
    _el(_el(info, "OtherInformation"), "MimeType", "application/vnd.etsi.tsl+xml", ns=ADD)
    _dates(si, issued, next_update, LOTL_URL)
    return _sign(root, _pki_file(certs, "key", signer), _pki_file(certs, "cert", signer))


def _service(services, *, name: str, ca_pem: bytes, history: tuple[Status, ...]) -> None:
    svc = _el(services, "TSPService")
    current, *older = sorted(history, key=lambda s: s.since, reverse=True)

    def fill(parent, status: Status) -> None:
        _el(parent, "ServiceTypeIdentifier", CA_QC)
        _name(parent, "ServiceName", name)
        _identity(parent, "ServiceDigitalIdentity", ca_pem)
        _el(parent, "ServiceStatus", status.uri)
        _el(parent, "StatusStartingTime", _time(status.since))
        ext = _el(_el(parent, "ServiceInformationExtensions"), "Extension", Critical="false")
        _el(_el(ext, "AdditionalServiceInformation"), "URI", FOR_ESIGNATURES, **{_X: "en"})

    fill(_el(svc, "ServiceInformation"), current)
    if older:
        hist = _el(svc, "ServiceHistory")
        for status in older:
            fill(_el(hist, "ServiceHistoryInstance"), status)


def make_nl_list(certs: Path, *, sequence: int = 1, issued: datetime = ISSUED,
                 next_update: datetime | None = NEXT_UPDATE, ca_label: str = "zvh-ca",
                 history: tuple[Status, ...] = GRANTED_SINCE_2020, signer: str = "tl-signer-nl") -> bytes:
    """The test Dutch trusted list: ``ca_label`` as a qualified CA for e-signatures with
    the status ``history`` (its statuses, each from its ``since``)."""
    root = etree.Element(f"{{{TSL}}}TrustServiceStatusList", nsmap={None: TSL},
                         TSLTag="http://uri.etsi.org/19612/TSLTag", Id="tsl-nl")
    si = _scheme(root, territory="NL", list_type=GENERIC_TYPE, sequence=sequence, issued=issued,
                 next_update=next_update, operator="ZVH Test Trusted List Operator NL (TEST ONLY)")
    _dates(si, issued, next_update, NL_URL)
    tsp = _el(_el(root, "TrustServiceProviderList"), "TrustServiceProvider")
    tinfo = _el(tsp, "TSPInformation")
    _name(tinfo, "TSPName", "ZVH Test PKI (TEST ONLY)")
    _el(_el(tinfo, "TSPInformationURI"), "URI", "http://pki.zvh-test.invalid/", **{_X: "en"})
    _service(_el(tsp, "TSPServices"), name="ZVH Test Issuing CA - qualified certificates (TEST ONLY)",
             ca_pem=_pki_file(certs, "cert", ca_label), history=history)
    return _sign(root, _pki_file(certs, "key", signer), _pki_file(certs, "cert", signer))


def write_default(certs: Path) -> tuple[Path, Path]:
    """certs/out/trusted-lists/eu-lotl.xml and tsl-nl.xml (the demo loads these)."""
    out = certs / "out" / "trusted-lists"
    out.mkdir(parents=True, exist_ok=True)
    lotl, nl = out / "eu-lotl.xml", out / "tsl-nl.xml"
    lotl.write_bytes(make_lotl(certs))
    nl.write_bytes(make_nl_list(certs))
    return lotl, nl


if __name__ == "__main__":  # pragma: no cover
    from . import certs_dir

    for p in write_default(certs_dir()):
        print(p)
