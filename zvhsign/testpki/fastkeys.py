"""The test PKI's keys, parsed once (TEST ONLY).

certomancer's pyca/cryptography backend parses a private key every time it is used: once
when the architecture loads (twice, PEM then DER) and again for every OCSP response, CRL
and timestamp token it signs. For an RSA key each parse runs cryptography's RSA
consistency check (~56 ms here), so loading the 23 test keys cost ~2.6 s of CPU and every
answer another ~56 ms -- in every command of the demo and the tests that serves the test
PKI. This backend (certomancer's own extension point, ``crypto_utils.CRYPTO_BACKEND``) keeps
each parsed key and skips the check with cryptography's documented
``unsafe_skip_rsa_key_validation``: the keys are the repository's own test keys, never
key material from outside. What is signed, and how, is certomancer's unchanged."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def _parsed(der: bytes):  # noqa: ANN202
    from cryptography.hazmat.primitives import serialization

    return serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)


def install() -> None:
    """Make certomancer use this backend in this process (idempotent)."""
    from certomancer import crypto_utils

    if isinstance(crypto_utils.CRYPTO_BACKEND, _backend_class()):
        return
    crypto_utils.CRYPTO_BACKEND = _backend_class()()


@functools.lru_cache(maxsize=1)
def _backend_class():  # noqa: ANN202
    from asn1crypto import keys
    from certomancer.crypto_utils import PycaCryptographyBackend

    class TestKeyBackend(PycaCryptographyBackend):
        def load_private_key(self, key_bytes, password):  # noqa: ANN001, ANN201
            from asn1crypto import pem
            from cryptography.hazmat.primitives import serialization

            load = serialization.load_pem_private_key if pem.detect(key_bytes) else serialization.load_der_private_key
            key = load(key_bytes, password=password, unsafe_skip_rsa_key_validation=True)
            der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            _parsed(der)  # kept for signing
            public = key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
            return keys.PrivateKeyInfo.load(der), keys.PublicKeyInfo.load(public)

        def generic_sign(self, private_key, tbs_bytes, sd_algo):  # noqa: ANN001, ANN201
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

            key = _parsed(private_key.dump())
            algo = sd_algo.signature_algo
            if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())
            if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(tbs_bytes, ec.ECDSA(getattr(hashes, sd_algo.hash_algo.upper())()))
            return super().generic_sign(private_key, tbs_bytes, sd_algo)  # PSS, DSA, EdDSA: as is

    return TestKeyBackend
