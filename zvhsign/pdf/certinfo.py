"""Certificate facts (asn1crypto → domain)."""

from __future__ import annotations

from ..domain.evidence import CertificateInfo

_OID_ORG_IDENTIFIER = "2.5.4.97"


def _attr(name, key: str) -> str | None:
    native = name.native
    value = native.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def certificate_info(cert) -> CertificateInfo:
    """Identity facts of an ``asn1crypto.x509.Certificate``."""
    subject = cert.subject
    ku = ()
    try:
        if cert.key_usage_value is not None:
            ku = tuple(sorted(cert.key_usage_value.native))
    except ValueError:
        ku = ()
    org_id = _attr(subject, "organization_identifier")
    if org_id is None:
        for rdn in subject.chosen:
            for atv in rdn:
                if atv["type"].dotted == _OID_ORG_IDENTIFIER:
                    org_id = str(atv["value"].native)
    validity = cert["tbs_certificate"]["validity"]
    return CertificateInfo(
        subject=subject.human_friendly,
        common_name=_attr(subject, "common_name"),
        organisation=_attr(subject, "organization_name"),
        organisation_identifier=org_id,
        subject_serial_number=_attr(subject, "serial_number"),
        title=_attr(subject, "title"),
        issuer=cert.issuer.human_friendly,
        serial_hex=format(cert.serial_number, "x"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        fingerprint_sha256=cert.sha256.hex(),
        key_usage=ku,
    )
