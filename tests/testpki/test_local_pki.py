"""The bundled ZVH Test PKI: committed artefacts and the local HTTP services.

All network traffic goes to 127.0.0.1 (the virtual host pki.zvh-test.invalid
is mapped onto the local server by HostMapResolver).
"""

from __future__ import annotations

import asyncio
import hashlib
import urllib.request
from datetime import datetime, timezone

import pytest
from asn1crypto import cms, crl, ocsp, pem, tsp, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from zvhsign.testpki import (
    TEST_PASSPHRASE,
    TEST_PKI_HOST,
    TSA_URL,
    LocalTestPKI,
    certs_dir,
    load_architecture,
    make_client_session,
)

CERTS = certs_dir()
OUT = CERTS / "out"

CA_LABELS = {"zvh-root", "zvh-ca", "rogue-root"}
SERVICE_LABELS = {"tsa", "tsa-2", "rogue-tsa", "ocsp-responder", "lotl-signer", "tl-signer-nl"}
SIGNER_LABELS = {
    "secretariaat",
    "haarlem-burgemeester",
    "haarlem-secretaris",
    "zandvoort-burgemeester",
    "zandvoort-secretaris",
    "om",
    "politie",
    "rvdk",
    "ggz",
    "reclassering",
    "revoked-signer",
    "expired-signer",
    "untrusted-signer",
    "nonqualified-signer",
}
ALL_LABELS = CA_LABELS | SERVICE_LABELS | SIGNER_LABELS


def load_cert(label: str) -> x509.Certificate:
    _, _, der = pem.unarmor((OUT / f"{label}.cert.pem").read_bytes())
    return x509.Certificate.load(der)


@pytest.fixture(scope="module")
def pki():
    with LocalTestPKI(CERTS) as running:
        yield running


def run(coro):
    return asyncio.run(coro)


# --- committed artefacts ------------------------------------------------------


def test_label_set_matches_config():
    arch = load_architecture(CERTS)
    labels = {
        str(spec.label) for _, specs in arch.enumerate_certs_by_issuer() for spec in specs
    }
    assert labels == ALL_LABELS
    assert {p.name[: -len(".cert.pem")] for p in OUT.glob("*.cert.pem")} == ALL_LABELS
    assert {p.stem for p in OUT.glob("*.p12")} == SIGNER_LABELS


def test_committed_certs_equal_fresh_rendering():
    """certs/out/*.cert.pem is exactly what certomancer renders from the
    committed config + keys now (deterministic RSA signatures)."""
    arch = load_architecture(CERTS)
    for label in ALL_LABELS:
        rendered = arch.get_cert(label).dump()
        assert load_cert(label).dump() == rendered, f"{label}: run certs/generate.py"


def test_serials_explicit_and_unique():
    serials = {(load_cert(lbl).issuer.dump(), load_cert(lbl).serial_number) for lbl in ALL_LABELS}
    assert len(serials) == len(ALL_LABELS)


@pytest.mark.parametrize("label", sorted(SIGNER_LABELS))
def test_p12_opens_with_passphrase_and_has_chain(label):
    data = (OUT / f"{label}.p12").read_bytes()
    key, cert, cas = pkcs12.load_key_and_certificates(data, TEST_PASSPHRASE.encode())
    assert cert.public_bytes(serialization.Encoding.DER) == load_cert(label).dump()
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    chain = [c.public_bytes(serialization.Encoding.DER) for c in cas]
    if label == "untrusted-signer":
        assert chain == [load_cert("rogue-root").dump()]
    else:
        assert chain == [load_cert("zvh-ca").dump(), load_cert("zvh-root").dump()]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(data, b"wrong")


def test_haarlem_burgemeester_subject_is_pkioverheid_like():
    cert = load_cert("haarlem-burgemeester")
    subj = cert.subject.native
    assert subj["country_name"] == "NL"
    assert subj["organization_name"] == "Gemeente Haarlem"
    assert subj["title"] == "burgemeester"
    assert subj["common_name"] == f"{subj['given_name']} {subj['surname']}"
    org_id = subj["organization_identifier"]
    assert org_id.startswith("NTRNL-") and len(org_id) == 14 and org_id[6:].isdigit()
    sn = subj["serial_number"]
    assert len(sn) == 20 and sn.isdigit() and sn[:8] in ("00000001", "00000003")
    # keyUsage digitalSignature + nonRepudiation, critical
    assert cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    ku = [e for e in cert["tbs_certificate"]["extensions"] if e["extn_id"].native == "key_usage"]
    assert ku[0]["critical"].native is True
    # cryptography reads the same attributes
    pc = pyca_x509.load_der_x509_certificate(cert.dump())
    oid = pyca_x509.oid.NameOID
    assert pc.subject.get_attributes_for_oid(oid.TITLE)[0].value == "burgemeester"
    assert pc.subject.get_attributes_for_oid(oid.ORGANIZATION_IDENTIFIER)[0].value == org_id


