"""``zvhsign verify`` through the CLI: JSON schema, options, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.verdicts import SCHEMA


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "verify", *map(str, args)])


def test_json_schema_and_exit_0(approved, signed_convenant):
    result = invoke(approved.ws, "--json", signed_convenant)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == SCHEMA and doc["verified"] is True
    (f,) = doc["files"]
    assert f["status"] == "VERIFIED" and f["approved_version"]["version"] == "1.0"
    kinds = [s["kind"] for s in f["signatures"]]
    assert kinds == ["certification", "signature", "document-timestamp"]
    partner = f["signatures"][1]
    assert partner["etsi"] == {"indication": "TOTAL-PASSED", "subindication": None}
    assert partner["indication"] == "TOTAL-PASSED" and partner["pades_level"] == "B-LTA"
    assert partner["signer"]["organisation"] == "Openbaar Ministerie"
    assert partner["claimed_signing_time"] and partner["signature_timestamp"]["trusted"] is True


def test_table_output(approved, signed_convenant):
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", str(signed_convenant)],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if str(signed_convenant) in line)
    assert row.split()[:2] == ["VERIFIED", str(signed_convenant)]
    assert "convenant 1.0" in row and "Saskia Terpstra (Openbaar Ministerie)" in row
    assert "1 of 1 file(s) verified" in result.stdout


def test_offline(approved, signed_convenant):
    result = invoke(approved.ws, "--offline", "--json", signed_convenant)
    assert result.exit_code == 0, result.output


def test_at(approved, signed_convenant):
    doc = json.loads(invoke(approved.ws, "--json", signed_convenant).stdout)
    from datetime import datetime

    ts = datetime.fromisoformat(doc["files"][0]["signatures"][1]["signature_timestamp"]["time"])
    later = (ts + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S")
    assert invoke(approved.ws, "--at", later, signed_convenant).exit_code == 0
    assert invoke(approved.ws, "--at", "2025-01-01", signed_convenant).exit_code == 1


def test_etsi_report_file(approved, signed_convenant, tmp_path):
    out = tmp_path / "report.xml"
    result = invoke(approved.ws, "--etsi-report", out, signed_convenant)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").count("<vr:SignatureValidationReport>") == 2


def test_help_teaches_with_examples():
    result = CliRunner().invoke(cli, ["verify", "--help"])
    assert result.exit_code == 0
    for text in ("zvhsign verify signed/*.pdf", "--offline", "--at", "--etsi-report"):
        assert text in result.stdout


def test_usage_error_exit_2(approved):
    result = invoke(approved.ws, "--at", "yesterday", "x.pdf")
    assert result.exit_code == 2


def test_json_is_written_file_by_file_and_is_the_same_document(approved, signed_convenant, tmp_path):
    """verify --json writes one file's verdict at a time (memory does not grow with the
    batch); the text is exactly json.dumps(batch.to_json(), indent=2) -- also for a batch
    with an unreadable file and for no files."""
    from zvhsign.cli.render import iter_batch_json, render_batch_json
    from zvhsign.domain.verdicts import BatchVerdict
    from zvhsign.services.operations import verify

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")
    batch = verify(approved.ws, [signed_convenant, broken, signed_convenant], online=False)
    pieces = list(iter_batch_json(batch))
    assert len(pieces) == 2 + len(batch.files)  # head, one piece per file, tail
    assert render_batch_json(batch) == json.dumps(batch.to_json(), indent=2, ensure_ascii=False)
    empty = BatchVerdict(())
    assert render_batch_json(empty) == json.dumps(empty.to_json(), indent=2, ensure_ascii=False)
    result = invoke(approved.ws, "--json", "--offline", signed_convenant, broken, tmp_path / "missing.pdf")
    assert result.exit_code == 3  # one could not be read at all
    assert [f["status"] for f in json.loads(result.stdout)["files"]] == ["VERIFIED", "FAILED", "ERROR"]


def test_at_out_of_the_calendar_is_a_usage_error_naming_the_range(approved, signed_convenant):
    """--at where the validation (with --renew-within's horizon) would leave Python's calendar:
    a usage error where --at is read, not an internal error (OverflowError, exit 3)."""
    for args in (["--at", "9999-12-30"], ["--renew-within", "36500", "--at", "9950-01-01"],
                 ["--at", "1969-12-31T23:59:59"]):
        result = invoke(approved.ws, *args, signed_convenant)
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--at'" in result.output
        assert "out of range: give a moment from 1970-01-01 to 9899-12-31 (UTC)" in result.output
        assert "internal error" not in result.output
    # the last moment allowed, with the longest renewal horizon: judged (a rehearsal), no error
    result = invoke(approved.ws, "--offline", "--renew-within", "36500", "--at", "9899-12-31T23:59:59",
                    signed_convenant)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
