"""zvhsign sign/approve against pyHanko itself (CLI and library), in one run, on the same copy.

Usage:
    python benchmarks/sign_vs_pyhanko.py                         # N=5, levels B-B B-T B-LT B-LTA
    python benchmarks/sign_vs_pyhanko.py -n 10 --level B-LTA --no-serve
    python benchmarks/sign_vs_pyhanko.py --profile prof/          # also cProfile one sign and one approve

One test PKI (``zvhsign.testpki.LocalTestPKI``: TSA, OCSP, CRLs) is served by this
script for the whole run, so every side gets the same answers from the same server and
none of them pays for the server's work. The certificates name
``pki.zvh-test.invalid``; each child process routes that name to the served PKI with a
small ``socket.getaddrinfo`` shim (nothing else is changed in either program).

The workspace is a test workspace (``init_test_workspace``) with ``[testpki] serve =
false`` (the PKI is already served) and ``[display] lang = "en"``; the covenant 1.0 is
approved once, and that approved copy is signed N times by the OM at each level:

* ``zvhsign``   -- ``zvhsign sign APPROVED -k om.p12 --level L -y`` (a whole command:
  pre-flight examination of the copy, signer check, the pipeline's rules, the signature),
  the first signature of the copy: the workspace's evidence cache is emptied before each run;
* ``zv-again``  -- the same command with the copy's examination in the evidence cache, as after
  a ``sign --dry-run`` or a ``verify`` of the copy that day (the signer is checked anew);
* ``zv-serve``  -- the same command in a copy of the workspace with ``serve = true``, as the
  tests and the demo run it: the command serves the test PKI itself (B-LTA only; ``--no-serve``
  leaves it out);
* ``ph-cli``    -- ``pyhanko sign addsig --use-pades`` at the same level (``--timestamp-url``;
  B-LT/B-LTA ``--with-validation-info`` with the same trust root; B-LTA ``--use-pades-lta``)
  into the same free field;
* ``zv-lib``/``ph-lib`` -- one process signing N times through the library
  (``zvhsign.services.signing.sign`` / pyHanko's ``PdfSigner``): the cost per signature once
  the process is running.

Approve: N stamped versions (1.1, 1.2, ...) approved in turn (``zvhsign approve``, default
level B-LT) against ``pyhanko sign addsig --certify`` at B-LT into the approval field.

Every child is measured from outside (``os.wait4`` in a small wrapper interpreter, so that
this script's own peak RSS is not inherited): wall time, CPU (user + system) and peak RSS. zvhsign and pyHanko runs alternate, so load from other work hits both alike; the
figures are the median run's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SHIM = r'''
"""Route pki.zvh-test.invalid to the served test PKI (127.0.0.1:$ZVH_BENCH_PKI_PORT)."""
import os
import socket

_PORT = int(os.environ["ZVH_BENCH_PKI_PORT"])
_real = socket.getaddrinfo


def getaddrinfo(host, port, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name and name.lower().rstrip(".") == "pki.zvh-test.invalid":
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", _PORT))]
    return _real(host, port, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
'''

_PRELUDE = "import sys; sys.path.insert(0, sys.argv.pop(1)); import zvh_bench_shim; "
ZVHSIGN_MAIN = _PRELUDE + "from zvhsign.cli import main; sys.argv[0] = 'zvhsign'; sys.exit(main())"
PYHANKO_MAIN = _PRELUDE + "from pyhanko.__main__ import launch; sys.argv[0] = 'pyhanko'; sys.exit(launch())"
PROFILE_MAIN = _PRELUDE + (
    "import cProfile; from zvhsign.cli import main; out = sys.argv.pop(1); sys.argv[0] = 'zvhsign'; "
    "cProfile.run('main()', out)"
)

ZV_LIB = _PRELUDE + r'''
from pathlib import Path
from zvhsign.domain.documents import PadesLevel
from zvhsign.domain.secrets import Secret
from zvhsign.services.keys import KeySource
from zvhsign.services.signing import sign
from zvhsign.services.workspace import load_workspace

ws_dir, inp, p12, level, n, out = sys.argv[1:7]
ws = load_workspace(Path(ws_dir))
key = KeySource(pkcs12=Path(p12), passphrase=Secret(os.environ["ZVHSIGN_PASSPHRASE"], source="bench"))
for i in range(int(n)):
    sign(ws, Path(inp), key, Path(out) / f"zv-lib-{i}.pdf", level=PadesLevel.parse(level))
'''.replace("from pathlib", "import os\nfrom pathlib", 1)

PH_LIB = _PRELUDE + r'''
import asyncio
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

inp, p12, root, ca, field, level, n, out, tsa_url, passphrase = sys.argv[1:11]
signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=passphrase.encode())
ts = level != "B-B"
lt = level in ("B-LT", "B-LTA")


async def one(i):
    vc = None
    if lt:
        vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)],
                               other_certs=[load_cert_from_pemder(ca)], allow_fetching=True)
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=lt, use_pades_lta=level == "B-LTA", validation_context=vc)
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=HTTPTimeStamper(tsa_url) if ts else None)
    with open(inp, "rb") as fh:
        w = IncrementalPdfFileWriter(fh)
        with open(f"{out}/ph-lib-{i}.pdf", "wb") as o:
            await pdf_signer.async_sign_pdf(w, existing_fields_only=True, output=o)


for i in range(int(n)):
    asyncio.run(one(i))
'''


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float
    code: int


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)
    per: int = 1  # signatures per run

    def add(self, r: Run) -> None:
        self.runs.append(r)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.code == 0 for r in self.runs)

    # the median run: one run slowed by other work on the machine does not move the figure
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs) / self.per

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs) / self.per

    def peak(self) -> float:
        return max(r.peak_mib for r in self.runs)


# Linux keeps a process's peak RSS across exec: a child started straight from this script
# (which serves the test PKI: ~120 MB) would report this script's peak whenever its own is
# lower. So each child is started by a fresh, small interpreter, which reports the child's
# wall time, CPU (user + system, with what it waited for) and peak RSS.
_WRAP = (
    "import os,subprocess,sys,time;t=time.perf_counter();"
    "p=subprocess.Popen(sys.argv[2:],stdin=subprocess.DEVNULL);_,st,ru=os.wait4(p.pid,0);"
    "open(sys.argv[1],'w').write(f'{time.perf_counter()-t} {ru.ru_utime+ru.ru_stime} {ru.ru_maxrss} "
    "{os.waitstatus_to_exitcode(st)}')"
)


def measure(argv: list[str], env: dict, log: Path) -> Run:
    """Wall, CPU (user + system of the child and what it waited for) and peak RSS of one child."""
    result = log.with_name("measure.out")
    with open(log, "ab") as out:
        subprocess.run([sys.executable, "-c", _WRAP, str(result), *argv], env=env, stdout=out, stderr=out,
                       stdin=subprocess.DEVNULL, check=True)
    wall, cpu, peak_kib, code = result.read_text().split()
    return Run(float(wall), float(cpu), int(peak_kib) / 1024, int(code))


def _workspace(tmp: Path, passphrase) -> tuple[Path, Path]:  # noqa: ANN001
    """A test workspace with serve = false and the covenant 1.0 approved (this process serves the PKI)."""
    from datetime import date

    from zvhsign.domain.documents import DocumentKind
    from zvhsign.services.keys import KeySource
    from zvhsign.services.operations import approve, stamp
    from zvhsign.services.setup import init_test_workspace
    from zvhsign.services.workspace import load_workspace
    from zvhsign.testpki import certs_dir

    ws = init_test_workspace(tmp / "ws")
    _set(ws.root, serve=False)
    ws = load_workspace(ws.root)
    repo = Path(__file__).resolve().parent.parent
    stamped = tmp / "convenant-1.0-stamped.pdf"
    stamp(repo / "fixtures" / "samenwerkingsconvenant-1.0.pdf", DocumentKind.CONVENANT, "1.0", stamped)
    approved = tmp / "convenant-1.0.pdf"
    key = KeySource(pkcs12=certs_dir() / "out" / "secretariaat.p12", passphrase=passphrase)
    approve(ws, stamped, key, approved, decided_on=date(2026, 11, 2))
    return ws.root, approved


def _forget(root: Path) -> None:
    """Empty the workspace's evidence cache: the next sign examines its copy anew."""
    from zvhsign.registry import EvidenceCache
    from zvhsign.services.registry_access import open_registry
    from zvhsign.services.workspace import load_workspace

    registry = open_registry(load_workspace(root))
    try:
        EvidenceCache(registry).clear()
    finally:
        registry.close()


