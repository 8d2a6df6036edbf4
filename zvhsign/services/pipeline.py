"""The one verification pipeline: every verdict zvhsign shows is made here.

``verify``, ``verify --record``, ``status``, ``report`` (every format), ``extend``
and the pre-flight of ``sign`` all judge through :class:`Pipeline`:

1. each copy is read once and examined once (``pdf.examine``: revisions, the
   approved version, every signature validated the ETSI way, and what each
   signature binds -- mandate and capacity -- in the same pass); a copy recorded
   earlier is not examined again: its stored evidence is re-judged, unless the
   trust settings changed since (then its stored bytes are examined again);
2. the registry's facts are read once, as they are *now* (partners,
   signatories, mandates and revocations, approved versions and supersessions);
3. one rule set (``domain.rules.DEFAULT_RULES``) judges every copy against
   them. Who signed is decided once per signature (``domain.attribution``).

Covenant participation (only covenant partners sign the Privacy Protocol) comes from the
covenant signatures valid now: the recorded copies' and the batch's own valid ones; the recorded
ones are read only when a Privacy Protocol copy is judged (services/covenant.py). A covenant
copy's own verdict never depends on other files.

The pipeline owns the resources it opens: the registry for the command, and the
runtime (HTTP session, test PKI) for as long as :meth:`Pipeline.session` lasts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ..domain import catalogue as C
from ..domain.attribution import CovenantSignature, GovernanceContext
from ..domain.digests import Sha256
from ..domain.documents import ApprovedVersion, DocumentKind
from ..domain.evidence import FileEvidence, Indication
from ..domain.findings import Level
from ..domain.rules import DEFAULT_RULES, Context, RuleSet, VerifyPolicy
from ..domain.verdicts import BatchVerdict, FileVerdict
from ..errors import DamagedFileError, ZvhsignError, stop_if_interrupted
from ..registry import EvidenceCache
from ..registry.evidence_codec import SCHEMA as EVIDENCE_SCHEMA
from ..pdf.byteview import release
from .covenant import covenant_signatures, needs_covenant
from .files import display_path, read_copy, read_input, write_atomic
from .heap import settle
from .registry_access import open_registry, trust_snapshot
from .runtime import Runtime, open_runtime
from .workspace import Workspace

_log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, FileVerdict], None]


@dataclass(frozen=True)
class Copy:
    """One copy to judge: a file (``path``), bytes already in hand (``data``), or a
    recorded copy's stored ``evidence`` (re-judged without reading the PDF)."""

    label: str
    path: Path | None = None
    data: bytes | None = None
    evidence: FileEvidence | None = None

    @classmethod
    def of_path(cls, path: Path) -> Copy:
        return cls(display_path(path), path=Path(path))


@dataclass(frozen=True)
class Examined:
    """A copy after step 1: its evidence, or why it could not be examined."""

    copy: Copy
    evidence: FileEvidence | None
    data: bytes | None  # kept only when the caller records the copy
    error: str | None = None
    #: the copy was read and is not a PDF that can be examined: ``error`` says why, and the
    #: verdict is the finding FILE_DAMAGED (exit 1), not "could not be examined" (exit 3)
    damaged: bool = False

    def unexamined(self) -> FileVerdict:
        """The verdict of a copy without evidence."""
        if self.damaged:
            return FileVerdict(None, self.copy.label, (C.FILE_DAMAGED(self.error),))
        return FileVerdict(None, self.copy.label, (), error=self.error)


def governance_context(registry) -> GovernanceContext | None:  # noqa: ANN001
    """The registry's governance facts now; None when no partner is registered."""
    store = registry.governance
    partners = tuple(store.partners())
    if not partners:
        return None
    return GovernanceContext(
        partners=partners, signatories=tuple(store.signatories()), mandates=tuple(store.mandates()),
        approved=tuple(registry.approved_versions()),
    )


