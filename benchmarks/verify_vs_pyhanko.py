"""zvhsign verify against a naive in-process pyHanko loop, in one run, on the same copies.

Usage:
    python benchmarks/verify_vs_pyhanko.py                       # makes a demo workspace (~3 min)
    python benchmarks/verify_vs_pyhanko.py --demo DIR -n 100 -n 500 --jobs 2

For each N the demo's signed copies are repeated until there are N, each made a file of its
own bytes (random whitespace after its last %%EOF, which changes no verdict): copies zvhsign has
never seen. Both sides run as their own process, measured from outside (wall time, CPU time
of the process and its children, peak RSS):

The test PKI (TSA, OCSP, CRLs) is served by this script, once, for every zvhsign run, in a copy
of the demo workspace with ``[testpki] serve = false`` (benchmarks/sign_vs_pyhanko.py explains
the routing): a real workspace fetches over HTTP, it does not serve a PKI inside the command.
At N=1 the row "zv-serve" is the demo workspace as it is (the command serves the test PKI
itself when it needs to fetch, as the demo and the tests run it).

* zvhsign "new": ``zvhsign verify --json --jobs J FILES`` on the new copies -- the whole
  verification (approved version by hash, revision analysis, ETSI validation with the
  embedded validation data and online revocation where needed, governance rules), as when
  copies arrive; "cached": the same command again (a re-verify of unchanged copies);
  "no-cache": ``--no-cache`` (every file examined again, the trusted lists read anew);
* peer: a naive in-process pyHanko loop -- trust root, embedded validation data (the DSS),
  no fetching, ``validate_pdf_signature`` for every signature of every file;
* ph-cli (N=1 only): ``pyhanko sign validate --trust ROOT --other-certs CA
  --soft-revocation-check FILE`` -- pyHanko's own command on the one copy.

Printed: per file CPU and wall, peak RSS, and the ratios zvhsign / peer -- of the median of
``--repeat`` rounds (default 5 up to 12 copies: one run of a second varies by 10-20 %), each
round on new copies, the sides in turn so that load from other work hits them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sign_vs_pyhanko as svp  # noqa: E402 - the shared set-up (served PKI, shim)

PEER = r"""
import sys
from pathlib import Path
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
root = load_cert_from_pemder(sys.argv[1])
ok = bad = 0
for name in sys.argv[2:]:
    with open(name, "rb") as fh:
        reader = PdfFileReader(fh)
        dss = DocumentSecurityStore.read_dss(reader)
        vc_kwargs = {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "soft-fail"}
        for sig in reader.embedded_regular_signatures:
            vc = dss.as_validation_context(dict(vc_kwargs))
            status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
            ok += bool(status.bottom_line)
            bad += not status.bottom_line
