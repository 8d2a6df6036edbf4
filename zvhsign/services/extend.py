"""``extend``: renew the evidence of B-LTA copies with a new archive timestamp.

Before a copy's last timestamp's TSA certificate expires, a new document
timestamp (over the copy and the validation data of the previous one) keeps
every signature in it provable. Only copies that verify and are PAdES B-LTA are
extended; the rest are refused with the finding that stops them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..domain.evidence import SignatureKind
from ..domain.verdicts import FileVerdict
from ..errors import InputError, ServiceError, UsageError, ZvhsignError
from .files import write_atomic
from .workspace import Workspace

__all__ = ["ExtendResult", "extend", "NOT_BLOCKING_EXTEND"]

# findings that are the reason to extend, not a reason to refuse
NOT_BLOCKING_EXTEND = frozenset({"ARCHIVE_TIMESTAMP_EXPIRING"})


@dataclass(frozen=True)
class ExtendResult:
    path: str
    status: str  # "extended" | "refused" | "error"
    message: str
    output: str | None = None
    document_timestamps: int = 0  # after extending (or as found, when not extended)
    timestamp_time: datetime | None = None  # the new archive timestamp's time

    @property
    def ok(self) -> bool:
        return self.status == "extended"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "message": self.message,
            "output": self.output,
            "document_timestamps": self.document_timestamps,
            "timestamp_time": self.timestamp_time.isoformat() if self.timestamp_time else None,
        }


def _blocking(verdict: FileVerdict) -> list:
    return [f for f in verdict.all_findings() if f.level.blocks and f.code not in NOT_BLOCKING_EXTEND]


def _checked_now(verdict: FileVerdict) -> None:
    """A copy whose signatures could not be checked now (a certificate status service out of
    reach) is not refused: it could not be extended this time (ServiceError, exit 3)."""
    blocking = _blocking(verdict)
    if verdict.undetermined_now(blocking):
        f = blocking[0]
        raise ServiceError(f"could not be checked now, so it was not extended (try again when the certificate "
                           f"status services can be reached): {f.code}: {f.message}")


def _refusal(verdict: FileVerdict) -> str | None:
    """Why ``verdict``'s copy must not be extended, or None."""
    if verdict.error:
        return verdict.error
    blocking = _blocking(verdict)
    if blocking:
        f = blocking[0]
        more = f" (and {len(blocking) - 1} more finding(s))" if len(blocking) > 1 else ""
        return f"does not verify: {f.level.value} {f.code}: {f.message}{more}"
    if any(not s.ok and not {x.code for x in s.findings} <= NOT_BLOCKING_EXTEND for s in verdict.signatures):
        return "does not verify: a signature is not TOTAL-PASSED"
    ev = verdict.evidence
    assert ev is not None
    levels = {s.pades_level for s in ev.signatures if s.kind is not SignatureKind.DOC_TIMESTAMP}
    has_doc_ts = any(s.kind is SignatureKind.DOC_TIMESTAMP for s in ev.signatures)
    if not has_doc_ts or "B-LTA" not in levels:
        found = ", ".join(sorted(x or "-" for x in levels)) or "no signatures"
        return (
            f"is not PAdES B-LTA (found: {found}); only copies with a document timestamp "
            "chain are extended"
        )
    return None


def extend(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    out_dir: Path | None = None,
    progress: Callable[[int, int, ExtendResult], None] | None = None,
) -> list[ExtendResult]:
    """Add an archive timestamp to every B-LTA copy in ``paths`` that verifies.

    Each copy is replaced atomically (the same path: extending a copy is the
    point), or written as ``out_dir/<name>`` when ``out_dir`` is given."""
    from ..pdf.extend import add_archive_timestamp, document_timestamp_count
    from .pipeline import Copy, Pipeline

    if not paths:
        raise UsageError("no files to extend")
    if out_dir is not None and not out_dir.is_dir():
        raise UsageError(f"the output directory {out_dir} does not exist")
    if out_dir is not None:
        names = [p.name for p in paths]
        if len(set(names)) != len(names):
            raise UsageError("two inputs have the same file name; they would overwrite each other in -o")
    done: list[str] = []  # the copies written so far
    writing: list = []  # (the copy, its new bytes) while it is being replaced
    with Pipeline(ws, cache=True) as pipe:  # a copy verify examined earlier today is not examined again

        async def run() -> list[ExtendResult]:
            results: list[ExtendResult] = []
            async with pipe.session() as rt:
                spec = rt.signature_spec()
                for i, path in enumerate(paths, start=1):
                    try:
                        x = await pipe.examine(rt, Copy.of_path(path), keep_data=True, spec=spec)
                        if x.evidence is None:
                            raise InputError(x.error or "could not be examined")
                        data, ev = x.data, x.evidence
                        await pipe.prepare(rt, [ev])
                        # the verdict `verify` gives this copy alone, from the one pipeline
                        verdict = pipe.judge([x]).files[0]
                        _checked_now(verdict)
                        why = _refusal(verdict)
                        if why:
                            n = sum(s.kind is SignatureKind.DOC_TIMESTAMP for s in ev.signatures)
                            result = ExtendResult(str(path), "refused", why, document_timestamps=n)
                        else:
                            extended = await add_archive_timestamp(data, rt.env)
                            target = out_dir / path.name if out_dir is not None else path
                            writing[:] = [target, extended]
                            write_atomic(target, extended)
                            writing.clear()
                            done.append(str(target))
                            n = document_timestamp_count(extended)
                            when = _last_timestamp_time(extended)
                            result = ExtendResult(
                                str(path), "extended",
                                f"archive timestamp {n} added" + (f" at {when:%Y-%m-%d %H:%M:%S}Z" if when else ""),
                                output=str(target), document_timestamps=n, timestamp_time=when,
                            )
                    except ZvhsignError as exc:
                        result = ExtendResult(str(path), "error", exc.message)
                    except Exception as exc:  # one bad file must not stop the batch
                        result = ExtendResult(str(path), "error", f"could not be extended ({type(exc).__name__}: {exc})")
                    results.append(result)
                    if progress:
                        progress(i, len(paths), result)
            return results

        try:
            return asyncio.run(run())
        except KeyboardInterrupt as exc:
            # each copy is replaced whole or not at all, but the copies before the interruption
            # are extended: "nothing was written" would not be true
            if writing and _holds(writing[0], writing[1]):  # replaced just before the signal came
                done.append(str(writing[0]))
            exc.partial = _partly_done(done, len(paths))
            raise


def _holds(path: Path, data: bytes) -> bool:
    try:
        return Path(path).read_bytes() == data
    except OSError:
        return False


def _partly_done(done: list[str], total: int) -> str | None:
    """What an interrupted ``extend`` had done (None: nothing)."""
    if not done:
        return None
    names = ", ".join(done[:10]) + (f" and {len(done) - 10} more" if len(done) > 10 else "")
    return f"{len(done)} of {total} copies were extended before it ({names}); the others are unchanged"


def _last_timestamp_time(data: bytes) -> datetime | None:
    from ..pdf.extend import last_document_timestamp_time

    return last_document_timestamp_time(data)
