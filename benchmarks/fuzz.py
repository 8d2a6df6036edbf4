"""Fuzz `zvhsign verify` with N seeded mutants of signed copies; print the figures.

Usage:
    python benchmarks/fuzz.py                 # 2000 mutants, seed 15
    python benchmarks/fuzz.py -n 5000 --seed 7 --chunk 250 --online
    python benchmarks/fuzz.py --seed 6 --table   # also each chunk's table, strict UTF-8

Makes a test workspace (the bundled test PKI) with the covenant and the protocol
approved, and a partner-signed (B-LTA) copy of each; the mutants are made from those
and the approved covenant alone by tests/robustness/mutator.py (the CI harness's
mutator). Each chunk is verified by one `zvhsign verify --json` process.

Prints: verdict counts per mutation kind; tracebacks or other text on stderr;
false accepts (a byte inside a signed range changed and still VERIFIED); verdicts
missing; ERROR reasons that show Python internals; files read but not judged (the pipeline's
"could not be examined": a damaged structure must be a finding, exit 1); the peak RSS of a chunk's process
(its workers included) and the time taken. Standard output is strict UTF-8, as on a terminal;
``--table`` also writes each chunk as the table (``verify -v``) and reports any that did not
come out whole.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Python's own words in an ERROR reason: a message for people should not show them
_INTERNALS = ("Traceback", "object at 0x", "maximum recursion depth", "NoneType", "has no attribute")
_EXC_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b")
#: the pipeline's words for a file it read but could not judge (an exception it did not expect):
#: a damaged structure in a readable file is a finding (exit 1), never "could not complete"
_UNJUDGED = "could not be examined"

# a subreaper (prctl PR_SET_CHILD_SUBREAPER): it also reaps, and counts, what the command leaves
# behind -- multiprocessing's fork server, whose children the --jobs workers are
_MEASURE = textwrap.dedent("""
    import ctypes, os, resource, subprocess, sys
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
    out, err = sys.argv[1], sys.argv[2]
    with open(out, "wb") as o, open(err, "wb") as e:
        rc = subprocess.run(sys.argv[4:], stdout=o, stderr=e, stdin=subprocess.DEVNULL).returncode
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    open(sys.argv[3], "w").write(f"{rc} {peak}")
""")


def make_bases(root: Path) -> tuple[Path, dict[str, bytes]]:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import make_approved_workspace  # the tests' own set-up

    from zvhsign.domain.secrets import Secret
    from zvhsign.services.signing import sign
    from zvhsign.testpki import TEST_PASSPHRASE

    pp = Secret(TEST_PASSPHRASE, source="benchmark")
    a = make_approved_workspace(root, pp)
    bases = {"approved": a.convenant.read_bytes()}
    for name, src in (("convenant-om", a.convenant), ("protocol-om", a.protocol)):
        out = root / f"{name}.pdf"
        sign(a.ws, src, a.key("om", pp), out)
        bases[name] = out.read_bytes()
    return a.ws.root, bases


def zvhsign_argv() -> list[str]:
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]


def _table_problems(json_cmd: list[str], env: dict, start: int) -> list[str]:
    """The same chunk as a table (``verify -v``): what went wrong writing it, if anything."""
    cmd = [a for a in json_cmd if a != "--json"]
    cmd.insert(cmd.index("verify") + 1, "-v")
    run = subprocess.run(cmd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
    problems = []
    try:
        run.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"chunk at {start}: the table is not UTF-8 ({exc})")
    if run.returncode not in (0, 1, 3) or run.stderr.strip():
        problems.append(f"chunk at {start}: table exit {run.returncode}: "
                        f"{run.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return problems


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="number of mutants (default 2000)")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--chunk", type=int, default=250, help="files per verify process (default 250)")
    ap.add_argument("--online", action="store_true", help="fetch OCSP/CRL (default: --offline)")
    ap.add_argument("--keep", type=Path, help="keep the mutants and the workspace in this folder")
    ap.add_argument("--table", action="store_true",
                    help="also write each chunk's table (verify -v): it must be strict UTF-8, exit 0/1/3, no stderr")
    return ap.parse_args()


def _write_mutants(made, folder: Path) -> list[tuple]:  # noqa: ANN001
    """Each mutant a file in ``folder``: (name, kind, in signed range, note, path)."""
    folder.mkdir(exist_ok=True)
    cases = []
    t0 = time.perf_counter()
    for m in made:
        path = folder / f"{m.name}.pdf"
        path.write_bytes(m.data)
        cases.append((m.name, m.kind, m.in_signed_range, m.note, path))
    print(f"{len(cases)} mutants made in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return cases


def _unjudged_reason(f: dict) -> str:
    """Why a file got no judgement of its signatures: its ERROR, or the FILE_DAMAGED finding (read,
    and not a PDF that can be examined: FAILED, exit 1)."""
    damaged = (x["message"] for x in f.get("findings", ()) if x.get("code") == "FILE_DAMAGED")
    return f.get("error") or next(damaged, "")


def _error_problems(name: str, path: Path, error: str, reasons, internals: list, unjudged: list) -> None:  # noqa: ANN001
    """Count an ERROR reason; note one that shows Python internals or a file read but not judged."""
    if error:
        reasons[re.sub(r"\d+", "N", error.replace(str(path), "FILE"))[:90]] += 1
    if any(t in error for t in _INTERNALS) or _EXC_NAME.search(error):
        internals.append(f"{name}: {error[:200]}")
    if error.startswith(_UNJUDGED):
        unjudged.append(f"{name}: {error[:200]}")


def main() -> int:
    args = _args()

    sys.path.insert(0, str(REPO / "tests"))
    from robustness.mutator import mutants

    tmp = Path(tempfile.mkdtemp(prefix="zvhsign-fuzz-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        ws_root, bases = make_bases(tmp / "base")
        print(f"bases made in {time.perf_counter() - t0:.1f} s: "
              + ", ".join(f"{k} ({len(v)} bytes)" for k, v in bases.items()), file=sys.stderr)
        cases = _write_mutants(mutants(bases, args.n, args.seed), tmp / "mutants")

        # standard output strict UTF-8, as on a terminal (a C locale would let stray bytes through)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
        env.update(PYTHONIOENCODING="utf-8", NO_COLOR="1")
        counts: collections.Counter = collections.Counter()
        per_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        false_accepts, missing, internals, noisy, tables, unjudged = [], [], [], [], [], []
        reasons: collections.Counter = collections.Counter()
        tracebacks = 0
        peak_mb = 0
        t0 = time.perf_counter()
        for start in range(0, len(cases), args.chunk):
            chunk = cases[start:start + args.chunk]
            out, err, fig = tmp / "out.json", tmp / "err.txt", tmp / "fig"
            cmd = [*zvhsign_argv(), "-w", str(ws_root), "verify", "--json",
                   *([] if args.online else ["--offline"]), *(str(c[4]) for c in chunk)]
            subprocess.run([sys.executable, "-c", _MEASURE, str(out), str(err), str(fig), *cmd],
                           env=env, check=True)
            rc, peak = (int(x) for x in fig.read_text().split())
            peak_mb = max(peak_mb, peak)
            stderr = err.read_text("utf-8", "replace")
            tracebacks += stderr.count("Traceback")
            if stderr.strip():
                noisy.append(stderr.strip()[:500])
            try:
                doc = json.loads(out.read_text("utf-8"))
            except ValueError:
                missing.extend(c[0] for c in chunk)
                print(f"chunk at {start}: no JSON (exit {rc})", file=sys.stderr)
                continue
            by_path = {f["path"]: f for f in doc["files"]}
            for name, kind, inside, note, path in chunk:
                f = by_path.get(str(path))
                if f is None:
                    missing.append(name)
                    continue
                counts[f["status"]] += 1
                per_kind[kind][f["status"]] += 1
                if inside and f["status"] == "VERIFIED":
                    false_accepts.append(f"{name}: {note}")
                _error_problems(name, path, _unjudged_reason(f), reasons, internals, unjudged)
            if args.table:
                tables.extend(_table_problems(cmd, env, start))
            done = start + len(chunk)
            print(f"  {done}/{len(cases)} verified, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        took = time.perf_counter() - t0

        inside = sum(1 for c in cases if c[2])
        print(f"mutants: {len(cases)} (seed {args.seed}), {inside} with a changed byte inside a signed range")
        print(f"verify: {'online' if args.online else 'offline'}, {args.chunk} files per process, "
              f"{took:.0f} s ({len(cases) / took:.1f} files/s)")
        print("verdicts: " + ", ".join(f"{k} {counts[k]}" for k in ("VERIFIED", "FAILED", "ERROR")))
        for kind in sorted(per_kind):
            print(f"  {kind:<20} " + ", ".join(f"{k} {v}" for k, v in sorted(per_kind[kind].items())))
        print(f"verdicts missing: {len(missing)}")
        print(f"tracebacks on stderr: {tracebacks}; chunks with any stderr: {len(noisy)}")
        print(f"ERROR reasons with Python internals: {len(internals)}")
        print(f"false accepts: {len(false_accepts)}")
        print(f"read but not judged (ERROR '{_UNJUDGED}'): {len(unjudged)}")
        if args.table:
            print(f"tables not written whole: {len(tables)}")
        print(f"peak RSS of a verify process (with its workers): {peak_mb} MB")
        print(f"this script's own peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
        print("most frequent ERROR / FILE_DAMAGED reasons:")
        for reason, n in reasons.most_common(8):
            print(f"  {n:5d}  {reason}")
        for line in false_accepts[:20] + internals[:20] + unjudged[:20] + noisy[:5] + tables[:5]:
            print("  " + line)
        return 1 if false_accepts or missing or tracebacks or internals or tables or unjudged else 0
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
