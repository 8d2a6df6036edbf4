"""eIDAS qualification of one validated signature, from the loaded trusted lists.

pyHanko's :class:`QualificationAssessor` does the ETSI TS 119 615 work (the
QcStatements of the signer's certificate, the trusted-list service of an issuer
on the validation path, its status history and qualifiers at the signing time);
this module turns its answer into zvhsign's typed fact
(:class:`~zvhsign.domain.qualification.QualificationEvidence`) with reasons a
person can read: :class:`~zvhsign.domain.qualification.QualificationReason` facts,
an English msgid marked with ``N_`` (translated where it is shown) and its parameters.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from ..domain.qualification import (
    NOT_ASSESSED,
    KeyProtection,
    Qualification,
    QualificationEvidence,
    QualificationReason,
)
from ..errors import N_

_KEY = {
    "QSCD": KeyProtection.QSCD,
    "QSCD_DELEGATED": KeyProtection.QSCD_MANAGED_ON_BEHALF,
    "QSCD_BY_POLICY": KeyProtection.QSCD_BY_POLICY,
    "UNKNOWN": KeyProtection.UNKNOWN,
}
_TYPE = {"qct_esign": "esign", "qct_eseal": "eseal", "qct_web": "web"}
#: why a key counts as being in a QSCD (the reason of a QES)
_IN_QSCD = {
    KeyProtection.QSCD: N_("the key is in a qualified signature creation device (QSCD)"),
    KeyProtection.QSCD_MANAGED_ON_BEHALF: N_("the key is in a QSCD managed on behalf of the signer "
                                             "(remote signing service)"),
    KeyProtection.QSCD_BY_POLICY: N_("the key is in a QSCD by the certificate policy (QCP+)"),
}
_STATEMENT = {"qc_compliance": "QcCompliance", "qc_sscd": "QcSSCD", "qc_type": "QcType"}


def qc_statements(cert) -> tuple[str, ...]:
    """The QcStatements (ETSI EN 319 412-5) the certificate itself carries, by name."""
    from pyhanko.sign.ades import qualified_asn1

    out = []
    try:
        statements = qualified_asn1.get_qc_statements(cert)
    except Exception:  # a malformed extension: the certificate claims nothing we can read
        return ("unreadable QcStatements",)
    for st in statements:
        name = st["statement_id"].native
        label = _STATEMENT.get(name, str(name))
        if name == "qc_type":
            try:
                label += "=" + ",".join(_TYPE.get(t.native, str(t.native)) for t in st["statement_info"])
            except Exception:
                pass
        out.append(label)
    return tuple(out)


def _listed_at_any_time(registry, path) -> list:
    return [sd for ca in path.iter_authorities() for sd in registry.applicable_service_definitions(ca, None)]


def _at(moment: datetime) -> str:
    """A moment as a reason's parameter (ISO 8601, to the second; shown in local time by the report)."""
    return moment.isoformat(timespec="seconds")


def _unqualified_reasons(registry, path, statements, moment) -> tuple[QualificationReason, ...]:
    R = QualificationReason.of
    listed_ever = _listed_at_any_time(registry, path)
    if not listed_ever:
        return (R(N_("no issuer on the certificate's chain is a qualified trust service on a loaded trusted list")),)
    if not any(sd for ca in path.iter_authorities() for sd in registry.applicable_service_definitions(ca, moment)):
        return (R(N_("the trusted-list service {service!r} was not granted (withdrawn or not yet granted) at {at}"),
                  service=listed_ever[0].base_info.service_name, at=_at(moment)),)
    if "QcCompliance" not in statements:
        return (R(N_("the certificate does not declare itself qualified (no QcCompliance statement) and the "
                     "trusted list does not qualify it")),)
    return (R(N_("the trusted-list entries for the issuer do not make this certificate qualified")),)


def assess(env, status, best_time: datetime | None) -> QualificationEvidence:
    """The qualification of the signature whose pyHanko validation ``status`` is given.

    ``env``: the TrustEnv; its ``tsp_registry`` holds the loaded trusted lists (None: none
    loaded). The assessment is made for the signature's proven time (``best_time``);
    without one, for the validation time, as the EU DSS validator does."""

    return assess_path(env, getattr(status, "validation_path", None), getattr(status, "signing_cert", None),
                       best_time)


