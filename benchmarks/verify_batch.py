"""Throughput of `zvhsign verify` on a batch: files/s and peak RSS.

Usage:
    python benchmarks/verify_batch.py                      # makes a demo workspace first (~50 s)
    python benchmarks/verify_batch.py --demo DIR -n 120    # reuse a `zvhsign demo DIR` folder
    python benchmarks/verify_batch.py --demo DIR --offline

The N files are the demo's signed copies, repeated (as distinct files) until there
are N; one process verifies them all, as `zvhsign verify signed/*.pdf` does.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, help="a folder made by `zvhsign demo` (default: make one)")
    ap.add_argument("-n", type=int, default=24, help="number of files to verify (default 24)")
    ap.add_argument("--offline", action="store_true", help="no OCSP/CRL fetching")
    args = ap.parse_args()

    from zvhsign.services.operations import verify
    from zvhsign.services.workspace import find_workspace

    with tempfile.TemporaryDirectory() as tmp:
        demo = args.demo
        if demo is None:
            from zvhsign.services.demo import run_demo

            demo = Path(tmp) / "demo"
            t = time.perf_counter()
            run_demo(demo, say=lambda *a, **k: None)
            print(f"demo workspace made in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        signed = sorted((demo / "signed").glob("*.pdf"))
        if not signed:
            print(f"no signed copies in {demo / 'signed'}", file=sys.stderr)
            return 2
        batch_dir = Path(tmp) / "batch"
        batch_dir.mkdir()
        paths = []
        for i in range(args.n):
            src = signed[i % len(signed)]
            dst = batch_dir / f"{i:05d}-{src.name}"
            shutil.copyfile(src, dst)
            paths.append(dst)
        ws = find_workspace(demo)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        result = verify(ws, paths, online=not args.offline)
        elapsed = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        ok = sum(1 for f in result.files if f.verified)
        print(
            f"{len(paths)} files in {elapsed:.2f} s: {len(paths) / elapsed:.2f} files/s, "
            f"{elapsed / len(paths) * 1000:.0f} ms/file; verified {ok}/{len(paths)}; "
            f"peak RSS {peak / 1024:.0f} MiB (before verify {rss_before / 1024:.0f} MiB)"
        )
        return 0 if ok == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
