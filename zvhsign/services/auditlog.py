"""The audit log as a use case: show it, verify it (chain + anchors), anchor it (RFC 3161).

``log verify`` recomputes the hash chain (``zvhsign.domain.audit``) and checks
each anchor: the anchored event must still carry the anchored hash, and the
stored RFC 3161 token must be intact, signed by a TSA that chains to the
workspace's trust roots, and have that hash as its message imprint (pyHanko
validates the token; nothing here parses CMS by hand).
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from datetime import datetime

from ..domain.audit import ANCHOR_MISMATCH, Anchor, AuditEvent, ChainHead, ChainProblem
from ..errors import RefusedError, ServiceError
from .registry_access import open_registry
from .runtime import Runtime, open_runtime
from .workspace import Workspace


def _actor() -> str:
    from ..registry import current_os_user

    return current_os_user()


@dataclass(frozen=True)
class AnchorCheck:
    """What validating one stored anchor established."""

    anchor: Anchor
    token_ok: bool  # intact, valid, trusted TSA signature, imprint = anchored hash
    tsa: str | None
    time: datetime | None  # genTime from the token (not the stored copy)
    problem: str | None = None
    unchecked: str | None = None  # what could not be checked here (offline), not a problem


@dataclass(frozen=True)
class LogCheck:
    """The state of the audit log: chain problems, anchors, recorded head, and the
    evidence at rest (``storage``: every stored file re-hashed, the database's own
    integrity check; a ``StorageCheck`` of the registry, None when not checked)."""

    events: int
    head: ChainHead | None
    problems: tuple[ChainProblem, ...]
    anchors: tuple[AnchorCheck, ...]
    storage: object | None = None

    @property
    def storage_problems(self) -> tuple:
        return tuple(self.storage.problems) if self.storage is not None else ()

    @property
    def intact(self) -> bool:
        return not self.problems and all(a.token_ok for a in self.anchors) and not self.storage_problems

    @property
    def last_anchor(self) -> AnchorCheck | None:
        return self.anchors[-1] if self.anchors else None

    def all_problems(self) -> list[str]:
        out = [str(p) for p in self.problems]
        for a in self.anchors:
            if not a.token_ok:
                out.append(f"{ANCHOR_MISMATCH}: anchor event #{a.anchor.seq}: {a.problem}")
        out.extend(str(p) for p in self.storage_problems)
        return out

    def to_json(self) -> dict:
        la = self.last_anchor
        return {
            "intact": self.intact,
            "events": self.events,
            "head": {"seq": self.head.seq, "hash": self.head.hash} if self.head else None,
            "problems": [
                {"kind": p.kind, "seqs": list(p.seqs), "message": p.message} for p in self.problems
            ],
            "anchors": [
                {
                    "seq": a.anchor.seq,
                    "anchored_seq": a.anchor.anchored_seq,
                    "anchored_hash": a.anchor.anchored_hash,
                    "tsa": a.tsa,
                    "time": a.time.isoformat() if a.time else None,
                    "ok": a.token_ok,
                    "problem": a.problem,
                    "unchecked": a.unchecked,
                }
                for a in self.anchors
            ],
            "last_anchor_seq": la.anchor.seq if la else None,
            "storage": None if self.storage is None else {
                "intact": not self.storage_problems,
                "blobs": self.storage.blobs,
                "database_integrity_checked": self.storage.integrity_checked,
                "problems": [
                    {"kind": p.kind, "object": p.object, "message": p.message}
                    for p in self.storage.problems
                ],
                "notes": list(self.storage.notes),
            },
        }


def events(ws: Workspace) -> list[AuditEvent]:
    """The whole audit log, oldest first."""
    with open_registry(ws) as reg:
        return reg.events()


async def check_anchor(rt: Runtime, anchor: Anchor) -> AnchorCheck:
    """Validate one anchor's RFC 3161 token against the workspace trust."""
    from ..pdf.timestamps import check_token

    try:
        der = base64.b64decode(anchor.token_b64, validate=True)
    except ValueError as exc:
        return AnchorCheck(anchor, False, None, None, f"the stored token is not base64 ({exc})")
    try:
        expected = bytes.fromhex(anchor.anchored_hash)
    except ValueError:
        return AnchorCheck(anchor, False, None, None, "the anchored hash is not a SHA-256 value")
    result = await check_token(rt.env, der, expected)
    gen_time, tsa, problems = result.gen_time, result.tsa, list(result.problems)
    if gen_time is None:
        return AnchorCheck(anchor, False, None, None, "; ".join(problems))
    if anchor.tsa_time is not None and gen_time is not None and abs(
        (anchor.tsa_time - gen_time).total_seconds()
    ) > 1:
        problems.append("the stored time differs from the time in the token")
    return AnchorCheck(anchor, not problems, tsa, gen_time, "; ".join(problems) or None, result.unchecked)


def verify(ws: Workspace, *, online: bool = True, storage: bool = True) -> LogCheck:
    """Recompute the chain, validate every anchor and (``storage``) check the evidence
    at rest: every stored file (approved PDFs, mandates, recorded copies) re-hashed
    against its recorded SHA-256, and the database's own integrity check."""
    with open_registry(ws) as reg:
        evs = reg.events()
        problems = reg.verify_log()
        head = reg.chain_head()
        stored = reg.check_storage() if storage else None
    anchors = [a for a in (Anchor.from_event(e) for e in evs) if a is not None]
    checks: list[AnchorCheck] = []
    if anchors:

        async def run() -> list[AnchorCheck]:
            async with open_runtime(ws, online=online) as rt:
                return [await check_anchor(rt, a) for a in anchors]

        checks = asyncio.run(run())
    return LogCheck(len(evs), head, tuple(problems), tuple(checks), stored)


@dataclass(frozen=True)
class AnchorResult:
    event: AuditEvent
    anchored: ChainHead
    tsa: str | None
    time: datetime


def anchor(ws: Workspace, *, actor: str | None = None) -> AnchorResult:
    """Get an RFC 3161 timestamp on the current chain head and store it as an ``anchor`` event.

    Refuses (exit 1) to anchor a chain that does not verify: an anchor would
    otherwise vouch for a tampered log.
    """
    with open_registry(ws) as reg:
        head = reg.chain_head()
        problems = reg.verify_log()
    if problems:
        raise RefusedError(
            f"the audit log does not verify ({len(problems)} problem(s), first: {problems[0]}); "
            "it is not anchored",
            hint="run `zvhsign log verify` for details",
        )
    assert head is not None
    if not ws.config.tsa_url:
        raise ServiceError(
            "anchoring needs a timestamp authority, but none is configured",
            hint="set [tsa] url in zvhsign.toml",
        )

    async def run() -> tuple[bytes, datetime, str | None]:
        from ..pdf.timestamps import timestamp_digest

        async with open_runtime(ws) as rt:
            return await timestamp_digest(rt.env, bytes.fromhex(head.hash))

    der, when, tsa = asyncio.run(run())
    with open_registry(ws) as reg:
        ev = reg.add_anchor(head, der, tsa_time=when, tsa=tsa, actor=actor or _actor())
    return AnchorResult(ev, head, tsa, when)
