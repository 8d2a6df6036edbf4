"""Verdicts: evidence plus findings, with the overall result derived, never stored.

Modelled after pyHanko's status objects: one field per check, a derived bottom line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .attribution import Attribution
from .evidence import FileEvidence, Indication, SignatureEvidence, SignatureKind
from .findings import Finding, Level

SCHEMA = "zvhsign.verify/1"


def _worst(findings: tuple[Finding, ...] | list[Finding]) -> Level | None:
    levels = {f.level for f in findings}
    for level in (Level.FAIL, Level.WARN, Level.INFO):
        if level in levels:
            return level
    return None


@dataclass(frozen=True)
class SignatureVerdict:
    evidence: SignatureEvidence
    findings: tuple[Finding, ...]
    who: Attribution | None = None  # who signed (partner signatures, with partners registered)

    @property
    def indication(self) -> Indication:
        """ETSI indication, rolled up with zvhsign's own checks: a zvhsign FAIL
        turns a TOTAL-PASSED into TOTAL-FAILED; a WARN into INDETERMINATE."""
        base = self.evidence.indication
        worst = _worst(self.findings)
        if base is Indication.TOTAL_FAILED or worst is Level.FAIL:
            return Indication.TOTAL_FAILED
        if base is Indication.INDETERMINATE or worst is Level.WARN:
            return Indication.INDETERMINATE
        return Indication.TOTAL_PASSED

    @property
    def ok(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED

    def blocking_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings if f.level.blocks)

    def to_json(self) -> dict:
        ev = self.evidence
        return {
            "field": ev.field_name,
            "kind": ev.kind.value,
            "revision": ev.revision,
            "signer": ev.signer.to_json() if ev.signer else None,
            "signed_by": self.who.to_json() if self.who else None,
            "binding": ev.binding.to_json(),
            "claimed_signing_time": (
                ev.claimed_signing_time.isoformat() if ev.claimed_signing_time else None
            ),
            "signature_timestamp": (
                ev.signature_timestamp.to_json() if ev.signature_timestamp else None
            ),
            "content_timestamp": (
                ev.content_timestamp.to_json() if ev.content_timestamp else None
            ),
            "best_signature_time": (
                ev.best_signature_time.isoformat() if ev.best_signature_time else None
            ),
            "pades_level": ev.pades_level,
            # eIDAS qualification of signatures (document timestamps: not assessed here)
            "qualification": (
                ev.qualification.to_json() if ev.kind is not SignatureKind.DOC_TIMESTAMP else None
            ),
            "subfilter": ev.subfilter,
            "intact": ev.intact,
            "valid": ev.valid,
            "trusted": ev.trusted,
            "etsi": {"indication": ev.indication.value, "subindication": ev.subindication},
            "failure": ev.failure,
            "indication": self.indication.value,
            "findings": [f.to_json() for f in self.findings],
            "evidence_used": {
                "timestamps": [t.to_json() for t in ev.timestamps_used],
                "revocation": [r.to_json() for r in ev.revocation_used],
            },
        }


class Outcome(str, enum.Enum):
    """A copy's verdict in one word, for people (the CLI table, the web page)."""

    VERIFIED = "VERIFIED"
    FAILED = "FAILED"  # a FAIL finding or a TOTAL-FAILED signature (or a blocking file warning)
    INDETERMINATE = "INDETERMINATE"  # not proven valid, nothing proven wrong: try again / more evidence
    ERROR = "ERROR"  # could not be examined


#: findings that say a check could not be made now, not that something is wrong
UNDETERMINED_NOW = frozenset({"SIGNATURE_NOT_VALIDATED", "REVOCATION_UNKNOWN"})


