"""The one rule protocol, and the composite that runs rules.

Every rule is a small object with a ``name``, a :class:`Scope` (what it is
about) and one method, ``check(subject, ctx)``, that yields findings. A rule
set runs them over one file's evidence and returns its verdict; it is the only
place that knows an empty rule set is an error (it fails closed), as
sigstore-python's ``AllOf`` policy does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ...errors import PolicyError
from ..attribution import Attribution, GovernanceContext, attribute
from ..evidence import FileEvidence, SignatureEvidence, SignatureKind
from ..findings import Finding, Level
from ..verdicts import FileVerdict, SignatureVerdict


@dataclass(frozen=True)
class VerifyPolicy:
    """What the secretariat trusts. Trust roots themselves live in the PDF layer's
    validation context; here: whose certification counts as an approval."""

    secretariat_fingerprints: frozenset[str]
    require_signature_timestamp: bool = True
    renew_within_days: int = 180  # warn when a copy's last timestamp expires this soon
    #: every partner signature must be a qualified electronic signature (QES); when one is
    #: not, the finding NOT_QUALIFIED has ``not_qualified_level`` (FAIL or WARN)
    require_qualified: bool = False
    not_qualified_level: Level = Level.FAIL

    def __post_init__(self) -> None:
        if not self.secretariat_fingerprints:
            raise PolicyError(
                "no secretariat certificate is configured, so no approval can be recognised",
                hint="add the secretariat's certificate under [trust] in zvhsign.toml",
            )


class Scope(str, enum.Enum):
    FILE = "file"  # the copy as a whole (subject.sig is None)
    SIGNATURE = "signature"  # every signature and document timestamp
    PARTNER = "partner"  # every partner signature (who signed, capacity, order)


@dataclass(frozen=True)
class Subject:
    """What a rule looks at: a file, and for signature rules one of its signatures
    with who signed it (decided once, by :func:`~zvhsign.domain.attribution.attribute`)."""

    file: FileEvidence
    sig: SignatureEvidence | None = None
    who: Attribution | None = None


@dataclass(frozen=True)
class Context:
    """What the rules know beyond the file: the policy, the registry's governance facts
    (None: no partners registered) and ``now``, the real time of judgement (a signature
    looked at now certainly exists now: an upper bound on when it was made)."""

    policy: VerifyPolicy
    governance: GovernanceContext | None
    now: datetime


class Rule(Protocol):
    name: str
    scope: Scope

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]: ...


@dataclass(frozen=True)
class AllOf:
    """Runs every rule; an empty list is refused (nothing checked is not a pass)."""

    rules: Sequence[Rule]

    def __post_init__(self) -> None:
        if not self.rules:
            raise PolicyError("empty rule set: refusing to verify with nothing to check")

    def check(self, s: Subject, ctx: Context) -> tuple[Finding, ...]:
        return tuple(f for rule in self.rules for f in rule.check(s, ctx))


@dataclass(frozen=True)
class RuleSet:
    """The rules of each scope, run over one file's evidence into its verdict."""

    rules: Sequence[Rule]

    def __post_init__(self) -> None:
        for scope in Scope:
            AllOf([r for r in self.rules if r.scope is scope])  # each scope has rules

    def _of(self, scope: Scope) -> AllOf:
        return AllOf([r for r in self.rules if r.scope is scope])

    def judge(self, ev: FileEvidence, ctx: Context) -> FileVerdict:
        file_findings = self._of(Scope.FILE).check(Subject(ev), ctx)
        sig_rules, partner_rules = self._of(Scope.SIGNATURE), self._of(Scope.PARTNER)
        sigs = []
        for sig in ev.signatures:
            who = None
            if sig.kind is SignatureKind.SIGNATURE and ctx.governance is not None:
                who = attribute(sig, ev, ctx.governance, ctx.now)
            s = Subject(ev, sig, who)
            findings = sig_rules.check(s, ctx)
            if sig.kind is SignatureKind.SIGNATURE:
                findings += partner_rules.check(s, ctx)
            sigs.append(SignatureVerdict(sig, findings, who))
        return FileVerdict(evidence=ev, path=ev.path, findings=file_findings, signatures=tuple(sigs))