def _set(root: Path, *, serve: bool) -> None:
    cfg = root / "zvhsign.toml"
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("serve = true", "serve = false") if not serve else text.replace("serve = false", "serve = true")
    if "[display]" not in text:
        text += '\n[display]\nlang = "en"\n'
    cfg.write_text(text, encoding="utf-8")


def _pyhanko_args(level: str, field_name: str, certs: Path, tsa_url: str, certify: bool = False) -> list[str]:
    args = ["sign", "addsig", "--field", field_name, "--existing-only", "--use-pades"]
    if certify:
        args.append("--certify")
    if level != "B-B":
        args += ["--timestamp-url", tsa_url]
    if level in ("B-LT", "B-LTA"):
        args += ["--with-validation-info", "--trust", str(certs / "zvh-root.cert.pem"), "--trust-replace",
                 "--other-certs", str(certs / "zvh-ca.cert.pem")]
    if level == "B-LTA":
        args.append("--use-pades-lta")
    return args


def _row(label: str, side: str, s: Series) -> None:
    if not s.runs:
        return
    flag = "" if s.ok else "   (FAILED: see the log)"
    print(f"{label:<7} {side:<9} {s.wall() * 1000:>9.0f}ms {s.cpu() * 1000:>9.0f}ms {s.peak():>8.0f}MB{flag}")