def test_signer_serial_numbers_distinct_and_revocation_pointers():
    sns = set()
    for label in SIGNER_LABELS:
        cert = load_cert(label)
        sns.add(cert.subject.native["serial_number"])
        assert cert.crl_distribution_points, label
        assert cert.ocsp_urls, label
    assert len(sns) == len(SIGNER_LABELS)
    # the issuing CA is covered by the root's CRL only (no root-signed OCSP:
    # pyHanko's past validation can't use an OCSP response signed by the anchor)
    assert load_cert("zvh-ca").crl_distribution_points and not load_cert("zvh-ca").ocsp_urls


def test_validity_periods():
    def period(lbl):
        v = load_cert(lbl)["tbs_certificate"]["validity"].native
        return v["not_before"].date().isoformat(), v["not_after"].date().isoformat()

    assert period("zvh-root") == period("zvh-ca") == ("2020-01-01", "2050-01-01")
    assert period("om") == period("revoked-signer") == ("2025-01-01", "2035-01-01")
    assert period("expired-signer") == ("2020-06-01", "2022-06-01")


@pytest.mark.parametrize("label", ["tsa", "tsa-2", "rogue-tsa"])
def test_tsa_cert_profiles(label):
    tsa = load_cert(label)
    (eku,) = [
        e
        for e in tsa["tbs_certificate"]["extensions"]
        if e["extn_id"].native == "extended_key_usage"
    ]
    assert eku["critical"].native and eku["extn_value"].native == ["time_stamping"]


def test_second_tsa_outlives_the_first():
    # what `zvhsign extend` renewal rests on (tests/services/test_extend.py)
    first, second = load_cert("tsa"), load_cert("tsa-2")
    assert first.not_valid_after.year == 2035 and second.not_valid_after.year == 2045
    assert second.issuer == load_cert("zvh-ca").subject


def test_ocsp_responder_cert_profile():
    resp = load_cert("ocsp-responder")
    assert resp.extended_key_usage_value.native == ["ocsp_signing"]
    assert resp.ocsp_no_check_value is not None


