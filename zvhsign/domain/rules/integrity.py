"""Integrity and trust rules: is this an approved version with only signatures added,
and is every signature intact, valid, trusted and timestamped?"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from .. import catalogue as C
from ..evidence import UNREADABLE_HERE, ChangeKind, FileEvidence, Indication, SignatureKind, TimestampEvidence
from ..findings import Finding
from .base import Context, Scope, Subject


# --------------------------------------------------------------------------- file rules


def is_audit_report(ev: FileEvidence) -> bool:
    """A file that is not a signed copy but an audit report zvhsign signed for the
    secretariat (its signature is checked by :class:`ApprovedVersionFound`)."""
    return ev.approved is None and any(s.kind is SignatureKind.REPORT for s in ev.signatures)


class ApprovedVersionFound:
    name = "APPROVED_VERSION"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev, policy = s.file, ctx.policy
        if is_audit_report(ev):
            reports = [s for s in ev.signatures if s.kind is SignatureKind.REPORT]
            others = [s for s in ev.signatures if s.kind in (SignatureKind.SIGNATURE, SignatureKind.CERTIFICATION)]
            by = reports[0].signer
            if by is None or by.fingerprint_sha256 not in policy.secretariat_fingerprints:
                who = by.subject if by else "an unknown signer"
                yield C.REPORT_NOT_BY_SECRETARIAT(f"an audit report must be signed by the secretariat, this one is signed by {who}",
                )
            elif len(reports) > 1 or others:
                yield C.REPORT_SIGNATURES_UNEXPECTED("an audit report carries exactly one signature")
            else:
                yield C.AUDIT_REPORT("an audit report signed by the secretariat")
            return
        if ev.approved is None:
            yield C.APPROVED_VERSION_NOT_FOUND("no revision of this file is a registered approved version "
                "(the approved file was changed, rewritten or never approved)",
            )
        elif ev.approved.superseded_by:
            yield C.VERSION_SUPERSEDED(f"signed on {ev.approved.label}, which is superseded by version "
                f"{ev.approved.superseded_by}: a new signature is needed",
            )
        else:
            yield C.APPROVED_VERSION(f"contains approved {ev.approved.label} "
                f"(decided on {ev.approved.decided_on.isoformat()})",
            )


_CHANGE_CODES = {
    ChangeKind.PAGE_CONTENT: C.CONTENT_CHANGED_AFTER_APPROVAL,
    ChangeKind.PAGES: C.PAGES_CHANGED_AFTER_APPROVAL,
    ChangeKind.ANNOTATION: C.ANNOTATION_CHANGED_AFTER_APPROVAL,
    ChangeKind.FORM: C.FORM_CHANGED_AFTER_APPROVAL,
    ChangeKind.SIGNATURE_FIELD: C.SIGNATURE_FIELD_TAMPERED,
    ChangeKind.CATALOG: C.DOCUMENT_STRUCTURE_CHANGED,
    ChangeKind.METADATA: C.STAMP_METADATA_CHANGED,
    ChangeKind.VALIDATION_DATA: C.VALIDATION_DATA_REMOVED,
    ChangeKind.DOCUMENT_METADATA: C.DOCUMENT_METADATA_CHANGED,
}


class OnlySignaturesAfterApproval:
    name = "ONLY_SIGNATURES_AFTER_APPROVAL"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev = s.file
        by_kind: dict[ChangeKind, list[str]] = {}
        for change in ev.changes:
            by_kind.setdefault(change.kind, []).append(
                f"revision {change.revision + 1}: {change.description}"
            )
        if ev.approved_revision is not None:
            since = "after approval"
        else:  # no approved version: zvhsign's own analysis still names what changed
            since = f"after the first signature (revision {(ev.structure_base_revision or 0) + 1})"
        for kind, details in by_kind.items():
            yield _CHANGE_CODES[kind](
                f"changed {since} ({kind.value}); only signatures, document "
                "timestamps and validation data may be added",
                *details,
            )
        for problem in ev.structure_problems:
            yield C.MALFORMED_REVISION(problem)


class NoTrailingData:
    name = "NO_TRAILING_DATA"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev = s.file
        if ev.trailing_bytes:
            yield C.TRAILING_DATA(f"{ev.trailing_bytes} byte(s) follow the last revision; "
                "other readers may show content no signature covers",
            )


class WithinBounds:
    """zvhsign's bounds on hostile structure (pdf/bounds.py): a part of the file beyond one
    was not examined -- a finding that names the bound, never an internal error."""

    name = "WITHIN_BOUNDS"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        for what in s.file.bounds_exceeded:
            yield C.STRUCTURE_BOUND_EXCEEDED(what)


class ApprovalByCertification:
    name = "APPROVAL_CERTIFIED"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev, policy = s.file, ctx.policy
        if is_audit_report(ev):
            return
        certs = [s for s in ev.signatures if s.kind is SignatureKind.CERTIFICATION]
        if not certs:
            yield C.APPROVAL_SIGNATURE_MISSING("no certification (approval) signature")
            return
        if len(certs) > 1:
            yield C.APPROVAL_SIGNATURE_DUPLICATED("more than one certification signature")
        cert = certs[0]
        fp = cert.signer.fingerprint_sha256 if cert.signer else None
        if fp not in policy.secretariat_fingerprints:
            who = cert.signer.subject if cert.signer else "unknown signer"
            yield C.APPROVAL_NOT_BY_SECRETARIAT(f"the certification signature is by {who}, not a configured secretariat certificate",
            )
        if cert.docmdp_permission not in (1, 2):
            yield C.APPROVAL_PERMITS_CHANGES(f"the certification allows changes beyond signing (DocMDP P={cert.docmdp_permission})",
            )
        if ev.approved_revision is not None and cert.revision > ev.approved_revision:
            yield C.APPROVAL_SIGNATURE_MISPLACED("the certification signature was added after the approved version",
            )


class HasPartnerSignature:
    name = "PARTNER_SIGNATURE_PRESENT"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev = s.file
        if is_audit_report(ev):
            return
        if not any(s.kind is SignatureKind.SIGNATURE for s in ev.signatures):
            yield C.NO_PARTNER_SIGNATURE("approved copy without any partner signature")


# ---------------------------------------------------------------------- signature rules


class SignatureIntegrity:
    name = "SIGNATURE_INTEGRITY"
    scope = Scope.SIGNATURE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        sig = s.sig
        if sig.not_validated == UNREADABLE_HERE:
            yield C.SIGNATURE_UNREADABLE(f"{sig.failure or sig.not_validated} -- the file is damaged there: "
                                         "verifying again gives the same answer")
            return
        if sig.not_validated:
            yield C.SIGNATURE_NOT_VALIDATED(
                f"{sig.failure or 'the signature could not be validated'} -- this says nothing "
                "about whether the copy was changed; verify again"
            )
            return
        if sig.byte_range_problem and sig.byte_range_problem in (sig.failure or ""):
            return  # SIGNATURE_BYTE_RANGE names what made it unprocessable
        if not sig.intact and sig.subindication == "FORMAT_FAILURE":
            yield C.SIGNATURE_MALFORMED(sig.failure or "the signature can't be processed (damaged or forged structure)",
            )
        elif not sig.intact:
            yield C.SIGNATURE_NOT_INTACT("the signed bytes do not match the signature (changed after signing)",
            )
        elif not sig.valid:
            yield C.SIGNATURE_INVALID(sig.failure or "the signature value does not verify")
        if sig.intact and not sig.covers_whole_revision:
            yield C.SIGNATURE_COVERAGE_INCOMPLETE("the signature does not cover its whole revision",
            )


class SignatureByteRange:
    """zvhsign's own check of what a signature's /ByteRange covers (universal signature
    forgery, signature wrapping): the whole revision except the signature's own /Contents."""

    name = "SIGNATURE_BYTE_RANGE"
    scope = Scope.SIGNATURE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        if s.sig.byte_range_problem:
            yield C.SIGNATURE_BYTE_RANGE_INVALID(s.sig.byte_range_problem)


