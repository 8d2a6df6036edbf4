"""eIDAS qualification of a signature: QES, AdES with a qualified certificate, or AdES.

What the PDF layer establishes from the EU trusted lists (ETSI TS 119 612) and the
signer's certificate (QcStatements, ETSI EN 319 412-5), as the EU DSS validator
reports it (ETSI TS 119 172-4, TS 119 615). A covenant signed by public bodies
carries the weight of a handwritten signature only when it is a qualified
electronic signature (eIDAS art. 25(2)).

Nothing here decides whether that is acceptable: the rule ``QualifiedRequired``
(rules/authority.py) does, from the workspace policy.

Why a level is what it is comes as :class:`QualificationReason` facts: an English msgid
marked with :func:`~zvhsign.errors.N_` and its named parameters. Whoever shows a reason
chooses its words: JSON and the findings keep the English sentence (:attr:`~QualificationReason.text`),
the Dutch audit report translates the msgid (gettext catalogue ``zvhsign``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..errors import N_


class Qualification(str, enum.Enum):
    """The qualification level of one signature."""

    #: qualified electronic signature: qualified certificate for e-signatures, issued by a
    #: qualified trust service (on a trusted list, granted at the signing time), key in a QSCD
    QES = "QES"
    #: advanced signature with a qualified certificate, but the key is not known to be in a QSCD
    ADES_QC = "AdES-QC"
    #: advanced signature: the certificate is not qualified, or its issuer is not on a trusted list
    ADES = "AdES"
    #: the qualification could not be determined (no proven signing time, the chain did not
    #: validate, conflicting trusted-list entries)
    INDETERMINATE = "INDETERMINATE"
    #: no trusted lists are loaded in this workspace: qualification was not assessed
    NOT_ASSESSED = "NOT-ASSESSED"

    @property
    def is_qualified_signature(self) -> bool:
        return self is Qualification.QES


class KeyProtection(str, enum.Enum):
    """Where the signer's private key is kept, as the certificate and trusted list declare."""

    QSCD = "QSCD"  # a qualified signature creation device held by the signer
    QSCD_MANAGED_ON_BEHALF = "QSCD-managed-on-behalf"  # a remote signing service's QSCD
    QSCD_BY_POLICY = "QSCD-by-policy"  # pre-eIDAS QCP+ policy
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class QualificationReason:
    """One reason for a qualification level, as a fact with parameters: its wording is
    chosen where it is shown (English in JSON and findings, Dutch in the report)."""

    #: the English sentence with named ``str.format`` fields, marked with ``errors.N_`` where
    #: it is written (so ``pybabel extract`` puts it in the catalogue), e.g.
    #: ``"the certificate is qualified for {type}, not for electronic signatures"``
    msgid: str
    #: the values of the msgid's fields, as ``(name, value)`` pairs, values as shown (strings)
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, msgid: str, /, **params: object) -> QualificationReason:
        """The reason ``msgid`` with its fields ``params`` (each value kept as its ``str``)."""
        return cls(msgid, tuple((name, str(value)) for name, value in params.items()))

    @property
    def text(self) -> str:
        """The English sentence: the msgid with its parameters filled in."""
        return self.msgid.format(**dict(self.params))

    def said(self, gettext: Callable[[str], str]) -> str:
        """The sentence in the language of ``gettext``; the English :attr:`text` when the
        translation does not fit the parameters (a reason never stops a report)."""
        try:
            return gettext(self.msgid).format(**dict(self.params))
        except (KeyError, IndexError, ValueError, AttributeError):
            return self.text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class QualificationEvidence:
    """What the trusted lists and the signer's certificate say about one signature."""

    level: Qualification
    #: the certificate is qualified (QcCompliance, or the trusted list's qualifiers say so)
    qualified_certificate: bool = False
    #: the certificate's type: "esign", "eseal" or "web" (None: not qualified)
    certificate_type: str | None = None
    key_protection: KeyProtection = KeyProtection.UNKNOWN
    #: the QcStatements the certificate itself carries (e.g. "QcCompliance", "QcSSCD", "QcType=esign")
    qc_statements: tuple[str, ...] = ()
    #: the trusted-list service under which the issuer is qualified, its country and the
    #: status it had at the signing time (e.g. ".../Svcstatus/granted")
    service_name: str | None = None
    service_territory: str | None = None
    service_status: str | None = None
    #: the moment the assessment was made for (the signature's proven time, else None)
    assessed_at: datetime | None = None
    #: why the level is what it is, one reason per item (``str(reason)``: the English sentence)
    reasons: tuple[QualificationReason, ...] = ()
    #: territories of the trusted lists used that were past their next update
    stale_lists: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "level": self.level.value,
            "qualified_certificate": self.qualified_certificate,
            "certificate_type": self.certificate_type,
            "key_protection": self.key_protection.value,
            "qc_statements": list(self.qc_statements),
            "service": {
                "name": self.service_name,
                "territory": self.service_territory,
                "status": self.service_status,
            },
            "assessed_at": self.assessed_at.isoformat() if self.assessed_at else None,
            "reasons": [r.text for r in self.reasons],
            "stale_lists": list(self.stale_lists),
        }


NOT_ASSESSED = QualificationEvidence(
    level=Qualification.NOT_ASSESSED,
    reasons=(QualificationReason(N_("no trusted lists are loaded in this workspace (zvhsign trust tl add)")),),
)
