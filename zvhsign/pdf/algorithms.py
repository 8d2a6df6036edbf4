"""Which signature algorithms zvhsign (through pyHanko and pyca/cryptography) can verify.

A signature made with an algorithm that can't be verified here -- a plain-format ECDSA
signature (BSI TR-03111, as some European signature cards make), an elliptic curve
given by explicit parameters or one OpenSSL doesn't know (brainpool "t1" curves), an
unknown digest -- is not evidence of forgery: it is INDETERMINATE, and the message
names the algorithm. Looked at before validation, so it is never reported as a
signature value that does not verify.
"""

from __future__ import annotations

# what pyhanko_certvalidator's signature check implements (sig_validate._validate_raw)
_MECHANISMS = {"rsassa_pkcs1v15", "rsassa_pss", "dsa", "ecdsa", "ed25519", "ed448"}
# digests pyca/cryptography computes for signing and pyHanko for the message digest
_DIGESTS = {
    "sha1", "sha224", "sha256", "sha384", "sha512", "sha512_224", "sha512_256",
    "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake128", "shake256",
}
# names of algorithms that are in use but not verifiable here
_NAMES = {
    "0.4.0.127.0.7.1.1.4.1.1": "ecdsa-plain-SHA1 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.2": "ecdsa-plain-SHA224 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.3": "ecdsa-plain-SHA256 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.4": "ecdsa-plain-SHA384 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.5": "ecdsa-plain-SHA512 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.8": "ecdsa-plain-SHA3-224 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.9": "ecdsa-plain-SHA3-256 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.10": "ecdsa-plain-SHA3-384 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.11": "ecdsa-plain-SHA3-512 (BSI TR-03111)",
    "0.4.0.127.0.7.1.1.4.1.6": "ecdsa-plain-RIPEMD160 (BSI TR-03111)",
    "1.2.643.2.2.3": "GOST R 34.10-2001",
    "1.2.643.7.1.1.3.2": "GOST R 34.10-2012 (256 bit)",
    "1.2.643.7.1.1.3.3": "GOST R 34.10-2012 (512 bit)",
    "1.2.156.10197.1.501": "SM2 with SM3",
    "1.2.643.7.1.1.2.2": "GOST R 34.11-2012 (256 bit)",
    "1.2.643.7.1.1.2.3": "GOST R 34.11-2012 (512 bit)",
    "1.2.156.10197.1.401": "SM3",
    "1.3.36.3.2.1": "RIPEMD-160",
    "1.3.36.3.3.2.8.1.1.8": "brainpoolP256t1",
    "1.3.36.3.3.2.8.1.1.10": "brainpoolP320t1",
    "1.3.36.3.3.2.8.1.1.12": "brainpoolP384t1",
    "1.3.36.3.3.2.8.1.1.14": "brainpoolP512t1",
    "1.3.36.3.3.2.8.1.1.9": "brainpoolP320r1",
}


def _name(oid) -> str:
    dotted = oid.dotted
    if dotted in _NAMES:
        return f"{_NAMES[dotted]}, OID {dotted}"
    native = oid.native
    return native if native != dotted else f"OID {dotted}"


def _key_problem(cert) -> str | None:
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_der_public_key(cert.public_key.dump())
        return None
    except Exception:
        pass
    try:
        algo = cert.public_key["algorithm"]
        if algo["algorithm"].native == "ec":
            params = algo["parameters"]
            if params.name == "named":
                return f"the signer's elliptic curve ({_name(params.chosen)}) is not supported"
            if params.name == "specified":
                return ("the signer's elliptic curve is given by explicit parameters instead of a "
                        "named curve, which is not supported")
            return "the signer's elliptic curve (implicit parameters) is not supported"
        return f"the signer's public key type ({_name(algo['algorithm'])}) is not supported"
    except Exception:
        return "the signer's public key can't be read"


def unsupported_algorithm(signer_info, cert) -> str | None:
    """Why a CMS signer info's algorithms can't be verified here, naming the algorithm;
    None when they can (whether the signature then verifies is another matter)."""
    digest = signer_info["digest_algorithm"]["algorithm"]
    if digest.native not in _DIGESTS:
        return f"the digest algorithm {_name(digest)} is not supported"
    sa = signer_info["signature_algorithm"]
    try:
        mechanism = sa.signature_algo
    except (ValueError, KeyError):
        mechanism = sa["algorithm"].native
    if mechanism not in _MECHANISMS:
        return f"the signature algorithm {_name(sa['algorithm'])} is not supported"
    try:
        hash_algo = sa.hash_algo
    except (ValueError, KeyError):
        hash_algo = None
    if hash_algo is not None and hash_algo not in _DIGESTS:
        return f"the signature algorithm {_name(sa['algorithm'])} uses a digest that is not supported"
    if cert is not None:
        return _key_problem(cert)
    return None