_TRUST_CODES = {
    "REVOKED": C.SIGNER_REVOKED,
    "REVOKED_NO_POE": C.SIGNER_REVOKED,
    "REVOKED_CA_NO_POE": C.SIGNER_REVOKED,
    "EXPIRED": C.SIGNER_CERT_EXPIRED,
    "OUT_OF_BOUNDS_NO_POE": C.SIGNER_CERT_EXPIRED,
    "OUT_OF_BOUNDS_NOT_REVOKED": C.SIGNER_CERT_EXPIRED,
    "NOT_YET_VALID": C.SIGNER_CERT_NOT_YET_VALID,
    "NO_CERTIFICATE_CHAIN_FOUND": C.SIGNER_NOT_TRUSTED,
    "CHAIN_CONSTRAINTS_FAILURE": C.SIGNER_NOT_TRUSTED,
    "TRY_LATER": C.REVOCATION_UNKNOWN,
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": C.REVOCATION_UNKNOWN,
}
#: a signature timestamp's TSA that could not be validated *now*: undetermined, as a signer's
#: chain in that state is (any other trust problem of a TSA is TIMESTAMP_INVALID)
_TS_UNDETERMINED = {
    "TRY_LATER": C.REVOCATION_UNKNOWN,
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": C.REVOCATION_UNKNOWN,
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": C.SIGNATURE_NOT_VALIDATED,
}


