"""One large PDF through stamp, approve, sign and verify: time and peak memory against its size.

Usage:
    python benchmarks/large_file.py                   # a ~200 MB source (100 pages, a 2 MB image each)
    python benchmarks/large_file.py --mb 50 --keep /tmp/large

The source is made with pikepdf: N pages, each with one image of random (incompressible)
bytes, so the file is as large as its images. It then goes through the commands a
secretariat and a partner run, each its own process, measured from outside (wall, CPU, peak
RSS): ``zvhsign stamp``, ``zvhsign approve`` (B-LT), ``zvhsign sign`` (B-LTA, the OM),
``zvhsign verify --no-cache``; and, in the same run, the peers ``pyhanko sign addsig`` on the
same approved copy (B-LTA) and a naive in-process pyHanko validation of the signed copy
(trust root, embedded validation data). The test PKI is served by this script
(benchmarks/sign_vs_pyhanko.py explains how), so no command pays for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sign_vs_pyhanko as svp  # noqa: E402 - the shared set-up (served PKI, shim, measuring)

PEER_VALIDATE = svp._PRELUDE + r'''
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
root = load_cert_from_pemder(sys.argv[1])
with open(sys.argv[2], "rb") as fh:
    reader = PdfFileReader(fh)
    dss = DocumentSecurityStore.read_dss(reader)
    for sig in reader.embedded_regular_signatures:
        vc = dss.as_validation_context({"trust_roots": [root], "allow_fetching": False,
                                        "revocation_mode": "soft-fail"})
        status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
        print(sig.field_name, status.bottom_line)
'''


def make_source(path: Path, megabytes: int, pages: int) -> None:
    """A PDF of ``pages`` A4 pages, each drawing one RGB image of random bytes."""
    import pikepdf

    per_page = megabytes * 2**20 // pages
    side = int((per_page / 3) ** 0.5)
    pdf = pikepdf.new()
    rnd = os.urandom
    for i in range(pages):
        image = pikepdf.Stream(pdf, rnd(side * side * 3))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width = image.Height = side
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        content = pikepdf.Stream(pdf, f"q 500 0 0 500 47 170 cm /Im{i} Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content,
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary({f"/Im{i}": image})),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=200, help="size of the source in MB (default 200)")
    ap.add_argument("--pages", type=int, default=100, help="pages (default 100)")
    ap.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = ap.parse_args()

    from zvhsign.services.setup import init_test_workspace
    from zvhsign.testpki import TEST_PASSPHRASE, TSA_URL, LocalTestPKI, certs_dir

    certs = certs_dir() / "out"
    py = sys.executable
    tmp_ctx = tempfile.TemporaryDirectory(prefix="zvh-large-")
    tmp = Path(tmp_ctx.name) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    shim_dir = tmp / "shim"
    shim_dir.mkdir(exist_ok=True)
    (shim_dir / "zvh_bench_shim.py").write_text(svp.SHIM, encoding="utf-8")
    log = tmp / "children.log"
    passfile = tmp / "passphrase"
    passfile.write_text(TEST_PASSPHRASE, encoding="utf-8")

    source = tmp / "source.pdf"
    t = time.perf_counter()
    make_source(source, args.mb, args.pages)
    size_mb = source.stat().st_size / 2**20
    print(f"source: {size_mb:.0f} MB, {args.pages} pages (made in {time.perf_counter() - t:.0f} s); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)

    with LocalTestPKI(certs_dir()) as pki:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
        env.update(ZVH_BENCH_PKI_PORT=str(pki.port), ZVHSIGN_PASSPHRASE=TEST_PASSPHRASE)
        ws = init_test_workspace(tmp / "ws")
        svp._set(ws.root, serve=False)
        zv = [py, "-c", svp.ZVHSIGN_MAIN, str(shim_dir), "-w", str(ws.root)]
        ph = [py, "-c", svp.PYHANKO_MAIN, str(shim_dir)]
        stamped, approved, signed = tmp / "stamped.pdf", tmp / "approved.pdf", tmp / "signed.pdf"
        steps = [
            ("zvhsign stamp", [*zv, "stamp", str(source), "--document", "convenant", "--version", "1.0",
                               "-o", str(stamped)]),
            ("zvhsign approve (B-LT)", [*zv, "approve", str(stamped), "-k", str(certs / "secretariaat.p12"),
                                        "--decided-on", "2026-11-02", "-o", str(approved)]),
            ("zvhsign sign (B-LTA)", [*zv, "sign", str(approved), "-k", str(certs / "om.p12"), "-o", str(signed),
                                      "--level", "B-LTA", "-y"]),
            ("pyhanko addsig (B-LTA)", [*ph, *svp._pyhanko_args("B-LTA", "ZVH_Handtekening_01", certs, TSA_URL),
                                        "pkcs12", "--passfile", str(passfile), str(approved),
                                        str(tmp / "ph-signed.pdf"), str(certs / "om.p12")]),
            ("zvhsign verify --no-cache", [*zv, "verify", "--json", "--no-cache", "--jobs", "1", str(signed)]),
            ("pyHanko validate (in-process)", [py, "-c", PEER_VALIDATE, str(shim_dir),
                                               str(certs / "zvh-root.cert.pem"), str(signed)]),
        ]
        print(f"{'step':<32} {'wall':>8} {'CPU':>8} {'peak RSS':>9} {'peak/size':>10}")
        for label, argv in steps:
            r = svp.measure(argv, env, log)
            # every step must succeed (verify: VERIFIED, exit 0), else its figures measure a failure
            flag = "" if r.code == 0 else f"   (exit {r.code}: see {log})"
            print(f"{label:<32} {r.wall:>7.1f}s {r.cpu:>7.1f}s {r.peak_mib:>7.0f}MB {r.peak_mib / size_mb:>9.2f}x{flag}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if args.keep is None:
        tmp_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
