#!/usr/bin/env python3
"""Render the ZVH Test PKI (TEST ONLY) from ``certs/zvh-test.yml``.

Usage (from anywhere)::

    python certs/generate.py

What it does:

1. generates every RSA-2048 key listed in the config's key set that is missing
   from ``certs/keys/<label>.key.pem`` (unencrypted PKCS#8 PEM -- test only!);
2. renders every certificate with certomancer into
   ``certs/out/<label>.cert.pem``;
3. writes a snapshot CRL of every CRL repository to ``certs/out/<issuer>.crl``
   (DER, issued at the fixed time ``CRL_SNAPSHOT_TIME``; the live server in
   :mod:`zvhsign.testpki` issues fresh ones);
4. writes a PKCS#12 for every personal signing certificate (those with the
   ``digsig-commitment`` profile) to ``certs/out/<label>.p12``: key,
   certificate and its chain (issuing CA, root), passphrase ``zvh-test-only``.

RSA PKCS#1 v1.5 signatures are deterministic, so re-running with the same keys
gives byte-identical certificates and CRLs. PKCS#12 files contain a random
salt, so an existing ``.p12`` is only rewritten when its *contents* (key,
certificate, chain) differ. Files whose bytes did not change are not touched.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml
from asn1crypto import pem
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
import pyhanko.sign.ades.qualified_asn1  # noqa: F401 -- registers the qc_statements extension
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

CERTS_DIR = Path(__file__).resolve().parent
CONFIG_FILE = CERTS_DIR / "zvh-test.yml"
KEYS_DIR = CERTS_DIR / "keys"
OUT_DIR = CERTS_DIR / "out"

ARCH = "zvh-test"
P12_PASSPHRASE = b"zvh-test-only"
SIGNER_PROFILE = "digsig-commitment"
CRL_SNAPSHOT_TIME = datetime(2025, 7, 1, tzinfo=timezone.utc)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def ensure_keys() -> list[str]:
    """Generate missing keys; return the labels that were generated."""
    with CONFIG_FILE.open(encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    keyset = cfg["keysets"][ARCH]
    key_dir = CERTS_DIR / keyset.get("path-prefix", "")
    generated = []
    for label, key_cfg in keyset["keys"].items():
        path = key_dir / key_cfg["path"]
        if path.exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_if_changed(path, data)
        generated.append(label)
    return generated


def load_arch():
    cfg = CertomancerConfig.from_file(str(CONFIG_FILE), key_search_dir=str(CERTS_DIR))
    return cfg.get_pki_arch(ArchLabel(ARCH))


def all_cert_labels(arch) -> list[CertLabel]:
    return [spec.label for _, specs in arch.enumerate_certs_by_issuer() for spec in specs]


def signer_labels(arch) -> list[CertLabel]:
    return [
        lbl
        for lbl in all_cert_labels(arch)
        if SIGNER_PROFILE in {p.value for p in arch.get_cert_spec(lbl).profiles}
    ]


def _p12_contents(key, cert, cas) -> tuple:
    return (
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.DER),
        tuple(c.public_bytes(serialization.Encoding.DER) for c in cas),
    )


def write_p12(arch, label: CertLabel) -> bool:
    path = OUT_DIR / f"{label}.p12"
    spec = arch.get_cert_spec(label)
    key = serialization.load_der_private_key(
        arch.key_set.get_private_key(spec.subject_key).dump(), password=None
    )
    cert = pyca_x509.load_der_x509_certificate(arch.get_cert(label).dump())
    cas = [
        pyca_x509.load_der_x509_certificate(arch.get_cert(c).dump())
        for c in arch.get_chain(label)
    ]
    wanted = _p12_contents(key, cert, cas)
    if path.exists():
        try:
            old_key, old_cert, old_cas = pkcs12.load_key_and_certificates(
                path.read_bytes(), P12_PASSPHRASE
            )
            if _p12_contents(old_key, old_cert, old_cas) == wanted:
                return False
        except Exception:  # unreadable / wrong passphrase: regenerate
            pass
    data = pkcs12.serialize_key_and_certificates(
        name=str(label).encode("utf-8"),
        key=key,
        cert=cert,
        cas=cas,
        encryption_algorithm=serialization.BestAvailableEncryption(P12_PASSPHRASE),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def main() -> int:
    changed: list[str] = []
    for label in ensure_keys():
        changed.append(f"keys/{label}.key.pem (new key)")

    arch = load_arch()
    for label in all_cert_labels(arch):
        data = pem.armor("CERTIFICATE", arch.get_cert(label).dump())
        if _write_if_changed(OUT_DIR / f"{label}.cert.pem", data):
            changed.append(f"out/{label}.cert.pem")

    for repo in arch.service_registry.list_crl_repos():
        crl = arch.service_registry.get_crl(repo.label, CRL_SNAPSHOT_TIME)
        if _write_if_changed(OUT_DIR / f"{repo.for_issuer}.crl", crl.dump()):
            changed.append(f"out/{repo.for_issuer}.crl")

    for label in signer_labels(arch):
        if write_p12(arch, label):
            changed.append(f"out/{label}.p12")

    if changed:
        print("updated:\n  " + "\n  ".join(changed))
    else:
        print("certs/out is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