class SignerTrusted:
    name = "SIGNER_TRUSTED"
    scope = Scope.SIGNATURE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        sig = s.sig
        if not (sig.intact and sig.valid):
            return  # integrity already failed; trust is moot
        if sig.indication is Indication.TOTAL_PASSED and sig.trusted:
            return
        if sig.failed_on_signature_timestamp:
            return  # the signer's chain is fine; SIGNATURE_TIMESTAMPED names the timestamp
        sub = sig.subindication or ""
        code = _TRUST_CODES.get(sub, C.SIGNATURE_NOT_VALIDATED)
        what = "document timestamp" if sig.kind is SignatureKind.DOC_TIMESTAMP else "signer"
        msg = sig.failure or f"the {what} could not be validated"
        yield code(f"{msg} (ETSI {sig.indication.value}/{sub or '-'})")


class SignatureTimestamped:
    name = "SIGNATURE_TIMESTAMPED"
    scope = Scope.SIGNATURE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        sig, policy = s.sig, ctx.policy
        if sig.kind is SignatureKind.DOC_TIMESTAMP or sig.not_validated:
            return
        ts = sig.signature_timestamp
        if ts is None:
            if sig.signature_timestamp_present:
                return  # there is one; the signature failed before it could be judged
            if policy.require_signature_timestamp:
                yield C.NO_SIGNATURE_TIMESTAMP("no signature timestamp: when it was signed can't be proven "
                    "(ordering rules stay undecided)",
                )
        elif not ts.ok and ts.intact and ts.valid and ts.trust_problem in _TS_UNDETERMINED:
            # the TSA's chain or revocation status could not be established now (a responder
            # out of reach): nothing is known against the timestamp yet -- as for a signer
            code = _TS_UNDETERMINED[ts.trust_problem]
            yield code(f"the signature timestamp's TSA could not be validated now ({ts.tsa or 'unknown TSA'}; "
                       f"ETSI INDETERMINATE/{ts.trust_problem})")
        elif not ts.ok:
            why = (
                "does not match the signature" if not ts.intact
                else "has an invalid signature" if not ts.valid
                else f"comes from a TSA that could not be validated ({ts.tsa or 'unknown TSA'})"
            )
            sub = f" (ETSI {sig.indication.value}/{sig.subindication})" if sig.subindication else ""
            yield C.TIMESTAMP_INVALID(f"the signature timestamp {why}{sub}")


class SignedAfterApproval:
    name = "SIGNED_AFTER_APPROVAL"
    scope = Scope.SIGNATURE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        sig, ev = s.sig, s.file
        if sig.kind is SignatureKind.CERTIFICATION or ev.approved_revision is None:
            return
        if sig.revision <= ev.approved_revision:
            yield C.SIGNATURE_INSIDE_APPROVED_VERSION("a signature other than the approval is part of the approved version",
            )


