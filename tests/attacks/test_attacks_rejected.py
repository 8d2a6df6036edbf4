"""issue 2 "Done when": every attacked copy gives exit 1 and a named finding.

Each case runs the real CLI (``zvhsign verify --json``) on a file the generator
in make.py made from a real signed copy; the expected finding code says what
changed. Benign additions (a second partner's B-LTA signature) still verify.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

CASES = [
    # fixture name                          a finding that must be among the file's findings
    ("edited_after_approval_then_signed", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("rewritten_by_qpdf_then_signed", "APPROVED_VERSION_NOT_FOUND"),
    ("rewritten_by_pikepdf_then_signed", "APPROVED_VERSION_NOT_FOUND"),
    ("content_changed_in_signing_update", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("annotation_added_in_signing_update", "ANNOTATION_CHANGED_AFTER_APPROVAL"),
    ("byte_flipped_in_signed_range", "SIGNATURE_NOT_INTACT"),
    ("byte_flipped_in_page_content", "SIGNATURE_NOT_INTACT"),
    ("text_appended_after_last_revision", "TRAILING_DATA"),
    ("objects_appended_without_xref", "TRAILING_DATA"),
    ("annotation_added_after_signing", "ANNOTATION_CHANGED_AFTER_APPROVAL"),
    ("content_changed_after_signing", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("signed_by_untrusted_signer", "SIGNER_NOT_TRUSTED"),
]

# pyHanko's difference analysis, as a second opinion, must agree where it sees the change
SECOND_OPINION = {
    "edited_after_approval_then_signed",
    "content_changed_in_signing_update",
    "annotation_added_in_signing_update",
    "annotation_added_after_signing",
    "content_changed_after_signing",
}


def run_verify(ws, *paths):
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "verify", "--json", *map(str, paths)])
    return result, json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def codes(file_json: dict) -> set[str]:
    out = {f["code"] for f in file_json["findings"] if f["level"] != "INFO"}
    for s in file_json["signatures"]:
        out |= {f["code"] for f in s["findings"] if f["level"] != "INFO"}
    return out


@pytest.mark.parametrize("fixture,code", CASES, ids=[c[0] for c in CASES])
def test_attacked_copy_is_rejected_with_named_finding(request, approved, fixture, code):
    path = request.getfixturevalue(fixture)
    result, doc = run_verify(approved.ws, path)
    assert result.exit_code == 1, result.output
    (f,) = doc["files"]
    assert f["status"] == "FAILED"
    assert code in codes(f), codes(f)
    assert doc["verified"] is False
    if fixture in SECOND_OPINION:
        assert "CHANGED_AFTER_SIGNING" in codes(f)


def test_change_in_signing_update_names_the_page(approved, content_changed_in_signing_update):
    _, doc = run_verify(approved.ws, content_changed_in_signing_update)
    (finding,) = [
        f for f in doc["files"][0]["findings"] if f["code"] == "CONTENT_CHANGED_AFTER_APPROVAL"
    ]
    assert any("page 1" in d and "/Contents" in d for d in finding["details"])
    # the partner signature itself is intact: the change is reported, not a broken signature
    partner = [s for s in doc["files"][0]["signatures"] if s["kind"] == "signature"]
    assert partner and all(s["intact"] for s in partner)


def test_untrusted_signer_is_intact_but_not_trusted(approved, signed_by_untrusted_signer):
    _, doc = run_verify(approved.ws, signed_by_untrusted_signer)
    (partner,) = [s for s in doc["files"][0]["signatures"] if s["kind"] == "signature"]
    assert partner["intact"] and partner["valid"] and not partner["trusted"]
    assert partner["etsi"] == {"indication": "INDETERMINATE", "subindication": "NO_CERTIFICATE_CHAIN_FOUND"}
    assert partner["signer"]["common_name"] == "Victor Valstra"


def test_second_partner_signature_is_benign(approved, countersigned_by_second_partner):
    result, doc = run_verify(approved.ws, countersigned_by_second_partner)
    assert result.exit_code == 0, result.output
    kinds = [s["kind"] for s in doc["files"][0]["signatures"]]
    assert kinds.count("signature") == 2 and kinds.count("document-timestamp") == 2


@pytest.mark.parametrize("fixture", ["truncated_copy", "truncated_inside_last_revision", "not_a_pdf"])
def test_a_damaged_copy_is_a_finding_and_others_are_still_verified(
    request, approved, signed_convenant, fixture
):
    # read, and not a PDF that can be examined: a verdict on the copy (exit 1), not
    # "could not complete" (exit 3, which a script takes for "try again later")
    bad = request.getfixturevalue(fixture)
    result, doc = run_verify(approved.ws, bad, signed_convenant)
    assert result.exit_code == 1, result.output
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path[str(bad)]["status"] == "FAILED" and "error" not in by_path[str(bad)]
    (finding,) = by_path[str(bad)]["findings"]
    assert finding["code"] == "FILE_DAMAGED" and finding["level"] == "FAIL"
    message = finding["message"]
    assert ("truncated" in message) if fixture.startswith("truncated") else ("not a PDF" in message)
    assert by_path[str(signed_convenant)]["status"] == "VERIFIED"


def test_damaged_copy_message_in_table(approved, truncated_copy, signed_convenant):
    result = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "verify", str(truncated_copy), str(signed_convenant)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 1
    row = next(line for line in result.stdout.split("Not verified:")[1].splitlines() if str(truncated_copy) in line)
    assert row.split()[:3] == ["FAILED", str(truncated_copy), "FILE_DAMAGED:"] and "truncated" in row
    assert "1 of 2 file(s) verified, 1 failed" in result.stdout


def test_a_missing_copy_could_not_be_read(approved, signed_convenant, tmp_path):
    missing = tmp_path / "not-there.pdf"
    result, doc = run_verify(approved.ws, missing, signed_convenant)
    assert result.exit_code == 3, result.output  # could not complete: nothing was judged about it
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path[str(missing)]["status"] == "ERROR" and "no such file" in by_path[str(missing)]["error"]
