"""eIDAS qualification: is a partner signature a qualified electronic signature (QES)?

The qualification itself is a fact the PDF layer establishes from the EU trusted
lists (``SignatureEvidence.qualification``); this rule decides what it means for
the verdict. Without ``[policy] require_qualified`` it only says which signatures
are QES (INFO); with it, a partner signature that is not QES is a finding
(``NOT_QUALIFIED``, at the configured level), and one whose qualification can't be
determined is ``QUALIFICATION_UNKNOWN``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .. import catalogue as C
from ..findings import Finding, Level
from ..qualification import Qualification, QualificationReason
from .base import Context, Scope, Subject


def _why(reasons: tuple[QualificationReason, ...]) -> str:
    """The reasons in English: a finding's message stays English (people read it by its code)."""
    return "; ".join(r.text for r in reasons) if reasons else "no reason recorded"


class QualifiedSignature:
    name = "QUALIFIED_SIGNATURE"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        q = s.sig.qualification
        required = ctx.policy.require_qualified
        if q.level is Qualification.QES:
            yield C.QUALIFIED_SIGNATURE(f"qualified electronic signature (QES): {_why(q.reasons)}")
            if required and q.stale_lists:
                yield C.TRUSTED_LIST_STALE(
                    f"the trusted list(s) of {', '.join(q.stale_lists)} were past their next update; "
                    "a newer list may withdraw the service")
            return
        if not required:
            return  # shown as a fact (verify -v, the report), not judged
        if q.level in (Qualification.ADES, Qualification.ADES_QC):
            code = C.NOT_QUALIFIED
            if ctx.policy.not_qualified_level is Level.WARN:
                code = dataclasses.replace(code, level=Level.WARN)
            yield code(f"{q.level.value}, not a qualified electronic signature: {_why(q.reasons)}")
        else:
            yield C.QUALIFICATION_UNKNOWN(f"qualification {q.level.value}: {_why(q.reasons)}")


RULES = (QualifiedSignature(),)