@dataclass(frozen=True)
class FileVerdict:
    evidence: FileEvidence | None
    path: str
    findings: tuple[Finding, ...]
    signatures: tuple[SignatureVerdict, ...] = field(default=())
    error: str | None = None  # set when the file could not be judged at all

    @property
    def completed(self) -> bool:
        return self.error is None

    @property
    def verified(self) -> bool:
        return (
            self.completed
            and not any(f.level.blocks for f in self.findings)
            and all(s.ok for s in self.signatures)
        )

    @property
    def partner_signatures(self) -> tuple[SignatureVerdict, ...]:
        return tuple(s for s in self.signatures if s.evidence.kind is SignatureKind.SIGNATURE)

    @property
    def status(self) -> str:
        if not self.completed:
            return "ERROR"
        return "VERIFIED" if self.verified else "FAILED"

    @property
    def outcome(self) -> Outcome:
        """VERIFIED, FAILED, INDETERMINATE or ERROR, derived from the verdict."""
        if not self.completed:
            return Outcome.ERROR
        if self.verified:
            return Outcome.VERIFIED
        if any(f.level is Level.FAIL for f in self.all_findings()):
            return Outcome.FAILED
        indications = {s.indication for s in self.signatures}
        if Indication.TOTAL_FAILED in indications:
            return Outcome.FAILED
        if Indication.INDETERMINATE in indications:
            return Outcome.INDETERMINATE
        return Outcome.FAILED  # blocked by a file-level warning

    def undetermined_now(self, blocking: list[Finding]) -> bool:
        """True when each of ``blocking`` (the findings a command will not go past) says only
        that a check could not be made now -- a signer's or TSA's certificate status not
        established, as when its service is out of reach -- on a signature zvhsign could read:
        nothing is known to be wrong with the copy; the command should try again, not refuse it."""
        now = [f for sv in self.signatures if not sv.evidence.not_validated
               for f in sv.findings if f.code in UNDETERMINED_NOW]
        return bool(blocking) and all(any(f is u for u in now) for f in blocking)

    def first_blocking(self) -> Finding | None:
        """The finding that says best why the copy is not verified: the first FAIL (file
        findings first, then each signature's), else the first WARN; None when none blocks."""
        findings = self.all_findings()
        for level in (Level.FAIL, Level.WARN):
            for f in findings:
                if f.level is level:
                    return f
        return None

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for s in self.signatures:
            out.extend(s.findings)
        return out

    def to_json(self) -> dict:
        ev = self.evidence
        out: dict = {"path": self.path, "status": self.status}
        if self.error is not None:
            out["error"] = self.error
            return out
        if ev is None:  # read, and not a PDF that can be examined (FILE_DAMAGED): no facts but that
            out.update({"approved_version": None, "findings": [f.to_json() for f in self.findings],
                        "signatures": []})
            return out
        out.update(
            {
                "sha256": ev.sha256.hex,
                "size": ev.size,
                "revisions": len(ev.revision_ends),
                "trailing_bytes": ev.trailing_bytes,
                "approved_version": (
                    {
                        "document": ev.approved.document.value,
                        "version": ev.approved.version,
                        "approved_sha256": ev.approved.approved_sha256.hex,
                        "source_sha256": ev.approved.source_sha256.hex,
                        "decided_on": ev.approved.decided_on.isoformat(),
                        "revision": ev.approved_revision,
                    }
                    if ev.approved
                    else None
                ),
                "findings": [f.to_json() for f in self.findings],
                "signatures": [s.to_json() for s in self.signatures],
            }
        )
        return out


@dataclass(frozen=True)
class BatchVerdict:
    files: tuple[FileVerdict, ...]

    @property
    def all_verified(self) -> bool:
        return bool(self.files) and all(f.verified for f in self.files)

    @property
    def any_incomplete(self) -> bool:
        return any(not f.completed for f in self.files)

    def to_json_head(self) -> dict:
        """What the JSON document says before its list of files."""
        return {"schema": SCHEMA, "verified": self.all_verified}

    def to_json(self) -> dict:
        return {**self.to_json_head(), "files": [f.to_json() for f in self.files]}