def _ratio(label: str, name: str, a: Series, b: Series) -> None:
    if a.runs and b.runs and a.ok and b.ok:
        print(f"{label:<7} {'ratio':<9} {a.wall() / b.wall():>10.2f}x {a.cpu() / b.cpu():>10.2f}x "
              f"{a.peak() / b.peak():>9.2f}x  ({name}; above 1: zvhsign costs more)")


def main() -> int:  # noqa: C901 - a linear script
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5, help="signatures per level and side (default 5)")
    ap.add_argument("--level", action="append", choices=["B-B", "B-T", "B-LT", "B-LTA"],
                    help="PAdES levels (default: all four)")
    ap.add_argument("--no-serve", action="store_true", help="leave out zvhsign with serve = true")
    ap.add_argument("--no-lib", action="store_true", help="leave out the in-process library loops")
    ap.add_argument("--no-approve", action="store_true", help="leave out approve")
    ap.add_argument("--profile", type=Path, help="write cProfile files of one sign and one approve here")
    ap.add_argument("--keep", type=Path, help="keep the workspace, outputs and logs in this folder")
    args = ap.parse_args()
    levels = args.level or ["B-B", "B-T", "B-LT", "B-LTA"]
    n = args.n

    from zvhsign.domain.secrets import Secret
    from zvhsign.pdf.fields import APPROVAL_FIELD, PARTNER_FIELD_PREFIX
    from zvhsign.testpki import TEST_PASSPHRASE, TSA_URL, LocalTestPKI, certs_dir

    certs = certs_dir() / "out"
    py = sys.executable
    tmp_ctx = tempfile.TemporaryDirectory(prefix="zvh-signbench-")
    tmp = Path(tmp_ctx.name) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    shim_dir = tmp / "shim"
    shim_dir.mkdir(exist_ok=True)
    (shim_dir / "zvh_bench_shim.py").write_text(SHIM, encoding="utf-8")
    log = tmp / "children.log"
    passfile = tmp / "passphrase"
    passfile.write_text(TEST_PASSPHRASE, encoding="utf-8")
    outs = tmp / "out"
    outs.mkdir(exist_ok=True)

    with LocalTestPKI(certs_dir()) as pki:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
        env.update(ZVH_BENCH_PKI_PORT=str(pki.port), ZVHSIGN_PASSPHRASE=TEST_PASSPHRASE)
        # both sides run from compiled bytecode, as after an install (pip compiles a wheel's
        # modules; an editable install's are compiled on first use), kept here for this run:
        # with PYTHONDONTWRITEBYTECODE set, zvhsign's modules would be compiled in every child
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        os.environ["ZVH_BENCH_PKI_PORT"] = str(pki.port)
        sys.path.insert(0, str(shim_dir))
        import zvh_bench_shim  # noqa: F401 - this process approves through the served PKI too

        t = time.perf_counter()
        ws_root, approved = _workspace(tmp, Secret(TEST_PASSPHRASE, source="benchmark"))
        print(f"workspace and approved copy made in {time.perf_counter() - t:.1f} s "
              f"(N={n}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
        serve_root = None
        if not args.no_serve:
            serve_root = tmp / "ws-serve"
            shutil.copytree(ws_root, serve_root)
            _set(serve_root, serve=True)
        field_name = f"{PARTNER_FIELD_PREFIX}01"
        zv = [py, "-c", ZVHSIGN_MAIN, str(shim_dir)]
        ph = [py, "-c", PYHANKO_MAIN, str(shim_dir)]
        om = str(certs / "om.p12")

        for warm_up in (  # fills the bytecode cache; not measured
            [*zv, "-w", str(ws_root), "sign", str(approved), "-k", om, "-o", str(outs / "warm.pdf"), "-y",
             "--level", "B-LTA"],
            [*ph, *_pyhanko_args("B-LTA", field_name, certs, TSA_URL), "pkcs12", "--passfile", str(passfile),
             str(approved), str(outs / "warm-ph.pdf"), om],
        ):
            measure(warm_up, env, log)

        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            prof = [py, "-c", PROFILE_MAIN, str(shim_dir)]
            measure([*prof, str(args.profile / "sign.prof"), "-w", str(ws_root), "sign", str(approved),
                     "-k", om, "-o", str(outs / "prof-sign.pdf"), "-y"], env, log)

        print(f"{'level':<7} {'side':<9} {'wall/sig':>11} {'CPU/sig':>11} {'peak RSS':>10}")
        for level in levels:
            z, za, zs, p, zl, pl = Series(), Series(), Series(), Series(), Series(per=n), Series(per=n)
            for i in range(n):
                _forget(ws_root)
                z.add(measure([*zv, "-w", str(ws_root), "sign", str(approved), "-k", om,
                               "-o", str(outs / f"zv-{level}-{i}.pdf"), "--level", level, "-y"], env, log))
                za.add(measure([*zv, "-w", str(ws_root), "sign", str(approved), "-k", om,
                                "-o", str(outs / f"za-{level}-{i}.pdf"), "--level", level, "-y"], env, log))
                p.add(measure([*ph, *_pyhanko_args(level, field_name, certs, TSA_URL), "pkcs12",
                               "--passfile", str(passfile), str(approved), str(outs / f"ph-{level}-{i}.pdf"), om],
                              env, log))
                if serve_root is not None and level == "B-LTA":
                    _forget(serve_root)
                    zs.add(measure([*zv, "-w", str(serve_root), "sign", str(approved), "-k", om,
                                    "-o", str(outs / f"zs-{level}-{i}.pdf"), "--level", level, "-y"], env, log))
            if not args.no_lib:
                lib_out = outs / f"lib-{level}"
                lib_out.mkdir(exist_ok=True)
                zl.add(measure([py, "-c", ZV_LIB, str(shim_dir), str(ws_root), str(approved), om, level, str(n),
                                str(lib_out)], env, log))
                pl.add(measure([py, "-c", PH_LIB, str(shim_dir), str(approved), om,
                                str(certs / "zvh-root.cert.pem"), str(certs / "zvh-ca.cert.pem"), field_name,
                                level, str(n), str(lib_out), TSA_URL, TEST_PASSPHRASE], env, log))
            _row(level, "zvhsign", z)
            _row(level, "zv-again", za)
            _row(level, "zv-serve", zs)
            _row(level, "ph-cli", p)
            _row(level, "zv-lib", zl)
            _row(level, "ph-lib", pl)
            _ratio(level, "zvhsign / ph-cli", z, p)
            _ratio(level, "zv-again / ph-cli", za, p)
            _ratio(level, "zv-serve / ph-cli", zs, p)
            _ratio(level, "zv-lib / ph-lib", zl, pl)

        if not args.no_approve:
            from zvhsign.domain.documents import DocumentKind
            from zvhsign.services.operations import stamp

            repo = Path(__file__).resolve().parent.parent
            za, pa = Series(), Series()
            for i in range(n):
                version = f"1.{i + 1}"
                stamped = tmp / f"stamped-{version}.pdf"
                stamp(repo / "fixtures" / "samenwerkingsconvenant-1.0.pdf", DocumentKind.CONVENANT, version, stamped)
                za.add(measure([*zv, "-w", str(ws_root), "approve", str(stamped), "-k", str(certs / "secretariaat.p12"),
                                "--decided-on", "2026-11-03", "-o", str(outs / f"zv-approved-{version}.pdf")], env, log))
                pa.add(measure([*ph, *_pyhanko_args("B-LT", APPROVAL_FIELD, certs, TSA_URL, certify=True), "pkcs12",
                                "--passfile", str(passfile), str(stamped), str(outs / f"ph-approved-{version}.pdf"),
                                str(certs / "secretariaat.p12")], env, log))
            if args.profile is not None:
                stamped = tmp / "stamped-9.9.pdf"
                stamp(repo / "fixtures" / "samenwerkingsconvenant-1.0.pdf", DocumentKind.CONVENANT, "9.9", stamped)
                measure([*prof, str(args.profile / "approve.prof"), "-w", str(ws_root), "approve", str(stamped),
                         "-k", str(certs / "secretariaat.p12"), "--decided-on", "2026-11-03",
                         "-o", str(outs / "prof-approved.pdf")], env, log)
            _row("approve", "zvhsign", za)
            _row("approve", "ph-cli", pa)
            _ratio("approve", "zvhsign approve / ph-cli --certify", za, pa)
    print(f"load average at the end {os.getloadavg()[0]:.1f}; children's output in {log}"
          + ("" if args.keep else " (removed)"), file=sys.stderr)
    if args.keep is None:
        tmp_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
