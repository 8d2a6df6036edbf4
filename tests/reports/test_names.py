"""Certificate subjects as names: both spellings the report meets (RFC 4514 as the audit log
keeps trust settings, asn1crypto's as the evidence holds them), from the test PKI's real
certificates; every known attribute by its Dutch label, never its OID."""

from __future__ import annotations

import re

import pyhanko.sign.ades.qualified_asn1  # noqa: F401 -- before any certificate is parsed: see below
import pytest
from cryptography import x509

from zvhsign.reports.names import dn_details, dn_display, humanise
from zvhsign.testpki import certs_dir

CERTS = certs_dir() / "out"


def rfc4514(label: str) -> str:
    return x509.load_pem_x509_certificate((CERTS / f"{label}.cert.pem").read_bytes()).subject.rfc4514_string()


def friendly(label: str) -> str:
    # asn1crypto caches its extension-name map on first use; the test PKI's qc_statements
    # extension (registered by importing pyhanko.sign.ades.qualified_asn1, as
    # zvhsign.testpki.load_architecture does) must be known before that, or the served
    # OCSP responder can't build the signer certificates later in this process
    from pyhanko.keys import load_cert_from_pemder

    from zvhsign.pdf.certinfo import certificate_info

    return certificate_info(load_cert_from_pemder(str(CERTS / f"{label}.cert.pem"))).subject


@pytest.mark.parametrize("spelling", [rfc4514, friendly])
def test_a_person_is_name_function_and_organisation(spelling) -> None:  # noqa: ANN001
    subject = spelling("om")
    assert "2.5.4.97" in subject or "Organization Identifier" in subject  # what we start from
    assert dn_display(subject) == "Saskia Terpstra (hoofdofficier van justitie, Openbaar Ministerie)"
    details = dn_details(subject)
    assert "organisatie-identificatie (organizationIdentifier): NTRNL-90000044" in details
    assert "voornaam: Saskia" in details and "achternaam: Terpstra" in details and "land: NL" in details
    assert not re.search(r"\d+\.\d+\.\d+", details)


def test_a_ca_is_its_name_and_organisation() -> None:
    assert dn_display(rfc4514("zvh-root")) == "ZVH Test Root CA - TEST ONLY (ZVH Test PKI (TEST ONLY))"


def test_escaped_commas_and_unknown_attributes() -> None:
    assert dn_display(r"CN=Jansen\, P.,O=Gemeente Velsen") == "Jansen, P. (Gemeente Velsen)"
    assert dn_details("1.2.3.4.5=x,CN=A") == "overig kenmerk 1.2.3.4.5: x; naam: A"


def test_a_message_quoting_a_subject_shows_the_name() -> None:
    text = f"signed by {rfc4514('politie')}; not a registered signatory"
    out = humanise(text)
    assert "2.5.4" not in out and "Erik Hoogland" in out and out.endswith("; not a registered signatory")