class NoChangesAfterSigning:
    """pyHanko's difference analysis as a second opinion, per signature, independent of
    an approved version: later revisions may fill signature fields and add validation
    data and timestamps, nothing else (annotations, content, pages, catalog)."""

    name = "NO_CHANGES_AFTER_SIGNING"
    scope = Scope.SIGNATURE
    _FORBIDDEN = ("ANNOTATIONS", "OTHER")

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        sig = s.sig
        if sig.kind is SignatureKind.DOC_TIMESTAMP or not sig.intact:
            return
        level = sig.modification_level
        docmdp_ok = sig.docmdp_ok
        if level in self._FORBIDDEN or docmdp_ok is False:
            yield C.CHANGED_AFTER_SIGNING("a later revision changed the document beyond adding signatures, timestamps "
                f"and validation data (difference analysis: {level or 'not permitted'}"
                + (", violates the certification's DocMDP permissions" if docmdp_ok is False else "")
                + ")",
            )


def last_timestamps(ev: FileEvidence) -> list[tuple[str, TimestampEvidence]]:
    """The timestamps a copy's long-term evidence rests on, as (what, timestamp): for each
    signature, the last document timestamp after it, else its own signature timestamp."""
    doc_ts = [s for s in ev.signatures if s.kind is SignatureKind.DOC_TIMESTAMP]
    out: dict[int, tuple[str, TimestampEvidence]] = {}
    for sig in ev.signatures:
        if sig.kind is SignatureKind.DOC_TIMESTAMP:
            continue
        later = [d for d in doc_ts if d.revision > sig.revision and d.signature_timestamp]
        if later:
            last = later[-1]
            out[id(last)] = (f"the document timestamp {last.field_name}", last.signature_timestamp)
        elif sig.signature_timestamp is not None:
            out[id(sig)] = (f"the signature timestamp of {sig.field_name}", sig.signature_timestamp)
    return list(out.values())


class ArchiveTimestampFresh:
    """Long-term validation: a copy's last timestamp must be renewed (``zvhsign extend``)
    before its TSA certificate expires, or the evidence it carries can't be proven. Once it
    has expired, renewing is no longer possible: ARCHIVE_TIMESTAMP_EXPIRED says so."""

    name = "ARCHIVE_TIMESTAMP_FRESH"
    scope = Scope.FILE

    def check(self, s: Subject, ctx: Context) -> Iterable[Finding]:
        ev, policy = s.file, ctx.policy
        if ev.validated_at is None:
            return
        horizon = ev.validated_at + timedelta(days=policy.renew_within_days)
        for what, ts in last_timestamps(ev):
            # intact and valid suffices: trust problems are findings of their own, and
            # the TSA certificate's expiry is a fact whatever else is wrong
            if not (ts.intact and ts.valid) or ts.tsa_not_after is None or ts.tsa_not_after > horizon:
                continue
            if ts.tsa_not_after <= ev.validated_at:
                yield C.ARCHIVE_TIMESTAMP_EXPIRED(f"{what} ({ts.time:%Y-%m-%d}) rests on a TSA certificate that "
                    f"expired on {ts.tsa_not_after:%Y-%m-%d}: too late to renew it with a new archive timestamp "
                    "(`zvhsign extend` refuses the copy); its evidence rests on the validation data it already holds",
                )
                continue
            yield C.ARCHIVE_TIMESTAMP_EXPIRING(f"{what} ({ts.time:%Y-%m-%d}) rests on a TSA certificate that expires on "
                f"{ts.tsa_not_after:%Y-%m-%d}; run `zvhsign extend {ev.path}` to add a new "
                "archive timestamp before then",
            )




RULES = (
    ApprovedVersionFound(),
    OnlySignaturesAfterApproval(),
    NoTrailingData(),
    WithinBounds(),
    ApprovalByCertification(),
    HasPartnerSignature(),
    ArchiveTimestampFresh(),
    SignatureIntegrity(),
    SignatureByteRange(),
    SignerTrusted(),
    SignatureTimestamped(),
    SignedAfterApproval(),
    NoChangesAfterSigning(),
)
