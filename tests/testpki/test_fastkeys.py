"""The test PKI's keys are parsed once (zvhsign/testpki/fastkeys.py): what certomancer
signs with them is unchanged -- signatures verify under the certificates' public keys."""

from __future__ import annotations

from asn1crypto import algos
from certomancer import crypto_utils
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from zvhsign.testpki import load_architecture
from zvhsign.testpki.fastkeys import _backend_class, _parsed


def _public(arch, label):
    return serialization.load_der_public_key(arch.key_set.get_public_key(label).dump())


def test_signatures_verify_and_the_backend_is_certomancers_extension_point():
    arch = load_architecture()
    assert isinstance(crypto_utils.CRYPTO_BACKEND, _backend_class())
    key = arch.key_set.get_private_key("zvh-ca")
    tbs = b"to be signed"
    pkcs1 = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
    sig = crypto_utils.generic_sign(key, tbs, pkcs1)
    _public(arch, "zvh-ca").verify(sig, tbs, padding.PKCS1v15(), hashes.SHA256())
    # an algorithm the fast path does not take (PSS) goes to certomancer's own code
    pss = algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": crypto_utils.optimal_pss_params(
        arch.key_set.get_public_key("zvh-ca"), "sha256")})
    sig = crypto_utils.generic_sign(key, tbs, pss)
    _public(arch, "zvh-ca").verify(
        sig, tbs, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO), hashes.SHA256())


def test_each_signature_does_not_parse_the_key_again():
    arch = load_architecture()
    key = arch.key_set.get_private_key("zvh-ca")
    pkcs1 = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
    crypto_utils.generic_sign(key, b"warm", pkcs1)
    before = _parsed.cache_info()
    for i in range(5):
        crypto_utils.generic_sign(key, b"x%d" % i, pkcs1)
    after = _parsed.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + 5)
