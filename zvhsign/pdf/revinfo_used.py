"""Which revocation data a verdict rests on (``evidence_used.revocation``).

pyHanko reports every OCSP response and CRL its validation had at hand; in a batch
that includes answers fetched for other signatures. Here they are narrowed to those
about a certificate of the signature's own chains (signer, its timestamps, their
CAs), each marked as from the file or fetched, with the subjects it is about.
"""

from __future__ import annotations

import hashlib

from ..domain.evidence import UsedRevocation


def file_revinfo_digests(embedded_sig, reader) -> set[str]:
    """SHA-256 of every OCSP response and CRL the file itself carries (DSS, and the
    signature's Adobe revinfo attribute)."""
    from pyhanko.sign.validation import ades

    digests: set[str] = set()
    for load in (
        lambda: ades._dss_to_local_knowledge(reader=reader),
        lambda: ades._adobe_revinfo_archival_to_local_knowledge(embedded_sig),
    ):
        try:
            known = load()
        except Exception:
            continue
        for obj in list(known.known_ocsps) + list(known.known_crls):
            obj = getattr(obj, "ocsp_response_data", None) or getattr(obj, "crl_data", obj)
            digests.add(hashlib.sha256(obj.dump()).hexdigest())
    return digests


def path_certs(*statuses, extra=()) -> list:
    """The certificates (not the roots) of the validation paths in pyHanko statuses."""
    certs = [c for c in extra if c is not None]
    for st in statuses:
        path = getattr(st, "validation_path", None) if st is not None else None
        if path is None:
            continue
        try:
            certs.extend(path.iter_certs(include_root=False))
        except Exception:
            continue
    return certs


def _ocsp_about(resp, certs) -> list[str] | None:
    """The subjects of those ``certs`` an OCSP response (asn1crypto OCSPResponse)
    answers for; None when that can't be read."""
    try:
        about = []
        responses = resp["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
        for single in responses:
            cid = single["cert_id"]
            algo = cid["hash_algorithm"]["algorithm"].native
            for cert in certs:
                if (
                    cid["serial_number"].native == cert.serial_number
                    and hashlib.new(algo, cert.issuer.dump()).digest() == cid["issuer_name_hash"].native
                ):
                    about.append(cert.subject.human_friendly)
        return list(dict.fromkeys(about))
    except Exception:
        return None


def revocation_used(ocsps, crls, from_file: set[str], certs=None) -> tuple[UsedRevocation, ...]:
    """Describe OCSP responses (asn1crypto OCSPResponse) and CRLs (CertificateList).
    With ``certs`` (the signature's chains), only the data about these certificates,
    each with the subjects it is about."""
    out: dict[str, UsedRevocation] = {}
    # pyhanko-certvalidator hands out containers or the bare asn1crypto objects
    ocsps = [getattr(o, "ocsp_response_data", o) for o in ocsps]
    crls = [getattr(c, "crl_data", c) for c in crls]
    for resp in ocsps:
        about: list[str] | None = []
        if certs is not None:
            about = _ocsp_about(resp, certs)
            if about == []:
                continue  # about another certificate (another signature of the batch)
        digest = hashlib.sha256(resp.dump()).hexdigest()
        issued = issuer = None
        try:
            data = resp["response_bytes"]["response"].parsed["tbs_response_data"]
            issued = data["produced_at"].native
            rid = data["responder_id"]
            issuer = rid.chosen.human_friendly if rid.name == "by_name" else f"key {rid.chosen.native.hex()}"
        except Exception:
            pass
        out.setdefault(digest, UsedRevocation(
            "ocsp", "file" if digest in from_file else "fetched", issued, issuer, digest, tuple(about or ())
        ))
    for crl in crls:
        about = []
        try:
            crl_issuer = crl["tbs_cert_list"]["issuer"]
            if certs is not None:
                about = list(dict.fromkeys(c.subject.human_friendly for c in certs if c.issuer == crl_issuer))
                if not about:
                    continue
        except Exception:
            pass
        digest = hashlib.sha256(crl.dump()).hexdigest()
        issued = issuer = None
        try:
            issued = crl["tbs_cert_list"]["this_update"].native
            issuer = crl["tbs_cert_list"]["issuer"].human_friendly
        except Exception:
            pass
        out.setdefault(digest, UsedRevocation(
            "crl", "file" if digest in from_file else "fetched", issued, issuer, digest, tuple(about)
        ))
    # in an order of their own, not the order pyHanko happened to fetch them in: the same
    # file verified twice is reported the same way (the file's own data first)
    return tuple(sorted(out.values(), key=lambda r: (r.source != "file", r.kind, r.about, r.issuer or "", r.sha256)))


def revocation_from_result(result, embedded_sig, reader) -> tuple[UsedRevocation, ...]:
    """The revocation data among pyHanko's validation objects (``ValidationObjectSet``)
    about the certificates of the signer's and the signature's timestamps' chains."""
    from pyhanko_certvalidator.ltv.poe import ValidationObjectType

    ocsps, crls = [], []
    try:
        for vo in result.validation_objects:
            if vo.object_type == ValidationObjectType.OCSP_RESPONSE:
                ocsps.append(vo.value.ocsp_response_data)
            elif vo.object_type == ValidationObjectType.CRL:
                crls.append(vo.value.crl_data)
    except Exception:
        return ()
    st = result.api_status
    certs = path_certs(
        st, getattr(st, "timestamp_validity", None), getattr(st, "content_timestamp_validity", None),
        extra=[signer_cert(embedded_sig)],
    )
    return revocation_used(ocsps, crls, file_revinfo_digests(embedded_sig, reader), certs)


def signer_cert(embedded_sig):
    try:
        return embedded_sig.signer_cert
    except Exception:
        return None
