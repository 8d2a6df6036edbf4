"""The partner × document matrix: rendered from verdicts, never judged on its own.

Each partner signature's state comes from its own verdict (made by the one rule
set, against the current registry) and the findings about its copy as a whole:
on a shared copy every valid signature counts for its own partner, whatever
happens to the co-signers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .attribution import GovernanceContext
from .documents import DocumentKind, version_key
from .evidence import Indication
from .findings import Level
from .mandates import assess_mandate
from .parties import Partner
from .verdicts import BatchVerdict, FileVerdict, SignatureVerdict

class CellState(str, enum.Enum):
    """A partner's state for one document (best first)."""

    SIGNED = "signed"
    NEEDS_RESIGNING = "needs re-signing"  # valid, but on a superseded version
    INDETERMINATE = "indeterminate"  # not proven valid nor invalid (e.g. order unproven)
    INVALID = "invalid"
    MISSING = "missing"


SIGNED, NEEDS_RESIGNING, INDETERMINATE, INVALID, MISSING = CellState
#: best first: a partner's cell shows the best state among its signatures
_ORDER = (SIGNED, NEEDS_RESIGNING, INDETERMINATE, INVALID, MISSING)
#: best first; "NOT-ASSESSED" is left out (no trusted lists: nothing to show)
_QUALIFICATION_ORDER = ("QES", "AdES-QC", "AdES", "INDETERMINATE")
#: the copy is of a superseded version: valid apart from that, the partner must sign again
_VERSION_CODES = frozenset({"VERSION_SUPERSEDED"})


def signature_state(fv: FileVerdict, sv: SignatureVerdict) -> CellState:
    """The state of one partner signature: its own verdict plus its copy's file findings."""
    file_blocking = {f.code for f in fv.findings if f.level.blocks}
    file_fail = any(f.level is Level.FAIL for f in fv.findings)
    if sv.ok and not file_blocking:
        return SIGNED
    if sv.ok and file_blocking <= _VERSION_CODES:
        return NEEDS_RESIGNING
    if sv.indication is Indication.INDETERMINATE and not file_fail:
        return INDETERMINATE
    return INVALID


@dataclass(frozen=True)
class CellSignature:
    """One partner signature behind a cell, with the verdict it gets now."""

    copy: str  # the copy's label (path or registry label)
    copy_sha256: str
    field: str
    version: str
    signer: str | None
    state: CellState
    indication: str
    codes: tuple[str, ...]  # blocking finding codes (the signature's and its copy's)
    signed_at: datetime | None  # the signature timestamp's time (proof, not a claim)
    #: eIDAS qualification ("QES", "AdES-QC", "AdES", "INDETERMINATE", "NOT-ASSESSED")
    qualification: str = "NOT-ASSESSED"

    def to_json(self) -> dict:
        return {
            "copy": self.copy, "copy_sha256": self.copy_sha256, "field": self.field,
            "version": self.version, "signer": self.signer, "state": self.state.value,
            "indication": self.indication, "codes": list(self.codes),
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "qualification": self.qualification,
        }


@dataclass(frozen=True)
class StatusCell:
    state: CellState
    version: str | None = None
    copies: tuple[str, ...] = ()  # SHA-256 of the copies in the best state
    signatures: tuple[CellSignature, ...] = ()

    @property
    def qualification(self) -> str | None:
        """The best eIDAS qualification among the signatures in the cell's state (None:
        none assessed -- no trusted lists loaded, or no signature)."""
        best = [s.qualification for s in self.signatures if s.state == self.state]
        ranked = [q for q in _QUALIFICATION_ORDER if q in best]
        return ranked[0] if ranked else None

    def to_json(self) -> dict:
        return {"state": self.state.value, "version": self.version, "copies": list(self.copies),
                "qualification": self.qualification,
                "signatures": [s.to_json() for s in self.signatures]}


@dataclass(frozen=True)
class MandateState:
    state: str  # "registered", "missing", "revoked", "revoked from …", "does not cover current version", "n/a"
    mandate_sha256: str | None = None
    mayor: str | None = None
    decision_date: date | None = None
    revoked_at: datetime | None = None

    def to_json(self) -> dict:
        return {
            "state": self.state, "sha256": self.mandate_sha256, "mayor": self.mayor,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True)
