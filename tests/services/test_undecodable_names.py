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


def test_every_output_writes_valid_text():
    """The table, the report's and the web page's templates: whatever text a verdict holds
    (a field name, a finding's details), what they write is valid Unicode."""
    from markupsafe import Markup

    from zvhsign.cli.render import render_batch_table
    from zvhsign.domain.findings import Finding, Level
    from zvhsign.domain.verdicts import BatchVerdict, FileVerdict
    from zvhsign.reports.render import _environment
    from zvhsign.web.site import templates

    odd = FileVerdict(evidence=None, path="/srv/kopie\udcc4.pdf", findings=(
        Finding("DOCUMENT_METADATA_CHANGED", Level.FAIL, "changed", ("/ZVH\udcc4ocumentId changed",)),),
        error="the PDF can't be parsed: name /ZVH\udcc4ocumentId")
    table = render_batch_table(BatchVerdict((odd,)), verbose=True, width=100, color=False)
    table.encode("utf-8")  # strict
    assert "/ZVH#C4ocumentId" in table

    for env in (_environment(), templates().env):
        page = env.from_string("<p>{{ name }}</p>{{ safe }}").render(
            name="/ZVH\udcc4ocumentId", safe=Markup("<b>\udcc4</b>"))
        assert page == "<p>/ZVH#C4ocumentId</p><b>#C4</b>"