def assess_path(env, path, cert, best_time: datetime | None) -> QualificationEvidence:
    """The qualification of a signature by ``cert`` whose chain validated as ``path``
    (None: it did not), proven to exist at ``best_time``."""
    import dataclasses

    if env.tsp_registry is None:
        return NOT_ASSESSED
    found = _assess(env.tsp_registry, path, cert, best_time, env.moment)
    if env.stale_lists:
        stale = QualificationReason.of(
            N_("trusted list(s) {territories} past their next update: a newer list may say otherwise"),
            territories=", ".join(env.stale_lists))
        found = dataclasses.replace(found, stale_lists=tuple(env.stale_lists), reasons=found.reasons + (stale,))
    return found


def _assess(registry, path, cert, best_time: datetime | None, validation_time: datetime | None) -> QualificationEvidence:
    R = QualificationReason.of
    statements = qc_statements(cert) if cert is not None else ()
    moment = best_time or validation_time or datetime.now(timezone.utc)
    proven = best_time is not None
    if path is None:
        return QualificationEvidence(
            level=Qualification.INDETERMINATE, qc_statements=statements, assessed_at=moment,
            reasons=(R(N_("the signer's certificate chain did not validate, so no trusted-list service "
                          "could be found for it")),),
        )
    from pyhanko.sign.validation.qualified.assess import QualificationAssessor

    logging.getLogger("pyhanko.sign.validation.qualified.assess").setLevel(logging.ERROR)
    try:
        result = QualificationAssessor(registry).check_entity_cert_qualified(path, moment)
    except (NotImplementedError, ValueError) as exc:
        return QualificationEvidence(
            level=Qualification.INDETERMINATE, qc_statements=statements, assessed_at=moment,
            reasons=(R(N_("the certificate's qualification statements could not be read: {error}"), error=exc),),
        )
    st = result.status
    sd = result.service_definition
    key = _KEY.get(st.qc_key_security.name, KeyProtection.UNKNOWN)
    ctype = _TYPE.get(st.qc_type.value) if st.qualified else None
    timing = [] if proven else [R(N_("no proven signing time: assessed at the validation time"))]
    if not st.qualified:
        return QualificationEvidence(
            level=Qualification.ADES, qc_statements=statements, assessed_at=moment,
            reasons=_unqualified_reasons(registry, path, statements, moment) + tuple(timing),
        )
    service = dict(
        service_name=sd.base_info.service_name if sd else None,
        service_status="granted" if sd else None,
    )
    reasons = [R(N_("qualified certificate ({type}) issued under {service!r}, granted at {at}"),
                 type=ctype, service=service["service_name"], at=_at(moment))]
    if ctype != "esign":
        level = Qualification.ADES_QC
        reasons.append(R(N_("the certificate is qualified for {type}, not for electronic signatures"), type=ctype))
    elif key is KeyProtection.UNKNOWN:
        level = Qualification.ADES_QC
        reasons.append(R(N_("the key is not declared to be in a qualified signature creation device "
                            "(no QcSSCD statement, no QSCD qualifier on the trusted list)")))
    else:
        level = Qualification.QES
        reasons.append(R(_IN_QSCD[key]))
    if level is Qualification.QES and not proven:
        level = Qualification.INDETERMINATE
        reasons.append(R(N_("qualified at the validation time, but without a proven signing time it is not "
                            "shown that it was qualified when signed")))
    return QualificationEvidence(
        level=level, qualified_certificate=True, certificate_type=ctype, key_protection=key,
        qc_statements=statements, assessed_at=moment, reasons=tuple(reasons + timing), **service,
    )


#: ETSI TS 119 102-2 SignatureQualityInformation, in the words of the EU DSS validator
_QUALITY_URI = "urn:cef:dss:signatureQualification:"
_QUALITY = {
    (Qualification.QES, "esign"): "QESig",
    (Qualification.ADES_QC, "esign"): "AdESig-QC",
    (Qualification.ADES_QC, "eseal"): "AdESeal-QC",
    (Qualification.ADES, None): "AdES",
    (Qualification.INDETERMINATE, None): "INDETERMINATE",
}


def with_signature_quality(part, q: QualificationEvidence):
    """The ETSI report part ``(report, objects)`` of one signature with its qualification
    as SignatureQuality (unchanged when not assessed, or no part was made)."""
    import dataclasses

    if part is None or q.level is Qualification.NOT_ASSESSED:
        return part
    name = _QUALITY.get((q.level, q.certificate_type)) or _QUALITY.get((q.level, None)) or q.level.value
    from pyhanko.generated.etsi import ts_11910202

    report, objects = part
    quality = ts_11910202.SignatureQualityType(signature_quality_information=(_QUALITY_URI + name,))
    return dataclasses.replace(report, signature_quality=quality), objects