print(ok, bad)
"""


def _measure(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MiB, stdout) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # a fresh measuring process per run, so RUSAGE_CHILDREN's peak is this run's; a subreaper
    # (prctl PR_SET_CHILD_SUBREAPER), so that it also reaps -- and counts the CPU and peak of --
    # the processes the command leaves behind: multiprocessing's fork server, whose children
    # the --jobs workers are, outlives zvhsign by a moment and is no child of the measurer
    wrapper = [sys.executable, "-c",
               "import ctypes,os,resource,subprocess,sys;ctypes.CDLL(None).prctl(36,1,0,0,0);"
               "r=subprocess.run(sys.argv[1:],capture_output=True);"
               "exec('while True:\\n try: os.wait()\\n except ChildProcessError: break');"
               "sys.stdout.buffer.write(r.stdout);"
               "print('\\nPEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *argv]
    out = subprocess.run(wrapper, env=env, capture_output=True, text=True, check=False).stdout
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text, _, peak = out.rpartition("\nPEAK ")
    return wall, cpu, int(peak or 0) / 1024, text


def _new_copies(folder: Path, n: int, signed: list[Path]) -> list[str]:
    """N copies of the demo's signed copies, each with bytes of its own, never seen before:
    64 random spaces and tabs after %%EOF (which changes no verdict)."""
    folder.mkdir()
    paths = []
    for i in range(n):
        dst = folder / f"{i:05d}-{signed[i % len(signed)].name}"
        data = signed[i % len(signed)].read_bytes()
        nonce = bytes(b" \t"[b & 1] for b in os.urandom(64))
        dst.write_bytes(data.rstrip(b"\r\n") + b"\n" + nonce + b"\n")
        paths.append(str(dst))
    return paths


def _one_round(n, rep, tmp, signed, zv, zv_env, env, demo, root, other_certs, exe, jobs):  # noqa: ANN001, ANN202
    """One measurement of every side on N new copies: (side, (wall, CPU, peak)) in turn."""
    paths = _new_copies(tmp / f"batch-{n}-{rep}", n, signed)
    verify = [*zv, "verify", "--json", *(["--jobs", str(jobs)] if jobs else [])]
    z = _measure([*verify, *paths], zv_env)  # new copies: every file examined
    verdicts = json.loads(z[3]) if z[3].strip() else {"files": []}
    if any(f["status"] != "VERIFIED" for f in verdicts["files"]) or len(verdicts["files"]) != n:
        raise SystemExit(f"zvhsign did not verify all {n} copies: the figures would not be comparable")
    yield "new", z[:3]
    yield "cached", _measure([*verify, *paths], zv_env)[:3]  # a re-verify of unchanged copies
    yield "no-cache", _measure([*verify, "--no-cache", *paths], zv_env)[:3]  # examined again, lists read anew
    yield "pyhanko", _measure([sys.executable, "-c", PEER, str(root), *paths], env)[:3]
    if n == 1:  # one copy: also pyHanko's own command, a whole process as zvhsign's is,
        # and zvhsign as the demo runs it (serving the test PKI itself), on a copy of its own
        (copy,) = _new_copies(tmp / f"demo-copy-{rep}", 1, [Path(paths[0])])
        yield "zv-serve", _measure([exe, "-w", str(demo), "verify", "--json", copy], env)[:3]
        yield "ph-cli", _measure([sys.executable, "-m", "pyhanko", "sign", "validate", "--trust", str(root),
                                  "--trust-replace", *other_certs, "--soft-revocation-check", *paths], env)[:3]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, help="a folder made by `zvhsign demo` (default: make one)")
    ap.add_argument("-n", type=int, action="append", help="batch sizes (default: 12 and 48)")
    ap.add_argument("--jobs", type=int, default=None, help="zvhsign --jobs (default: one per core)")
    ap.add_argument("-r", "--repeat", type=int, default=None,
                    help="rounds per N, the median shown (default: 5 up to 12 copies, else 1)")
    args = ap.parse_args()
    sizes = args.n or [12, 48]
    exe = str(Path(sys.executable).with_name("zvhsign"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    from zvhsign.testpki import LocalTestPKI, certs_dir

    with tempfile.TemporaryDirectory() as tmp, LocalTestPKI(certs_dir()) as pki:
        env["ZVH_BENCH_PKI_PORT"] = str(pki.port)
        # every zvhsign process -- also the workers --jobs spawns -- routes the test PKI's name
        # to the served PKI: the shim as the sitecustomize of the zvhsign runs only
        shim_dir = Path(tmp) / "shim"
        shim_dir.mkdir()
        (shim_dir / "sitecustomize.py").write_text(svp.SHIM, encoding="utf-8")
        # both sides run from compiled bytecode, as after an install, kept for this run
        # (with PYTHONDONTWRITEBYTECODE set, zvhsign's modules would be compiled every run)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        demo = args.demo
        if demo is None:
            demo = Path(tmp) / "demo"
            subprocess.run([exe, "demo", str(demo)], check=True, capture_output=True)
        served = Path(tmp) / "ws"  # the demo workspace with the test PKI served by this script
        shutil.copytree(demo, served, ignore=shutil.ignore_patterns("signed", "kit", "*.pdf"))
        svp._set(served, serve=False)
        zv = [exe, "-w", str(served)]
        zv_env = {**env, "PYTHONPATH": str(shim_dir)}
        signed = sorted((demo / "signed").glob("*.pdf"))
        root = next((demo / "trust").glob("*root*.pem"), None) or next((demo / "trust").glob("*.pem"))
        other_certs = [a for ca in sorted((demo / "trust").glob("*-ca.cert.pem")) for a in ("--other-certs", str(ca))]
        _measure([*zv, "verify", "--no-cache", str(signed[0])], zv_env)  # fills the bytecode cache
        for warm_up in ([exe, "-w", str(demo), "verify", "--no-cache", str(signed[0])],
                        [sys.executable, "-c", PEER, str(root), str(signed[0])]):
            _measure(warm_up, env)  # (not measured)
        print(f"{'N':>5} {'side':<8} {'wall/file':>10} {'CPU/file':>10} {'peak RSS':>10}")
        for n in sizes:
            runs: dict[str, list] = {}
            for rep in range(args.repeat or (5 if n <= 12 else 1)):
                for side, m in _one_round(n, rep, Path(tmp), signed, zv, zv_env, env, demo, root, other_certs, exe,
                                          args.jobs):
                    runs.setdefault(side, []).append(m)
            # the median run of each side (wall, CPU and peak each): one run of a second is noisy
            sides = {side: tuple(statistics.median(m[i] for m in ms) for i in range(3)) for side, ms in runs.items()}
            for side, (wall, cpu, peak) in sides.items():
                print(f"{n:>5} {side:<8} {wall / n * 1000:>8.0f}ms {cpu / n * 1000:>8.0f}ms {peak:>8.0f}MB")
            for peer in ("pyhanko", "ph-cli"):
                if peer not in sides:
                    continue
                q = sides[peer]
                for side in ("new", "cached", "no-cache", "zv-serve"):
                    if side in sides:
                        m = sides[side]
                        print(f"{n:>5} {'ratio':<8} {m[0] / q[0]:>9.2f}x {m[1] / q[1]:>9.2f}x {m[2] / q[2]:>9.2f}x"
                              f"   ({side} / {peer}; below 1: zvhsign is faster/smaller)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
