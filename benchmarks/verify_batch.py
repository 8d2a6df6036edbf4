"""`zvhsign verify` on growing batches: time per file and peak memory, and where memory grows.

Usage:
    python benchmarks/verify_batch.py                          # makes a demo workspace first (~2 min)
    python benchmarks/verify_batch.py --demo DIR -n 12 -n 100 -n 500 --jobs 1
    python benchmarks/verify_batch.py --demo DIR -n 100 --tracemalloc 15    # in-process, top growth sites
    python benchmarks/verify_batch.py --demo DIR -n 48 --offline

The N files are the demo's signed copies, copied under distinct names until there are N
(cheap: a copy costs nothing to make; ``--no-cache`` makes every copy be examined, as the
evidence cache would otherwise answer for repeated bytes). For each N one command runs

    zvhsign verify --json --no-cache [--jobs J] FILES

as its own process, measured from outside: wall and CPU (the command and its worker
processes) per file, peak RSS of the command process itself and the peak of the sum over the
command and its workers (sampled from /proc every 50 ms).

``--tracemalloc K`` instead verifies the batch in this process through the library
(``zvhsign.services.operations.verify``, one process: ``jobs=1``) with tracemalloc on, takes a
snapshot after every 10% of the files (through the progress callback) and prints the K
allocation sites that grew most between the first and the last snapshot -- where memory grows
with the number of files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _tree_rss_kib(pid: int) -> int:
    """RSS (KiB) of ``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total


def measure(argv: list[str], env: dict) -> dict:
    """Wall, CPU, peak RSS of the process and peak RSS of its process tree (sampled)."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, _tree_rss_kib(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    err_reader = threading.Thread(target=lambda: proc.stderr.read(), daemon=True)
    reader.start()
    err_reader.start()
    _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    reader.join()
    err_reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, peak=ru.ru_maxrss / 1024, tree=peak_tree / 1024,
                code=proc.returncode, stdout=b"".join(out_chunks))


def make_batch(signed: list[Path], n: int, where: Path) -> list[Path]:
    where.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        src = signed[i % len(signed)]
        dst = where / f"{i:05d}-{src.name}"
        if not dst.exists():
            shutil.copyfile(src, dst)
        paths.append(dst)
    return paths


def run_tracemalloc(demo: Path, paths: list[Path], top: int, offline: bool) -> None:
    import gc
    import tracemalloc

    from zvhsign.services.operations import verify
    from zvhsign.services.workspace import find_workspace

    ws = find_workspace(demo)
    snaps: list[tuple[int, object]] = []
    step = max(1, len(paths) // 10)

    def progress(i: int, total: int, _fv) -> None:  # noqa: ANN001
        if i == 1 or i % step == 0 or i == total:
            gc.collect()
            snaps.append((i, tracemalloc.take_snapshot()))
            cur, peak = tracemalloc.get_traced_memory()
            print(f"  after {i:>5} files: traced {cur / 2**20:7.1f} MiB (peak {peak / 2**20:7.1f} MiB)",
                  file=sys.stderr)

    tracemalloc.start(4)
    t = time.perf_counter()
    result = verify(ws, paths, online=not offline, progress=progress, jobs=1, cache=False)
    elapsed = time.perf_counter() - t
    gc.collect()
    cur, peak = tracemalloc.get_traced_memory()
    end = tracemalloc.take_snapshot()
    print(f"{len(paths)} files in {elapsed:.1f} s ({elapsed / len(paths) * 1000:.0f} ms/file with tracemalloc); "
          f"verified {sum(1 for f in result.files if f.verified)}; traced now {cur / 2**20:.1f} MiB "
          f"(the verdicts still held), peak {peak / 2**20:.1f} MiB")
    (i0, first), (i1, last) = snaps[0], snaps[-1]
    print(f"\nlargest growth between file {i0} and file {i1} (per file: /{i1 - i0}):")
    for stat in last.compare_to(first, "traceback")[:top]:
        frames = [f for f in stat.traceback.format() if f.strip() and not f.startswith("    ")]
        where = " <- ".join(
            f.strip().replace(str(Path(sys.prefix)), "venv") for f in frames[-1:-5:-1]
        )
        print(f"{stat.size_diff / 2**20:8.2f} MiB {stat.size_diff / max(1, i1 - i0) / 1024:8.1f} KiB/file "
              f"{stat.count_diff:>8} blocks  {where}")
    print("\nheld at the end, by line (the verdicts and what they reference):")
    for stat in end.statistics("lineno")[:top]:
        print(f"{stat.size / 2**20:8.2f} MiB {stat.count:>8} blocks  {stat.traceback[0]}")
    del result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, help="a folder made by `zvhsign demo` (default: make one)")
    ap.add_argument("-n", type=int, action="append", help="batch sizes (default 12 and 100)")
    ap.add_argument("--jobs", type=int, default=None, help="zvhsign verify --jobs (default: one per core)")
    ap.add_argument("--offline", action="store_true", help="no OCSP/CRL fetching")
    ap.add_argument("--tracemalloc", type=int, metavar="K", help="in-process run; print the K top growth sites")
    args = ap.parse_args()
    sizes = args.n or [12, 100]
    exe = str(Path(sys.executable).with_name("zvhsign"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    with tempfile.TemporaryDirectory(prefix="zvh-verifybatch-") as tmp:
        demo = args.demo
        if demo is None:
            demo = Path(tmp) / "demo"
            t = time.perf_counter()
            subprocess.run([exe, "demo", str(demo)], check=True, capture_output=True, env=env)
            print(f"demo workspace made in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        signed = sorted((demo / "signed").glob("*.pdf"))
        if not signed:
            print(f"no signed copies in {demo / 'signed'}", file=sys.stderr)
            return 2
        if args.tracemalloc:
            run_tracemalloc(demo, make_batch(signed, sizes[-1], Path(tmp) / "batch"), args.tracemalloc, args.offline)
            return 0
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
              f"jobs {args.jobs or 'default'}{', offline' if args.offline else ''}; --no-cache")
        print(f"{'N':>6} {'wall/file':>10} {'CPU/file':>10} {'peak RSS':>9} {'tree peak':>10} {'verified':>9}")
        failed = 0
        for n in sizes:
            paths = make_batch(signed, n, Path(tmp) / "batch")
            argv = [exe, "-w", str(demo), "verify", "--json", "--no-cache"]
            argv += ["--jobs", str(args.jobs)] if args.jobs else []
            argv += ["--offline"] if args.offline else []
            m = measure([*argv, *map(str, paths)], env)
            import json

            try:
                files = json.loads(m["stdout"])["files"]
                ok = sum(1 for f in files if f.get("status") == "VERIFIED")
            except (ValueError, KeyError, TypeError):
                ok = -1
            failed += ok != n
            print(f"{n:>6} {m['wall'] / n * 1000:>8.0f}ms {m['cpu'] / n * 1000:>8.0f}ms {m['peak']:>7.0f}MB "
                  f"{m['tree']:>8.0f}MB {ok:>5}/{n}")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
