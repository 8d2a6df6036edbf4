"""Who signed, in what capacity, under which mandate: the rules on partner signatures.

* ``SIGNER_AUTHORISED`` -- a registered signatory of a partner, in a role that signs
  for it, not retired before the signature was made;
* ``MANDATE_PRESENT`` -- a municipality's signature is by the burgemeester named in
  a registered, validly signed mandate of that municipality covering this version;
* ``MANDATE_PRECEDES_SIGNATURE`` -- proven by evidence, never by a clock claim: the
  signature covers the SHA-256 of the complete signed mandate, or its content
  timestamp (a lower bound) is later than the mandate's signature timestamps; a
  signature proven to exist before the decision date fails;
* ``MANDATE_IN_FORCE`` -- a revoked mandate covers only signatures proven to exist
  before the revocation took effect;
* ``CAPACITY`` -- the capacity stated in the signature matches its partner.

Time: a signature timestamp is an upper bound on signing, a content timestamp a
lower bound; ``ctx.now`` is an upper bound too (the signature exists now).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from ...errors import moment_text
from .. import catalogue as C
from ..attribution import Attribution
from ..findings import Finding
from ..mandates import assess_mandate, capacity_text
from ..parties import normalise_name
from .base import Context, Scope, Subject

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def existed_by(s: Subject, ctx: Context) -> datetime:
    """Upper bound on when the signature was made: its valid timestamp, else now."""
    st = s.sig.signature_timestamp
    return st.time if st is not None and st.ok else ctx.now


def made_after(s: Subject) -> datetime | None:
    """Lower bound on when the signature was made: its valid content timestamp."""
    ct = s.sig.content_timestamp
    return ct.time if ct is not None and ct.ok else None


def _who(a: Attribution) -> str:
    return f"{a.signatory.name}, {a.signatory.role} of {a.partner.name}"


class GovernanceConfigured:
    name = "GOVERNANCE_CONFIGURED"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        if ctx.governance is None:
            yield C.GOVERNANCE_NOT_CONFIGURED(
                "no partners are registered: who signed, in what capacity and order was not checked "
                "(register partners with `zvhsign partner import`)"
            )


class SignerAuthorised:
    name = "SIGNER_AUTHORISED"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        if ctx.governance is None:
            return
        a, cert = s.who, s.sig.signer
        if a is None:
            shown = "an unreadable certificate"
            if cert is not None:
                shown = (cert.common_name or cert.subject) + (f" ({cert.organisation})" if cert.organisation else "")
            yield C.SIGNER_UNKNOWN(f"the signer {shown} is not a registered signatory of any partner")
            return
        if not a.partner.may_sign(a.signatory.role):
            yield C.SIGNER_NOT_AUTHORISED(
                f"{_who(a)} is not in a role that signs for {a.partner.name} "
                f"(roles that do: {', '.join(a.partner.effective_signing_roles)})"
            )
            return
        retired = a.signatory.retired_at
        if retired is not None and existed_by(s, ctx) >= retired:
            after = made_after(s)
            if after is not None and after >= retired:
                yield C.SIGNER_RETIRED(
                    f"{_who(a)} was retired from {moment_text(retired)}; this signature was made after "
                    f"{moment_text(after)} (its content timestamp)"
                )
            else:
                yield C.SIGNER_RETIREMENT_ORDER_UNPROVEN(
                    f"{_who(a)} was retired from {moment_text(retired)}, and it can't be proven that this "
                    "signature was made before then"
                )
            return
        yield C.SIGNER_AUTHORISED(f"signed by {_who(a)} (placed by {a.placed_by})")


class MandatePresent:
    name = "MANDATE_PRESENT"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        a, gov = s.who, ctx.governance
        if gov is None or a is None or not a.partner.is_municipality:
            return
        p, b, av = a.partner, s.sig.binding.mandate_sha256, s.file.approved
        if b and gov.mandate_by_sha(b) is None and gov.mandate_with_revision(b) is None:
            yield C.MANDATE_NOT_REGISTERED(
                f"the signature is bound to mandate {b[:12]}…, which is not a registered mandate"
            )
            return
        m = a.mandate
        if m is None:
            yield C.MANDATE_MISSING(
                f"{p.name} signs through its burgemeester only with a written mandate of the College; "
                "no registered mandate of this municipality"
            )
            return
        problems = []
        if m.partner_key != p.key:
            other = gov.partner(m.partner_key)
            problems.append(C.MANDATE_OTHER_MUNICIPALITY(
                f"the mandate is a decision of {other.name if other else m.terms.municipality}, not of {p.name}"
            ))
        if normalise_name(m.terms.mayor) != normalise_name(a.signatory.name):
            problems.append(C.MANDATE_OTHER_PERSON(
                f"the mandate authorises {m.terms.mayor}, not {a.signatory.name}"
            ))
        if av is None or not m.covers_sha(av.approved_sha256):
            covered = ", ".join(f"{c.document.value} {c.version}" for c in m.terms.covers) or "nothing"
            problems.append(C.MANDATE_OTHER_VERSION(
                f"the mandate covers {covered}, not {av.label if av else 'this (unapproved) document'}"
            ))
        validity = assess_mandate(m, gov.partner(m.partner_key), gov.signatories)
        if validity:
            problems.append(C.MANDATE_NOT_VALIDLY_SIGNED(
                "the mandate is not validly signed by the secretaris and the burgemeester",
                *(f"{f.code}: {f.message}" for f in validity),
            ))
        if problems:
            yield from problems
            return
        yield C.MANDATE_PRESENT(
            f"{a.mandate_how} mandate of {p.name} of {m.terms.decision_date.isoformat()} authorises "
            f"{m.terms.mayor} for {av.label if av else '-'} (mandate {m.sha256.short})"
        )


class MandatePrecedesSignature:
    name = "MANDATE_PRECEDES_SIGNATURE"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        a, gov = s.who, ctx.governance
        if gov is None or a is None or not a.partner.is_municipality:
            return
        b = s.sig.binding.mandate_sha256
        if b and gov.mandate_by_sha(b) is None and (early := gov.mandate_with_revision(b)) is not None:
            yield C.MANDATE_INCOMPLETE_WHEN_SIGNED(
                "the signature is bound to an earlier revision of the registered mandate "
                f"{early.sha256.short} (before all of its signatures): it was signed before the mandate was complete"
            )
            return
        m = a.mandate
        if m is None:
            return  # MANDATE_PRESENT already fails
        st = s.sig.signature_timestamp
        decided = datetime.combine(m.terms.decision_date, time(0), tzinfo=AMSTERDAM)
        if st is not None and st.ok and st.time < decided:
            yield C.SIGNED_BEFORE_MANDATE_DECISION(
                f"the signature existed by {moment_text(st.time)} (its timestamp), before the College "
                f"decided the mandate on {m.terms.decision_date.isoformat()}"
            )
            return
        if b and b == m.sha256.hex:
            yield C.MANDATE_PRECEDES_SIGNATURE(
                "the signature covers the SHA-256 of the complete signed mandate: it was made after "
                "the mandate existed (no clock needed)"
            )
            return
        done_by, done_after, after = m.completed_by, m.completed_after, made_after(s)
        if after is not None and done_by is not None and done_by < after:
            yield C.MANDATE_PRECEDES_SIGNATURE(
                f"the mandate's signatures were timestamped by {moment_text(done_by)}, before the "
                f"signature's content timestamp {moment_text(after)} (a lower bound on signing)"
            )
            return
        if st is not None and st.ok and done_after is not None and st.time < done_after:
            yield C.MANDATE_AFTER_SIGNATURE(
                f"the signature existed by {moment_text(st.time)} (its timestamp), before the mandate "
                f"was complete (not before {moment_text(done_after)})"
            )
            return
        have = []
        if st is not None:
            have.append("a signature timestamp (only an upper bound on signing)")
        if s.sig.claimed_signing_time is not None:
            have.append("a self-reported signing time (a claim)")
        yield C.MANDATE_ORDER_UNPROVEN(
            "it can't be proven that the mandate was complete before this signature: "
            + (" and ".join(have) if have else "no time evidence at all")
        )


class MandateInForce:
    """A mandate the College revoked covers only signatures proven to exist before the
    revocation took effect; a revocation that takes effect later is not in effect yet."""

    name = "MANDATE_IN_FORCE"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        a = s.who
        if ctx.governance is None or a is None or a.mandate is None or a.mandate.revoked_at is None:
            return
        m = a.mandate
        when, by, after = moment_text(m.revoked_at), existed_by(s, ctx), made_after(s)
        if by < m.revoked_at:
            yield C.MANDATE_IN_FORCE(
                f"the mandate {m.sha256.short} is revoked with effect from {when}; this signature "
                f"existed by {moment_text(by)}, while it was in force"
            )
        elif after is not None and after >= m.revoked_at:
            yield C.MANDATE_REVOKED(
                f"signed after {moment_text(after)} (content timestamp), when the mandate "
                f"{m.sha256.short} had been revoked (with effect from {when})"
            )
        else:
            yield C.MANDATE_REVOCATION_ORDER_UNPROVEN(
                f"the mandate {m.sha256.short} was revoked with effect from {when}, and it can't be "
                "proven that this signature was made before then"
            )


class CapacityMatches:
    """The capacity a signature states must be its partner's: a mayor's names the College
    of the mandate's municipality; another partner's never claims a College."""

    name = "CAPACITY"
    scope = Scope.PARTNER

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        a, stated = s.who, s.sig.binding.capacity
        if ctx.governance is None or a is None or not stated:
            return
        if a.partner.is_municipality:
            expected = capacity_text(a.mandate.terms.municipality if a.mandate else a.partner.municipality_name)
            if normalise_name(stated) != normalise_name(expected):
                yield C.CAPACITY_MISMATCH(f"the signature states “{stated}”, expected “{expected}”")
        elif "college van burgemeester" in normalise_name(stated):
            yield C.CAPACITY_MISMATCH(
                f"the signature states “{stated}”, but {a.partner.name} is not a municipality"
            )


RULES = (
    GovernanceConfigured(),
    SignerAuthorised(),
    MandatePresent(),
    MandatePrecedesSignature(),
    MandateInForce(),
    CapacityMatches(),
)