class StatusRow:
    partner: Partner
    cells: dict  # DocumentKind -> StatusCell
    mandate: MandateState

    def to_json(self) -> dict:
        return {
            "partner": self.partner.key, "name": self.partner.name, "kind": self.partner.kind,
            "documents": {d.value: c.to_json() for d, c in self.cells.items()},
            "mandate": self.mandate.to_json(),
        }


@dataclass(frozen=True)
class StatusMatrix:
    rows: tuple[StatusRow, ...]
    current: dict = field(default_factory=dict)  # DocumentKind -> ApprovedVersion | None
    judged_at: datetime | None = None

    @property
    def complete(self) -> bool:
        return bool(self.rows) and all(
            c.state == SIGNED for r in self.rows for c in r.cells.values()
        ) and all(r.mandate.state in ("registered", "n/a") for r in self.rows)

    def to_json(self) -> dict:
        return {
            "schema": "zvhsign.status/2",
            "complete": self.complete,
            "judged_at": self.judged_at.isoformat() if self.judged_at else None,
            "current_versions": {d.value: (a.version if a else None) for d, a in self.current.items()},
            "partners": [r.to_json() for r in self.rows],
        }


def partner_signatures(batch: BatchVerdict) -> list[tuple[FileVerdict, SignatureVerdict]]:
    """Every attributed partner signature on an approved version, with its copy."""
    return [
        (fv, sv) for fv in batch.files if fv.evidence is not None and fv.evidence.approved is not None
        for sv in fv.partner_signatures if sv.who is not None
    ]


def _cell(found: Sequence[CellSignature]) -> StatusCell:
    if not found:
        return StatusCell(MISSING)
    best = min((s.state for s in found), key=_ORDER.index)
    chosen = [s for s in found if s.state == best]
    version = max((s.version for s in chosen), key=version_key)
    return StatusCell(best, version, tuple(sorted({s.copy_sha256 for s in chosen})), tuple(found))


def mandate_state(ctx: GovernanceContext, p: Partner, now: datetime) -> MandateState:
    """A municipality's mandate as it stands now, for the current approved versions."""
    if not p.is_municipality:
        return MandateState("n/a")
    current = [a.approved_sha256 for a in (ctx.current_version(d) for d in DocumentKind) if a is not None]
    good = [m for m in ctx.mandates_of(p.key) if not assess_mandate(m, p, ctx.signatories)]
    live = [m for m in good if not m.revoked_by(now)]
    full = [m for m in live if all(m.covers_sha(s) for s in current)]
    pick = max(full or live, key=lambda m: m.terms.decision_date, default=None)
    if pick is None:
        if not good:
            return MandateState("missing")
        pick, state = max(good, key=lambda m: m.terms.decision_date), "revoked"  # which one, and when
    else:
        state = "registered" if full else "does not cover current version"
        if pick.revoked_at is not None:  # the day it takes effect, as the Netherlands counts days
            state = f"revoked from {pick.revoked_at.astimezone(_NL).date().isoformat()}"
    return MandateState(state, pick.sha256.hex, pick.terms.mayor, pick.terms.decision_date, pick.revoked_at)


_NL = ZoneInfo("Europe/Amsterdam")  # the municipalities' calendar (a College's decision dates)


def status_matrix(ctx: GovernanceContext, batch: BatchVerdict, now: datetime) -> StatusMatrix:
    """The partner × document matrix from the verdicts of the recorded copies, judged now."""
    found: dict[tuple[str, DocumentKind], list[CellSignature]] = {}
    for fv, sv in partner_signatures(batch):
        ev, av = fv.evidence, fv.evidence.approved
        st = sv.evidence.signature_timestamp
        codes = tuple(dict.fromkeys(
            [f.code for f in fv.findings if f.level.blocks] + list(sv.blocking_codes())))
        found.setdefault((sv.who.partner.key, av.document), []).append(CellSignature(
            copy=fv.path, copy_sha256=ev.sha256.hex, field=sv.evidence.field_name, version=av.version,
            signer=sv.who.signatory.name, state=signature_state(fv, sv), indication=sv.indication.value,
            codes=codes, signed_at=st.time if st is not None and st.ok else None,
            qualification=sv.evidence.qualification.level.value,
        ))
    rows = tuple(
        StatusRow(p, {d: _cell(found.get((p.key, d), [])) for d in DocumentKind}, mandate_state(ctx, p, now))
        for p in ctx.partners
    )
    return StatusMatrix(rows, {d: ctx.current_version(d) for d in DocumentKind}, now)
