"""Judging uploaded copies through the one verification pipeline, and keeping them
in memory for a while.

Nothing here judges: each batch goes through :class:`services.pipeline.Pipeline`
exactly as ``zvhsign verify`` sends its files (one session, one ``run``), in a
worker thread (the pipeline runs its own event loop). Uploads are kept in memory
only -- never written to disk -- for at most :data:`KEEP_SECONDS`, and recorded
in the registry only when the secretariat asks for it.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..domain.verdicts import BatchVerdict
from ..errors import InputError
from ..services.pipeline import Copy, Examined, Pipeline
from ..services.workspace import Workspace
from .accounts import Account

KEEP_SECONDS = 2 * 3600
KEEP_BYTES = 512 * 1024 * 1024  # all intakes together, oldest dropped first

#: one judgement at a time: the machine is small and the registry is shared
_PIPELINE_LOCK = threading.Lock()


@dataclass
class Intake:
    """One upload: who sent it, the pipeline's verdicts, the examined copies (with their
    bytes, so the secretariat can record them)."""

    id: str
    owner: str  # account name
    partner: str | None  # the owner's partner (partner accounts)
    at: datetime
    batch: BatchVerdict
    examined: list[Examined]
    data: list[bytes]
    trust_sha256: str
    recorded: set[int] = field(default_factory=set)  # indexes recorded in the registry
    created: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return sum(len(d) for d in self.data)

    def visible_to(self, account: Account) -> bool:
        return account.is_secretariat or account.name == self.owner


def judge(ws: Workspace, files: list[tuple[str, bytes]]) -> tuple[BatchVerdict, list[Examined], str]:
    """The pipeline's verdicts for uploaded copies (label, bytes), judged together as one
    batch, like ``zvhsign verify`` judges its files. Blocking: call from a worker thread."""
    # as verify: an examination made earlier today is reused
    with _PIPELINE_LOCK, Pipeline(ws, cache=True) as pipe:

        async def run():
            async with pipe.session() as rt:
                return await pipe.run(rt, [Copy(label, data=data) for label, data in files], keep_data=True)

        batch, examined = asyncio.run(run())
        return batch, examined, pipe.trust_sha256


def etsi_report(ws: Workspace, label: str, data: bytes) -> bytes:
    """pyHanko's ETSI TS 119 102-2 validation report of one uploaded copy, made by the same
    pipeline (examined again: the report is a by-product of an examination). Blocking."""
    from ..services.pipeline import etsi_report_bytes

    with _PIPELINE_LOCK, Pipeline(ws) as pipe:
        parts: list = []

        async def run():
            async with pipe.session() as rt:
                await pipe.run(rt, [Copy(label, data=data)], etsi=parts)

        asyncio.run(run())
        return etsi_report_bytes(parts)


def record(ws: Workspace, intake: Intake, indexes: list[int], account: Account) -> list[int]:
    """Store the accepted copies ``indexes`` of ``intake`` with their verdicts in the registry
    (``verify --record``), the web user named in the audit log. Returns what was recorded."""
    with _PIPELINE_LOCK, Pipeline(ws) as pipe:
        if pipe.trust_sha256 != intake.trust_sha256:
            raise InputError("the trust settings changed since these copies were judged; upload them again")
        chosen = [i for i in indexes if intake.batch.files[i].verified and i not in intake.recorded]
        if chosen:
            pipe.record([intake.examined[i] for i in chosen],
                        BatchVerdict(tuple(intake.batch.files[i] for i in chosen)), actor=account.actor)
        intake.recorded.update(chosen)
        return chosen


class IntakeStore:
    """Recent intakes, in memory only, with a time and a size limit."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS, keep_bytes: int = KEEP_BYTES) -> None:
        self._items: OrderedDict[str, Intake] = OrderedDict()
        self._lock = threading.Lock()
        self.keep_seconds, self.keep_bytes = keep_seconds, keep_bytes

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, v in self._items.items() if now - v.created > self.keep_seconds]:
            del self._items[key]
        while self._items and sum(v.size for v in self._items.values()) > self.keep_bytes:
            self._items.popitem(last=False)

    def add(self, owner: Account, batch: BatchVerdict, examined: list[Examined], data: list[bytes],
            trust_sha256: str) -> Intake:
        intake = Intake(secrets.token_urlsafe(18), owner.name, owner.partner, datetime.now(UTC),
                        batch, examined, data, trust_sha256)
        with self._lock:
            self._items[intake.id] = intake
            self._expire()
        return intake

    def get(self, key: str, account: Account) -> Intake | None:
        """The intake ``key`` if ``account`` may see it (its own, or any for the secretariat)."""
        with self._lock:
            self._expire()
            it = self._items.get(key)
        return it if it is not None and it.visible_to(account) else None

    def visible(self, account: Account) -> list[Intake]:
        with self._lock:
            self._expire()
            items = list(self._items.values())
        return [it for it in reversed(items) if it.visible_to(account)]


def status_now(ws: Workspace):  # noqa: ANN201
    """The partner × document matrix (``services.governance.status``) and the approved
    versions, judged now. Blocking: call from a worker thread."""
    from ..services.governance import status
    from ..services.operations import approved_versions

    with _PIPELINE_LOCK:
        return status(ws), approved_versions(ws)


def report_bytes(ws: Workspace, fmt: str, account: Account, key=None) -> bytes:  # noqa: ANN001
    """The audit report of the recorded copies, exactly as ``zvhsign report`` makes it:
    ``services.reporting.gather`` (the official responsible is the one the workspace names;
    the web user is named as who asked for it), rendered by ``zvhsign.reports`` as HTML, JSON
    or the PDF signed and timestamped by the secretariat with ``key``. Blocking."""
    from ..reports import render_report
    from ..services.reporting import gather

    with _PIPELINE_LOCK:
        facts = gather(ws, requested_by=f"{account.name} (via zvhsign serve)")
    return render_report(ws, facts, fmt, key=key)
