"""A pyHanko signer that parses its private key once.

pyHanko's ``SimpleSigner`` turns its ``PrivateKeyInfo`` back into a cryptography key on
every raw signature (``load_der_private_key``), and cryptography checks an RSA key each
time it loads one: ~40 ms for RSA-2048 on these machines. pyHanko signs twice for one
PDF signature (a dry run that sizes the signature container, then the signature), so a
signature paid that check twice after the key file had already been checked once when
it was opened (PKCS#12 or PEM). :class:`KeptKeySigner` keeps the key object made from
the checked key; everything else -- the signature mechanism, the signed attributes, the
CMS -- stays pyHanko's. Mechanisms other than RSA (PKCS#1 v1.5, PSS) and ECDSA go
through pyHanko's own ``sign_raw`` unchanged (benchmarks/sign_vs_pyhanko.py).
"""

from __future__ import annotations

from pyhanko.sign.signers import SimpleSigner


class KeptKeySigner(SimpleSigner):
    """``SimpleSigner`` with the cryptography key object made once, when first needed."""

    _pyca_key = None

    @classmethod
    def of(cls, signer: SimpleSigner) -> KeptKeySigner:
        """The same key, certificate, chain and mechanism as ``signer``."""
        return cls(
            signing_cert=signer.signing_cert, signing_key=signer.signing_key,
            cert_registry=signer.cert_registry, signature_mechanism=signer.signature_mechanism,
            prefer_pss=signer.prefer_pss, embed_roots=signer.embed_roots,
        )

    def belongs_to_certificate(self) -> bool:
        """Whether the private key is the one the signing certificate certifies (its public key
        the certificate's). A key and a certificate that do not belong together sign a PDF that
        no verifier accepts -- a PEM key beside the wrong certificate, or a PKCS#12 file put
        together from the wrong parts."""
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_der_public_key,
        )

        spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        try:
            certified = load_der_public_key(self.signing_cert.public_key.dump())
            return self._key().public_key().public_bytes(*spki) == certified.public_bytes(*spki)
        except (ValueError, TypeError):  # a key or certificate cryptography can't read
            return False

    def _key(self):
        if self._pyca_key is None:
            from cryptography.hazmat.primitives.serialization import load_der_private_key

            # the key was checked when its file was opened (cryptography's PKCS#12/PEM
            # loading); this is that same key's DER, so the check is not repeated
            self._pyca_key = load_der_private_key(
                self.signing_key.dump(), password=None, unsafe_skip_rsa_key_validation=True
            )
        return self._pyca_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        key = self._key()
        if name == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if name == "rsassa_pss" and isinstance(key, RSAPrivateKey):
            padding, hash_algo = process_pss_params(mechanism["parameters"])
            return key.sign(data, padding, hash_algo)
        if name == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, signature_algorithm=ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)
