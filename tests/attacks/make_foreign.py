"""Foreign signatures for the attack tests: copies signed with other algorithms (plain ECDSA,
brainpool curves) and a real signature whose CMS is re-encoded with minor DER deviations, as
other products make them (split from make.py; loaded by conftest.py as ``foreign``)."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path


# ------------------------------------------------- signatures with other algorithms (issue 11)


def issue_ec_certificate(certs: Path, curve_name: str, label: str):
    """A signer certificate for a new EC key on ``curve_name`` (a pyca/cryptography curve
    class name, e.g. "BrainpoolP256R1"), issued by the test PKI's issuing CA (its key is in
    certs/keys: TEST ONLY). Returns (private key, certificate), both pyca objects."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = serialization.load_pem_private_key((certs / "keys" / "zvh-ca.key.pem").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((certs / "out" / "zvh-ca.cert.pem").read_bytes())
    key = ec.generate_private_key(getattr(ec, curve_name)())
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{label} (TEST ONLY)"),
        ]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert, ca_cert


def sign_with_ec_key(data: bytes, certs: Path, curve_name: str, *, plain: bool = False,
                     field_name: str = "ZVH_Handtekening_01") -> bytes:
    """A real PAdES B-B signature by a new EC key (pyHanko's signer). ``plain``: the signature
    value in the plain r||s format with the ecdsa-plain-SHA256 OID (BSI TR-03111), as some
    European signature cards make it -- pyHanko can't verify that format."""
    from asn1crypto import algos
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert, ca_cert = issue_ec_certificate(certs, curve_name, f"{curve_name} signer")

    class PlainEcdsaSigner(signers.SimpleSigner):
        def get_signature_mechanism_for_digest(self, digest_algorithm):
            return algos.SignedDigestAlgorithm({"algorithm": "0.4.0.127.0.7.1.1.4.1.3"})

        async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            n = (key.curve.key_size + 7) // 8
            return r.to_bytes(n, "big") + s.to_bytes(n, "big")

    def der(c):
        return ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    signer = (PlainEcdsaSigner if plain else signers.SimpleSigner)(
        signing_key=akeys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        signing_cert=der(cert),
        cert_registry=SimpleCertificateStore.from_certs([der(ca_cert)]),
    )
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                        subfilter=SigSeedSubFilter.PADES)
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    asyncio.run(signers.PdfSigner(meta, signer).async_sign_pdf(writer, output=out))
    return out.getvalue()


# ------------------------------------ a foreign CMS with minor DER deviations (issue 11)


def _tlv(buf: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start of contents, end) of the DER element at ``i``."""
    n = buf[i + 1]
    if n & 0x80:
        k = n & 0x7F
        return buf[i], i + 2 + k, i + 2 + k + int.from_bytes(buf[i + 2:i + 2 + k], "big")
    return buf[i], i + 2, i + 2 + n


def _indefinite(tag: int, contents: bytes) -> bytes:
    return bytes([tag, 0x80]) + contents + b"\x00\x00"


def _children(buf: bytes, start: int, end: int):
    i = start
    while i < end:
        tag, c1, c2 = _tlv(buf, i)
        yield tag, buf[i:c2], buf[c1:c2]
        i = c2


def cms_reencoded(signed: bytes, variant: str) -> bytes:
    """The last signature's CMS (its revision is the file's last, so no later signature covers
    its /Contents) re-encoded with a deviation from DER that BER allows, as some signing
    products write it: ``indefinite`` (every constructed element up to the signer info with
    indefinite length), ``long-length`` (a non-minimal length), ``trailing-garbage`` (bytes
    after the DER that are not zero padding). The signed bytes and the signature value stay
    the same."""
    spans = [(m.start(1), m.end(1)) for m in re.finditer(rb"/Contents\s*<([0-9A-Fa-f]+)>", signed)]
    start, end = spans[-1]
    raw = bytes.fromhex(signed[start:end].decode())
    _, c1, c2 = _tlv(raw, 0)
    der = raw[:c2]
    if variant == "long-length":
        new = b"\x30\x84" + (c2 - c1).to_bytes(4, "big") + der[c1:c2]
    elif variant == "trailing-garbage":
        new = der + b"\x05\x00garbage after the CMS"
    elif variant == "indefinite":
        (_, oid, _), (_, _, explicit) = list(_children(der, c1, c2))
        _, s1, s2 = _tlv(explicit, 0)  # SignedData
        parts = []
        for tag, whole, contents in _children(explicit, s1, s2):
            if tag == 0x31 and whole is not None and explicit.endswith(whole):  # signerInfos
                infos = []
                for _t, info, _c in _children(contents, 0, len(contents)):
                    _, i1, i2 = _tlv(info, 0)
                    fields = [_indefinite(0xA0, c) if t == 0xA0 else w for t, w, c in _children(info, i1, i2)]
                    infos.append(_indefinite(0x30, b"".join(fields)))  # signed attributes: [0] indefinite
                whole = _indefinite(0x31, b"".join(infos))
            elif tag == 0xA0:  # certificates
                whole = _indefinite(0xA0, contents)
            parts.append(whole)
        new = _indefinite(0x30, oid + _indefinite(0xA0, _indefinite(0x30, b"".join(parts))))
    else:
        raise ValueError(variant)
    hexed = new.hex().encode()
    assert len(hexed) <= end - start, "the re-encoded CMS does not fit in /Contents"
    return signed[:start] + hexed + b"0" * (end - start - len(hexed)) + signed[end:]
