"""Verification rules: small objects that turn evidence into named findings.

``base`` defines the one rule protocol and the composite that runs it;
``integrity`` judges the copy and each signature's cryptography and trust;
``authority`` who signed and under which mandate; ``order`` the order between
the documents. :data:`DEFAULT_RULES` is the one rule set every view uses.
"""

from __future__ import annotations

from . import authority, integrity, order, qualification
from .base import AllOf, Context, Rule, RuleSet, Scope, Subject, VerifyPolicy

DEFAULT_RULES = RuleSet(integrity.RULES + authority.RULES + order.RULES + qualification.RULES)

__all__ = ["AllOf", "Context", "DEFAULT_RULES", "Rule", "RuleSet", "Scope", "Subject", "VerifyPolicy"]
