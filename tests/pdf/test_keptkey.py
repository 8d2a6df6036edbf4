"""KeptKeySigner: the same raw signatures as pyHanko's SimpleSigner, the key parsed once."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import algos, x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.signers import SimpleSigner

from zvhsign.domain.secrets import Secret
from zvhsign.pdf.keptkey import KeptKeySigner
from zvhsign.pdf.keys import load_pkcs12
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

DATA = b"approved bytes of the covenant"


def _self_signed(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kept key test")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, algo))
    return a_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer(key, mechanism=None) -> KeptKeySigner:
    return KeptKeySigner(signing_cert=_self_signed(key), signing_key=translate_pyca_cryptography_key_to_asn1(key),
                         cert_registry=None, signature_mechanism=mechanism)


def test_pkcs12_key_gives_a_kept_key_signer_whose_signatures_verify():
    signer = load_pkcs12(certs_dir() / "out" / "om.p12", Secret(TEST_PASSPHRASE, source="test"))
    assert isinstance(signer, KeptKeySigner)
    public = serialization.load_der_public_key(signer.signing_cert.public_key.dump())
    sig = signer.sign_raw(DATA, "sha256")
    public.verify(sig, DATA, padding.PKCS1v15(), hashes.SHA256())  # raises when wrong
    # PKCS#1 v1.5 is deterministic: the very bytes pyHanko's own signer makes
    plain = SimpleSigner(signing_cert=signer.signing_cert, signing_key=signer.signing_key, cert_registry=None)
    assert sig == plain.sign_raw(DATA, "sha256")


def test_the_key_is_parsed_once():
    signer = _signer(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    signer.sign_raw(DATA, "sha256")
    first = signer._pyca_key
    signer.sign_raw(DATA, "sha512")
    assert first is not None and signer._pyca_key is first


def test_rsa_pss():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    mech = algos.SignedDigestAlgorithm({
        "algorithm": "rsassa_pss",
        "parameters": algos.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": "sha256"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
            "salt_length": 32,
        }),
    })
    sig = _signer(key, mech).sign_raw(DATA, "sha256")
    key.public_key().verify(sig, DATA, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())


def test_ecdsa():
    key = ec.generate_private_key(ec.SECP256R1())
    sig = _signer(key).sign_raw(DATA, "sha256")
    key.public_key().verify(sig, DATA, ec.ECDSA(hashes.SHA256()))


def test_other_mechanisms_are_pyhankos_own():
    key = ed25519.Ed25519PrivateKey.generate()
    sig = _signer(key).sign_raw(DATA, "sha512")
    key.public_key().verify(sig, DATA)


def test_a_wrong_digest_is_still_refused():
    with pytest.raises(Exception):  # noqa: B017, PT011 - pyHanko's own error for an unknown digest
        _signer(rsa.generate_private_key(public_exponent=65537, key_size=2048)).sign_raw(DATA, "md-unknown")
