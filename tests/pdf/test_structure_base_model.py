"""zvhsign/pdf/structure.py: the model of an approved version's revision is built once for
every copy that starts with those bytes (kept per SHA-256 of the prefix, a few at most), and
a batch of copies is judged exactly as each copy alone -- a change made in one copy after
the approval is never carried into another."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind
from zvhsign.pdf import structure
from zvhsign.pdf.byteview import prefix
from zvhsign.pdf.revisions import open_reader, revision_ends

RED_BOX = b"q 1 0 0 rg 72 600 450 60 re f Q\n"


def _drawn_on(data: bytes) -> bytes:
    """The copy with a red box drawn on page 1 in an unsigned update after the signatures."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=RED_BOX)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _judged(ws_root: Path, *paths: Path) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["-w", str(ws_root), "verify", "--no-cache", "--jobs", "1", "--json", *map(str, paths)]
    )
    assert "Traceback" not in result.output
    return [
        {"status": f["status"], "findings": sorted(x["code"] for x in f["findings"]),
         "signatures": [(s["intact"], s["indication"], sorted(x["code"] for x in s["findings"]))
                        for s in f["signatures"]]}
        for f in json.loads(result.stdout)["files"]
    ]


def test_copies_of_one_approved_version_are_judged_as_each_alone(approved, signed_convenant, tmp_path):
    clean = tmp_path / "clean.pdf"
    clean.write_bytes(signed_convenant.read_bytes())
    drawn = tmp_path / "drawn.pdf"
    drawn.write_bytes(_drawn_on(clean.read_bytes()))

    structure._base_models.clear()
    together = _judged(approved.ws.root, drawn, clean, drawn)
    assert len(structure._base_models) == 1  # one approved version: its model built once
    alone = []
    for path in (drawn, clean, drawn):
        structure._base_models.clear()
        alone += _judged(approved.ws.root, path)
    assert together == alone
    assert together[1]["status"] == "VERIFIED" and together[0]["status"] == "FAILED"
    assert together[0]["findings"] != together[1]["findings"]


def test_the_base_model_is_kept_per_prefix_and_bounded(approved, signed_convenant):
    data = signed_convenant.read_bytes()
    reader, complete_end, _, _ = open_reader(data)
    ends = revision_ends(prefix(data, complete_end), reader)
    key = approved.versions[DocumentKind.CONVENANT].approved_sha256
    (end,) = [e for e in ends if Sha256.of(data[:e]) == key]

    structure._base_models.clear()
    first = structure._base_model(data, end, key)
    assert structure._base_model(data, end, key) is first
    unkept = structure._base_model(data, end, None)  # no checked hash: built, not kept
    assert unkept is not first and unkept == first
    assert list(structure._base_models) == [(key.hex, end)]

    for i in range(structure._BASE_KEEP + 2):
        structure._base_model(data, end, Sha256(f"{i:064x}"))
    assert len(structure._base_models) == structure._BASE_KEEP
    assert (key.hex, end) not in structure._base_models  # the oldest went first