def test_untrusted_signer_does_not_chain_to_zvh_root():
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError

    untrusted = load_cert("untrusted-signer")
    assert untrusted.issuer == load_cert("rogue-root").subject
    assert untrusted.issuer != load_cert("zvh-ca").subject
    vc = ValidationContext(
        trust_roots=[load_cert("zvh-root")],
        other_certs=[load_cert("zvh-ca"), load_cert("rogue-root")],
        moment=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    with pytest.raises(PathBuildingError):
        run(CertificateValidator(untrusted, validation_context=vc).async_validate_path())


def test_snapshot_crl_of_zvh_ca_lists_revoked_signer():
    crl_list = crl.CertificateList.load((OUT / "zvh-ca.crl").read_bytes())
    revoked = {
        e["user_certificate"].native for e in crl_list["tbs_cert_list"]["revoked_certificates"]
    }
    assert revoked == {load_cert("revoked-signer").serial_number}


# --- local HTTP services ------------------------------------------------------


def test_urls(pki):
    assert pki.tsa_url == TSA_URL == "http://pki.zvh-test.invalid/zvh-test/tsa/tsa"
    assert pki.host_map == {TEST_PKI_HOST: ("127.0.0.1", pki.port)}
    assert pki.base_url == f"http://127.0.0.1:{pki.port}"
    assert pki.local_url(TSA_URL) == f"{pki.base_url}/zvh-test/tsa/tsa"
    with pytest.raises(ValueError):
        pki.local_url("http://example.com/zvh-test/tsa/tsa")
    assert load_cert("om").ocsp_urls == [pki.ocsp_url("zvh-ca")]


def test_server_accepts_virtual_host_header(pki):
    req = urllib.request.Request(
        pki.local_url(pki.crl_url("zvh-ca")), headers={"Host": TEST_PKI_HOST}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        crl.CertificateList.load(resp.read())


def test_tsa_returns_valid_token_signed_by_tsa(pki):
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(b"convenant ZVH Kennemerland").digest()

    async def go():
        async with make_client_session(pki.host_map) as session:
            stamper = HTTPTimeStamper(pki.tsa_url, session=session)
            token = await stamper.async_timestamp(digest, "sha256")
            signed_data = token["content"]
            vc = ValidationContext(trust_roots=[load_cert("zvh-root")])
            status = await validate_tst_signed_data(
                signed_data, vc, expected_tst_imprint=lambda _alg: digest
            )
            return token, status

    token, status = run(go())
    assert isinstance(token, cms.ContentInfo)
    signed_data = token["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    assert isinstance(tst_info, tsp.TSTInfo)
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    sid = signed_data["signer_infos"][0]["sid"].chosen
    tsa_cert = load_cert("tsa")
    assert sid["serial_number"].native == tsa_cert.serial_number
    assert sid["issuer"] == tsa_cert.issuer
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    ts_status = TimestampSignatureStatus(**status)
    assert ts_status.intact and ts_status.valid and ts_status.trusted, (
        ts_status.pretty_print_details()
    )
    assert ts_status.signing_cert.dump() == tsa_cert.dump()


def _ocsp_status(pki, label: str) -> str:
    from pyhanko_certvalidator.authority import AuthorityWithCert
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    async def go():
        async with make_client_session(pki.host_map) as session:
            fetchers = AIOHttpFetcherBackend(session=session).get_fetchers()
            return await fetchers.ocsp_fetcher.fetch(
                load_cert(label), AuthorityWithCert(load_cert("zvh-ca"))
            )

    resp: ocsp.OCSPResponse = run(go())
    assert resp["response_status"].native == "successful"
    basic = resp["response_bytes"]["response"].parsed
    responder = basic["certs"][0]
    assert responder.dump() == load_cert("ocsp-responder").dump()
    single = basic["tbs_response_data"]["responses"][0]
    assert single["cert_id"]["serial_number"].native == load_cert(label).serial_number
    return single["cert_status"]


def test_ocsp_good_for_om(pki):
    assert _ocsp_status(pki, "om").name == "good"


def test_ocsp_revoked_for_revoked_signer(pki):
    status = _ocsp_status(pki, "revoked-signer")
    assert status.name == "revoked"
    assert status.chosen["revocation_reason"].native == "key_compromise"
    assert status.chosen["revocation_time"].native == datetime(2025, 6, 1, tzinfo=timezone.utc)


def test_live_crl_of_zvh_ca_lists_revoked_signer(pki):
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    async def go():
        async with make_client_session(pki.host_map) as session:
            fetchers = AIOHttpFetcherBackend(session=session).get_fetchers()
            return await fetchers.crl_fetcher.fetch(load_cert("om"))

    (crl_list,) = run(go())
    entries = crl_list["tbs_cert_list"]["revoked_certificates"]
    assert [e["user_certificate"].native for e in entries] == [
        load_cert("revoked-signer").serial_number
    ]
    assert entries[0]["crl_entry_extensions"][0]["extn_value"].native == "key_compromise"
    assert crl_list["tbs_cert_list"]["next_update"].native > datetime.now(timezone.utc)


@pytest.mark.parametrize(
    "label, expected",
    [("om", None), ("revoked-signer", "RevokedError"), ("expired-signer", "ExpiredError")],
)
def test_full_path_validation_with_fetching(pki, label, expected):
    """certvalidator, fetching OCSP/CRLs over the mapped host, hard-fail."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    async def go():
        async with make_client_session(pki.host_map) as session:
            vc = ValidationContext(
                trust_roots=[load_cert("zvh-root")],
                other_certs=[load_cert("zvh-ca")],
                allow_fetching=True,
                revocation_mode="hard-fail",
                fetcher_backend=AIOHttpFetcherBackend(session=session),
            )
            validator = CertificateValidator(load_cert(label), validation_context=vc)
            return await validator.async_validate_usage({"non_repudiation"})

    if expected is None:
        path = run(go())
        assert path.first.dump() == load_cert("zvh-root").dump()
    else:
        with pytest.raises(Exception) as excinfo:
            run(go())
        assert type(excinfo.value).__name__ == expected
