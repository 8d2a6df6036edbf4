"""zvhsign/pdf/deepstack.py: a chain of linked objects far longer than Python's default
stack allows -- an outline with 600 bookmarks at one level -- is analysed like a short one:
a copy signed twice is judged as one with a short outline (no malformed revision, every
signature validated, with revocation data fetched during the slow analysis); beyond the
bound the analysis stops with a named bound, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.pdf.deepstack import MAX_DEPTH, call_deep

from tests.conftest import CERTS, TEST_PASSPHRASE


def _with_outline(src: Path, out: Path, items: int) -> None:
    with pikepdf.open(src) as pdf:
        with pdf.open_outline() as outline:
            for i in range(items):
                outline.root.append(pikepdf.OutlineItem(f"Artikel {i + 1}", 0))
        pdf.save(out)


def _signed_twice(tmp_path: Path, src: Path, items: int) -> Path:
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    plain = tmp_path / f"outline-{items}.pdf"
    _with_outline(src, plain, items)
    data = plain.read_bytes()
    for label, field in (("om", "Sig1"), ("politie", "Sig2")):
        signer = signers.SimpleSigner.load_pkcs12(str(CERTS / f"{label}.p12"),
                                                  passphrase=TEST_PASSPHRASE.encode())
        out = io.BytesIO()
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)),
                         signers.PdfSignatureMetadata(field_name=field), signer=signer, output=out)
        data = out.getvalue()
    path = tmp_path / f"outline-{items}-signed.pdf"
    path.write_bytes(data)
    return path


def _judged(ws_root: Path, path: Path) -> dict:
    result = CliRunner().invoke(cli, ["-w", str(ws_root), "verify", "--no-cache", "--json", str(path)])
    assert "Traceback" not in result.output and "recursion" not in result.output
    (f,) = json.loads(result.stdout)["files"]
    return {"file": sorted(x["code"] for x in f["findings"]),
            "signatures": [(s["intact"], s["indication"], sorted(x["code"] for x in s["findings"]))
                           for s in f["signatures"]]}


def test_a_long_outline_is_judged_like_a_short_one(approved, tmp_path):
    src = approved.ws.root.parent / "convenant-stamped.pdf"
    short = _judged(approved.ws.root, _signed_twice(tmp_path, src, 30))
    long = _judged(approved.ws.root, _signed_twice(tmp_path, src, 600))
    assert long == short
    assert "MALFORMED_REVISION" not in long["file"]
    assert [s[:2] for s in long["signatures"]] == [(True, s[1]) for s in short["signatures"]]
    assert not any("SIGNATURE_NOT_VALIDATED" in s[2] for s in long["signatures"])


def test_results_and_errors_come_back():
    assert call_deep(lambda a, b=0: a + b, 2, b=3) == 5
    with pytest.raises(KeyError):
        call_deep({}.__getitem__, "x")
    limit = sys.getrecursionlimit()
    assert call_deep(sys.getrecursionlimit) == max(limit, MAX_DEPTH)
    assert sys.getrecursionlimit() == limit  # put back after the call


_TO_THE_LIMIT = r"""
import sys
from dataclasses import dataclass
from zvhsign.pdf.deepstack import MAX_DEPTH, call_deep

@dataclass(frozen=True)
class Link:
    head: int
    tail: "Link | None" = None

def chain(n):
    node = None
    for i in range(n):
        node = Link(i, node)
    return node

class Callable:
    def __call__(self, n):
        return 0 if n == 0 else self(n - 1) + 1

def nested(n):
    t = ()
    for _ in range(n):
        t = (t,)
    return t

for work in (lambda: hash(chain(3 * MAX_DEPTH)), lambda: Callable()(3 * MAX_DEPTH),
             lambda: nested(3 * MAX_DEPTH) == nested(3 * MAX_DEPTH)):
    try:
        call_deep(work)
        print("done")
    except RecursionError:
        print("bound")
print("deep enough", call_deep(lambda: Callable()(MAX_DEPTH // 3)))
"""


def test_recursing_past_the_limit_through_c_calls_is_a_recursion_error_not_a_crash():
    run = subprocess.run([sys.executable, "-c", _TO_THE_LIMIT], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]  # a stack overflow would kill the process
    assert run.stdout.split("\n")[:3] == ["bound", "bound", "bound"]
    assert f"deep enough {MAX_DEPTH // 3}" in run.stdout



def test_revocation_data_issued_after_the_validation_time_is_current_when_validating_now():
    """A slow examination (a long chain above, a large file, a loaded machine) sets the
    validation time ("now") when the file's examination starts; an OCSP response fetched
    seconds later is current, not "too recent" (pyHanko's legacy model refused it: the 600-
    bookmark copy of the demo was "not validated"). At a given moment (--at) it stays unused."""
    from datetime import datetime, timezone

    from zvhsign.pdf.trust import TrustEnv

    def retroactive(moment) -> bool:  # noqa: ANN001
        spec = TrustEnv(trust_roots=[], online=True, moment=moment).signature_spec()
        return spec.signature_validation_spec.cert_validation_policy.revinfo_policy.retroactive_revinfo

    assert retroactive(None) is True
    assert retroactive(datetime(2026, 1, 1, tzinfo=timezone.utc)) is False
