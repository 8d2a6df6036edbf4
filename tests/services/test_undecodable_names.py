"""A copy whose PDF names hold bytes that are not UTF-8 (a document-info key changed after
signing to ``/ZVH<0xC4>ocumentId``, as a fuzzed copy had it) is judged and reported like any
changed copy: ``--json`` is valid UTF-8 JSON text (it held the raw byte, so a script could not
read the whole batch's answer), the table is written, and the name is shown as PDF writes
such bytes (``#C4``)."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.text import valid_text, valid_tree


def _with_undecodable_key(signed: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    info = writer.trailer["/Info"]
    info[generic.NameObject("/ZVHXocumentId")] = generic.TextStringObject("x")
    writer.mark_update(writer.trailer.raw_get("/Info"))
    out = io.BytesIO()
    writer.write(out)
    update = out.getvalue()[len(signed):]
    assert update.count(b"/ZVHXocumentId") == 1
    return signed + update.replace(b"/ZVHXocumentId", b"/ZVH\xc4ocumentId")


@pytest.fixture(scope="module")
def odd_copy(signed_convenant, tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "convenant-odd-name.pdf"
    path.write_bytes(_with_undecodable_key(signed_convenant.read_bytes()))
    return path


def test_json_is_valid_utf8_and_names_the_bytes(approved, odd_copy):
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--no-cache", "--json",
                                      str(odd_copy)])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout_bytes.decode("utf-8"))  # strict: raw bytes fail here
    (f,) = doc["files"]
    assert f["status"] == "FAILED"
    details = [d for x in f["findings"] for d in x.get("details", [])]
    assert any("/ZVH#C4ocumentId" in d for d in details), details


def test_the_table_is_written(approved, odd_copy):
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--no-cache", "-v",
                                      str(odd_copy)])
    assert result.exit_code == 1, result.output
    text = result.stdout_bytes.decode("utf-8")
    assert "FAILED" in text and "Traceback" not in text


def test_valid_text():
    assert valid_text("/ZVH\udcc4ocumentId") == "/ZVH#C4ocumentId"
    assert valid_text("Zeeuws-Vlaanderen, één") == "Zeeuws-Vlaanderen, één"
    assert valid_text("a\ud800b") == "a\ufffdb"  # a lone surrogate that is no byte
    tree = {"k\udcff": ["x", "\udc80"], "n": 1}
    assert valid_tree(tree) == {"k#FF": ["x", "#80"], "n": 1}
    clean = {"a": ["b", {"c": 2}]}
    assert valid_tree(clean) is clean  # nothing to mend: the same object