def _now() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    """One command's judgement: registry facts read once, each copy examined once,
    every verdict made by one rule set. Its owner closes it (``with Pipeline(ws) as pipe``):
    the registry it opened is closed with it."""

    def __init__(self, ws: Workspace, *, online: bool = True, at: datetime | None = None,
                 renew_within_days: int = 180, rules: RuleSet = DEFAULT_RULES,
                 jobs: int | None = 1, worker_setup=None, cache: bool = False,  # noqa: ANN001
                 reuse_lists: bool = True) -> None:
        from ..pdf.trust import certificate_fingerprints, load_certs
        from .trustlists import stored_digests

        self.ws, self.online, self.at, self.rules = ws, online, at, rules
        self.jobs, self.worker_setup = jobs, worker_setup  # None: one worker per core
        snapshot = trust_snapshot(ws)  # once: what the registry logs and the cache key holds
        self.registry = open_registry(ws, snapshot=snapshot)
        try:  # a pipeline that can't be made leaves no registry open
            self.sizes = self.registry.approved_sizes()
            self.approved = tuple(self.registry.approved_versions())
            self.governance = governance_context(self.registry)
            self.policy = VerifyPolicy(
                frozenset(c.sha256.hex() for c in load_certs(ws.config.secretariat_certs)),
                renew_within_days=renew_within_days,
                require_qualified=ws.config.require_qualified,
                not_qualified_level=Level.WARN if ws.config.not_qualified == "warn" else Level.FAIL,
            )
            self.trust_sha256 = snapshot["trust_sha256"]
            self._recorded_covenant: tuple[CovenantSignature, ...] | None = None
            # the evidence cache: examinations reused when nothing they rest on changed
            self.cache = EvidenceCache(self.registry) if cache else None
            self.reuse_lists = reuse_lists  # what the trusted lists said when last read (trustlists.py)
            cfg = ws.config
            self._cache_base = "|".join([
                EVIDENCE_SCHEMA, "online" if online else "offline", at.isoformat() if at else "now",
                *(",".join(certificate_fingerprints(paths)) for paths in
                  (cfg.trust_roots, cfg.secretariat_certs, cfg.other_certs)),
                str(cfg.tsa_url), str(cfg.test_pki_clock),
                # the trusted lists decide trust and qualification: other lists, other evidence
                ",".join(f"{k}={v}" for k, v in stored_digests(ws).items()),
                *sorted(a.approved_sha256.hex + (a.superseded_by or "") for a in self.approved),
            ])
        except BaseException:
            self.registry.close()
            raise

    # ------------------------------------------------------------------ resources

    def close(self) -> None:  # the registry (its database connections) this pipeline opened
        self.registry.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Runtime]:
        """The runtime (HTTP session, trust, test PKI) for examining copies."""
        async with open_runtime(self.ws, online=self.online, moment=self.at, trusted_lists="lazy",
                                reuse_lists=self.reuse_lists) as rt:
            yield rt

    # ------------------------------------------------------------- step 1: examine

    async def examine(self, rt: Runtime, copy: Copy, *, keep_data: bool = False,
                      etsi: list | None = None, spec=None) -> Examined:  # noqa: ANN001
        """Read and examine one copy (once). A copy that can't be examined gets an error,
        never an exception: one bad file does not stop a batch."""
        from ..pdf.examine import examine, plain_text

        if copy.evidence is not None:
            return Examined(copy, copy.evidence, copy.data)
        settle()  # set up and imported: set apart from the collector (services/heap.py)
        try:
            # a recorded copy's bytes are stored: read them; else a large file is mapped
            data = copy.data if copy.data is not None else (read_input if keep_data else read_copy)(copy.path)
            sha = Sha256.of(data)  # once: the cache key and the examination's fact
            key = self._cache_key(file_sha256=sha.hex) if self.cache is not None and etsi is None else None
            ev = self.cache.get(key) if key else None
            if ev is not None:
                return Examined(copy, replace(ev, path=copy.label), data if keep_data else None)
            spec = spec or rt.signature_spec()  # (loads the trusted lists on first need)
            ev = await examine(copy.label, data, rt.env, lambda n: self.sizes.get(n, []), spec=spec, etsi=etsi,
                               file_sha256=sha)
            if key:
                self._keep(key, ev)
            return Examined(copy, ev, data if keep_data else None)
        except DamagedFileError as exc:
            return Examined(copy, None, None, exc.message, damaged=True)
        except ZvhsignError as exc:
            return Examined(copy, None, None, exc.message)
        except Exception as exc:  # a file zvhsign can't judge must not stop the batch
            return Examined(copy, None, None, f"could not be examined: {plain_text(exc)}")

    def _keep(self, key: str, ev: FileEvidence) -> None:
        """Keep an examination (a locked or full database keeps none: judged all the same) --
        not one with an INDETERMINATE signature: what it could not establish (a revocation
        status out of reach) may be established when verified again, as its finding asks."""
        try:
            if all(s.indication is not Indication.INDETERMINATE for s in ev.signatures):
                self.cache.put(key, ev.sha256.hex, ev)
        except ZvhsignError as exc:
            _log.debug("the examination of %s was not kept in the evidence cache: %s", ev.path, exc)

    def _known(self, copy: Copy, keep_data: bool, etsi: list | None) -> Examined | None:
        """Stored evidence, or (no ETSI report) the cached examination of its bytes; else None."""
        if copy.evidence is not None:
            return Examined(copy, copy.evidence, copy.data)
        return self._cached(copy, keep_data) if etsi is None else None

    def _cached(self, copy: Copy, keep_data: bool) -> Examined | None:
        """The cached examination, or None (no cache, a miss, or unreadable: examining says why)."""
        if self.cache is None:
            return None
        try:
            data = copy.data if copy.data is not None else (read_input if keep_data else read_copy)(copy.path)
        except ZvhsignError:
            return None
        ev = self.cache.get(self._cache_key(data))
        release(data)
        return Examined(copy, replace(ev, path=copy.label), data if keep_data else None) if ev else None

    def _cache_key(self, data: bytes | None = None, *, file_sha256: str | None = None) -> str:
        """Everything an examination rests on: the file (its bytes, or their SHA-256), the
        trust settings, online or not, the validation time (``--at``, or today: revocation
        data is fetched again each day), the approved versions registered and the evidence
        schema."""
        import hashlib

        day = "" if self.at else _now().date().isoformat()
        file_sha256 = file_sha256 or hashlib.sha256(data).hexdigest()
        return hashlib.sha256(f"{file_sha256}|{self._cache_base}|{day}".encode()).hexdigest()

    # --------------------------------------------------------------- step 3: judge

    def _approved_now(self, ev: FileEvidence) -> FileEvidence:
        """The evidence with its approved version as the registry holds it now."""
        if ev.approved is None:
            return ev
        now: ApprovedVersion = next(
            (a for a in self.approved if a.approved_sha256 == ev.approved.approved_sha256), ev.approved)
        return replace(ev, approved=now) if now != ev.approved else ev

    def _context(self, covenant: tuple[CovenantSignature, ...] = ()) -> Context:
        gov = self.governance
        if gov is not None:
            gov = replace(gov, covenant=covenant)
        return Context(self.policy, gov, _now())

    def judge_one(self, ev: FileEvidence, covenant: tuple[CovenantSignature, ...] = ()) -> FileVerdict:
        return self.rules.judge(self._approved_now(ev), self._context(covenant))

    async def prepare(self, rt: Runtime, evidence: Sequence[FileEvidence | None]) -> None:
        """Judge the recorded covenant copies now (once per command), when judging
        ``evidence`` needs them (a Privacy Protocol copy, services/covenant.py): their valid
        signatures are the partners' covenant participation. Stored evidence is re-judged; a
        copy recorded under other trust settings is examined again from its stored bytes."""
        if self._recorded_covenant is not None or not needs_covenant(evidence):
            return
        found = []
        if self.governance is not None:
            for copy in self.recorded_copies(covenant=True):
                ev = copy.evidence
                if ev is not None and (ev.approved is None or ev.approved.document is not DocumentKind.CONVENANT):
                    continue
                x = await self.examine(rt, copy)
                if x.evidence is not None and x.evidence.approved is not None \
                        and x.evidence.approved.document is DocumentKind.CONVENANT:
                    found.append(self.judge_one(x.evidence))
        self._recorded_covenant = covenant_signatures(found)

    def recorded_covenant(self, evidence: Sequence[FileEvidence | None]) -> tuple[CovenantSignature, ...]:
        """The recorded covenant signatures for judging ``evidence`` (none when it needs none)."""
        if not needs_covenant(evidence):
            return ()
        if self._recorded_covenant is None:
            raise RuntimeError("Pipeline.prepare() must run first")  # pragma: no cover
        return self._recorded_covenant

    def judge(self, examined: Sequence[Examined]) -> BatchVerdict:
        """Verdicts for examined copies. Covenant copies are judged first; their valid
        signatures (and the recorded ones) count for the Privacy Protocol copies."""
        first = [self.judge_one(x.evidence) for x in examined if x.evidence is not None]
        recorded = self.recorded_covenant([x.evidence for x in examined])
        covenant = recorded + covenant_signatures(first) if self.governance else ()
        # (the batch's covenant copies are judged alone first: their verdicts depend on no other file)
        out = []
        for x in examined:
            if x.evidence is None:
                out.append(x.unexamined())
            else:
                out.append(self.judge_one(x.evidence, covenant))
        return BatchVerdict(tuple(out))

    # ------------------------------------------------------------------- together

    async def run(self, rt: Runtime, copies: Sequence[Copy], *, keep_data: bool = False,
                  progress: ProgressFn | None = None, etsi: list | None = None) -> tuple[BatchVerdict, list[Examined]]:
        examined = []
        i = 0
        async for x in self._examined(rt, copies, keep_data, etsi):
            stop_if_interrupted()  # (a library may have taken the interrupt for its own error)
            i += 1
            examined.append(x)
            if progress:
                # the verdict shown while working: integrity and governance, before
                # the batch's own covenant signatures are known
                await self.prepare(rt, [x.evidence])
                fv = (x.unexamined() if x.evidence is None
                      else self.judge_one(x.evidence, self.recorded_covenant([x.evidence])))
                progress(i, len(copies), fv)
        await self.prepare(rt, [x.evidence for x in examined])
        return self.judge(examined), examined

    async def _examined(self, rt: Runtime, copies: Sequence[Copy], keep_data: bool, etsi: list | None):
        """Step 1 for every copy, in order, as each is done: in this process, or (large
        batches) in a pool of worker processes (services/parallel.py). With an ETSI report
        (``etsi``) every copy is examined (the report needs pyHanko's results)."""
        from .parallel import examine_in_pool, jobs_for

        jobs = jobs_for(sum(c.evidence is None for c in copies), self.jobs)
        if jobs > 1:
            hits = {i: x for i, x in ((i, self._known(c, keep_data, etsi)) for i, c in enumerate(copies)) if x}
            misses = [c for i, c in enumerate(copies) if i not in hits]
            pooled = examine_in_pool(self.ws, misses, jobs=jobs, online=self.online, at=self.at,
                                     sizes=self.sizes, keep_data=keep_data, setup=self.worker_setup,
                                     reuse_lists=self.reuse_lists, etsi=etsi is not None,
                                     ) if misses else iter(())
            for i, c in enumerate(copies):
                if i in hits:
                    yield hits[i]
                    continue
                c, ev, data, err, damaged, parts = next(pooled)
                if etsi is not None:
                    etsi.extend(parts or ())
                elif ev is not None and self.cache is not None:
                    # keyed by the SHA-256 the examination read: the bytes stay in the worker
                    self._keep(self._cache_key(file_sha256=ev.sha256.hex), ev)
                yield Examined(c, ev, data if keep_data else None, err, damaged)
            return
        for c in copies:  # (the validation spec is the runtime's: built once, on first need)
            yield await self.examine(rt, c, keep_data=keep_data, etsi=etsi)

    def record(self, examined: Sequence[Examined], batch: BatchVerdict, *, actor: str) -> None:
        """Store every examined copy with its verdict and evidence (``verify --record``)."""
        from .recording import record_examined

        record_examined(self, examined, batch, actor=actor)

    def recorded_copies(self, *, covenant: bool = False) -> list[Copy]:
        """The recorded copies as copies to judge: stored evidence when it was established
        under the current trust settings, else the stored bytes (examined again).
        ``covenant``: all but those known to be of the other document."""
        out = []
        for rc in self.registry.governance.recorded_copies(
                covenant_under_trust=self.trust_sha256 if covenant else None):
            label = f"registry: kopie {rc.sha256[:12]}… (vastgelegd {rc.recorded_at:%Y-%m-%d %H:%M} UTC)"
            if rc.evidence is not None and rc.trust_sha256 == self.trust_sha256:
                out.append(Copy(label, evidence=replace(rc.evidence, path=label)))
            else:
                data = self.registry.get_blob(rc.sha256)
                if data is not None:
                    out.append(Copy(label, data=data))
        return out


def etsi_report_bytes(parts: list) -> bytes:
    """One ETSI TS 119 102-2 XML validation report of the parts a run collected (``etsi=[]``)."""
    from ..pdf.examine import etsi_report_xml

    return etsi_report_xml(parts).encode("utf-8")


def write_etsi_report(path: Path, parts: list) -> None:
    from ..pdf.examine import etsi_report_xml

    write_atomic(path, etsi_report_xml(parts).encode("utf-8"))
