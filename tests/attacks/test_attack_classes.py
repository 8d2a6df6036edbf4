"""issue 4 item 3: attack classes, each rejected with a finding that names what
changed; benign later additions (document timestamps, validation data, further
signatures) pass. Uses the CLI's JSON like a script would."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

ATTACKS = [
    # incremental saving attacks (later updates)
    ("page_added_after_signing", "PAGES_CHANGED_AFTER_APPROVAL"),
    ("open_action_added_after_signing", "DOCUMENT_STRUCTURE_CHANGED"),
    # shadow attacks: replace via xref (same object number), via fonts
    ("page_content_replaced_via_xref", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("font_replaced_after_signing", "CONTENT_CHANGED_AFTER_APPROVAL"),
    # overlays through signature fields
    ("empty_visible_signature_field_added", "SIGNATURE_FIELD_TAMPERED"),
    ("signature_field_enlarged_in_signing_update", "SIGNATURE_FIELD_TAMPERED"),
    # universal signature forgery / wrapping
    ("signature_contents_zeroed", "SIGNATURE_MALFORMED"),
    ("signature_contents_emptied", "SIGNATURE_MALFORMED"),
    ("signature_byterange_changed", "SIGNATURE_NOT_INTACT"),
    ("signature_removed_from_field", "SIGNATURE_FIELD_TAMPERED"),
]
BENIGN = ["document_timestamp_added_later", "validation_data_added_later"]

# issue 11: each class named by zvhsign's own analysis (a file- or signature-level integrity
# finding), on the approved copy and again in a workspace where no version is approved (the
# approval check fails there, so the integrity finding has to stand on its own)
OWN = [
    ("form_field_added_after_signing", "FORM_CHANGED_AFTER_APPROVAL"),
    ("form_field_filled_after_signing", "FORM_CHANGED_AFTER_APPROVAL"),
    ("widget_added_to_signed_field", "SIGNATURE_FIELD_TAMPERED"),
    ("empty_invisible_signature_field_added", "SIGNATURE_FIELD_TAMPERED"),
    ("empty_visible_signature_field_added", "SIGNATURE_FIELD_TAMPERED"),
    ("new_visible_signature_field_signed", "SIGNATURE_FIELD_TAMPERED"),
    ("signature_field_enlarged_in_signing_update", "SIGNATURE_FIELD_TAMPERED"),
    ("signature_removed_from_field", "SIGNATURE_FIELD_TAMPERED"),
    ("dss_removed_after_signing", "VALIDATION_DATA_REMOVED"),
    ("dss_emptied_after_signing", "VALIDATION_DATA_REMOVED"),
    ("document_info_changed_after_signing", "DOCUMENT_METADATA_CHANGED"),
    ("xmp_title_changed_after_signing", "DOCUMENT_METADATA_CHANGED"),
    ("page_added_after_signing", "PAGES_CHANGED_AFTER_APPROVAL"),
    ("open_action_added_after_signing", "DOCUMENT_STRUCTURE_CHANGED"),
    ("page_content_replaced_via_xref", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("font_replaced_after_signing", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("annotation_added_after_signing", "ANNOTATION_CHANGED_AFTER_APPROVAL"),
    ("byte_range_null", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("byte_range_three_numbers", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("byte_range_overlapping", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("byte_range_with_gap", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("contents_not_a_string", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("signature_contents_emptied", "SIGNATURE_BYTE_RANGE_INVALID"),
    ("objects_appended_without_eof", "TRAILING_DATA"),
    ("objects_appended_without_xref", "TRAILING_DATA"),
    # the re-certified copy: a second certification (DocMDP) after the approved version
    ("recertified_after_signing", "APPROVAL_SIGNATURE_DUPLICATED"),
    ("recertified_after_signing", "DOCUMENT_STRUCTURE_CHANGED"),
    ("recertified_with_content_change", "CONTENT_CHANGED_AFTER_APPROVAL"),
    ("recertified_with_content_change", "APPROVAL_SIGNATURE_DUPLICATED"),
]
# what only shows when the approval check passes (the approved copy's own fields)
NOT_IN_UNREGISTERED: set[str] = set()


def verify_json(ws, path):
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "verify", "--json", str(path)])
    return result.exit_code, json.loads(result.stdout)["files"][0]


def all_codes(f) -> set[str]:
    out = {x["code"] for x in f["findings"] if x["level"] != "INFO"}
    for s in f["signatures"]:
        out |= {x["code"] for x in s["findings"] if x["level"] != "INFO"}
    return out


@pytest.mark.parametrize("fixture,code", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_class_rejected(request, approved, fixture, code):
    exit_code, f = verify_json(approved.ws, request.getfixturevalue(fixture))
    assert exit_code == 1
    assert code in all_codes(f), all_codes(f)
    assert any(s["indication"] != "TOTAL-PASSED" for s in f["signatures"]) or f["findings"]


def test_shadow_replace_names_the_page(approved, page_content_replaced_via_xref):
    _, f = verify_json(approved.ws, page_content_replaced_via_xref)
    details = [d for x in f["findings"] for d in x.get("details", [])]
    assert any("page 1: /Contents changed" in d for d in details)


def test_forged_contents_is_reported_not_crashed(approved, signature_contents_zeroed):
    _, f = verify_json(approved.ws, signature_contents_zeroed)
    (broken,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert broken["etsi"]["indication"] == "TOTAL-FAILED"
    assert broken["etsi"]["subindication"] == "FORMAT_FAILURE"


@pytest.mark.parametrize("fixture", BENIGN)
def test_benign_later_additions_pass(request, approved, fixture):
    exit_code, f = verify_json(approved.ws, request.getfixturevalue(fixture))
    assert exit_code == 0, all_codes(f)
    assert f["status"] == "VERIFIED"


@pytest.mark.parametrize("workspace", ["approved", "unregistered"])
@pytest.mark.parametrize("fixture,code", OWN, ids=[f"{a[0]}-{a[1]}" for a in OWN])
def test_own_analysis_names_the_attack(request, approved, unregistered_ws, workspace, fixture, code):
    """A named integrity finding (exit 1), never exit 3, whether or not the copy contains a
    registered approved version -- and not resting on pyHanko's difference analysis."""
    ws = approved.ws if workspace == "approved" else unregistered_ws
    exit_code, f = verify_json(ws, request.getfixturevalue(fixture))
    assert exit_code == 1, f.get("error")
    codes = all_codes(f)
    assert code in codes, codes
    own = codes - {"CHANGED_AFTER_SIGNING", "APPROVED_VERSION_NOT_FOUND", "APPROVAL_NOT_BY_SECRETARIAT"}
    assert own, codes
    if workspace == "unregistered":
        assert "APPROVED_VERSION_NOT_FOUND" in codes


def test_widget_on_signed_field_names_field_and_page(approved, widget_added_to_signed_field):
    _, f = verify_json(approved.ws, widget_added_to_signed_field)
    details = [d for x in f["findings"] if x["code"] == "SIGNATURE_FIELD_TAMPERED" for d in x["details"]]
    assert any("page 1" in d and "ZVH_Handtekening_01" in d for d in details), details


def test_malformed_byte_range_is_a_finding_not_an_error(approved, byte_range_null):
    exit_code, f = verify_json(approved.ws, byte_range_null)
    assert exit_code == 1 and f["status"] == "FAILED" and not f.get("error")
    (broken,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert {x["code"] for x in broken["findings"]} >= {"SIGNATURE_BYTE_RANGE_INVALID"}
    assert broken["etsi"]["indication"] == "TOTAL-FAILED"


def test_a_damaged_approval_reference_is_a_finding_not_an_error(approved, approval_reference_damaged):
    """One byte of the approval signature's /Reference changed (in its signed bytes): the
    permissions can't be read -- the signature is malformed and the copy FAILED (exit 1), not
    "could not be read" (exit 3) for the whole file."""
    exit_code, f = verify_json(approved.ws, approval_reference_damaged)
    assert exit_code == 1 and f["status"] == "FAILED" and not f.get("error")
    (approval,) = [s for s in f["signatures"] if s["field"] == "ZVH_Goedkeuring"]
    (malformed,) = [x for x in approval["findings"] if x["code"] == "SIGNATURE_MALFORMED"]
    assert "/Reference" in malformed["message"] and "/TransformMethod" in malformed["message"]
    assert approval["etsi"]["indication"] == "TOTAL-FAILED"
    assert "SIGNATURE_NOT_INTACT" in all_codes(f)  # the partner's signature covers the changed byte


def test_damaged_signed_attributes_are_a_finding_not_an_error(approved, signed_attributes_damaged):
    """The partner's CMS with signed attributes that can't be parsed (a length longer than
    they are): the signature is malformed, the copy FAILED (exit 1); the message has no
    300-digit number in it."""
    exit_code, f = verify_json(approved.ws, signed_attributes_damaged)
    assert exit_code == 1 and f["status"] == "FAILED" and not f.get("error")
    (partner,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    (malformed,) = [x for x in partner["findings"] if x["code"] == "SIGNATURE_MALFORMED"]
    assert "signed attributes" in malformed["message"]
    assert not re.search(r"\d{16}", malformed["message"]), malformed["message"]
    assert partner["etsi"]["indication"] == "TOTAL-FAILED"


def test_a_damaged_content_timestamp_is_a_finding_not_an_error(approved, content_timestamp_damaged):
    """The partner's content timestamp token (in its signed attributes) can't be parsed: the
    signature's value no longer verifies -- a finding on it, the copy FAILED (exit 1)."""
    exit_code, f = verify_json(approved.ws, content_timestamp_damaged)
    assert exit_code == 1 and f["status"] == "FAILED" and not f.get("error")
    (partner,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert {x["code"] for x in partner["findings"]} & {"SIGNATURE_INVALID", "SIGNATURE_MALFORMED"}
    assert partner["etsi"]["indication"] == "TOTAL-FAILED"


def test_a_file_unreadable_where_validation_needs_it_says_so(approved, validation_data_misplaced):
    """The DSS's cross-reference entry points beside it: the signatures' validation stops
    reading it. That is SIGNATURE_UNREADABLE ("verifying again gives the same answer"), not
    SIGNATURE_NOT_VALIDATED ("verify again"); the copy FAILED (exit 1), not an ERROR."""
    exit_code, f = verify_json(approved.ws, validation_data_misplaced)
    assert exit_code == 1 and f["status"] == "FAILED" and not f.get("error")
    found = [x for s in f["signatures"] for x in s["findings"]]
    unreadable = [x for x in found if x["code"] == "SIGNATURE_UNREADABLE"]
    assert unreadable and all("gives the same answer" in x["message"] for x in unreadable)
    assert not [x for x in found if x["code"] == "SIGNATURE_NOT_VALIDATED"]


def test_new_invisible_signature_field_signed_passes(approved, forger, tmp_path):
    """The policy (docs/change-policy.md): a new signature field created and signed in the
    same update is accepted when it is invisible; a visible one is SIGNATURE_FIELD_TAMPERED."""
    path = tmp_path / "invisible-new-field.pdf"
    path.write_bytes(forger.sign(approved.convenant.read_bytes(), "om", field_name="Nieuw_Veld"))
    exit_code, f = verify_json(approved.ws, path)
    assert exit_code == 0, all_codes(f)


def test_recertification_names_the_second_certification(approved, recertified_after_signing):
    """zvhsign's own analysis names what the re-certification did: the catalog's /Perms now
    points at a second certification signature (not only pyHanko's DocMDP verdict)."""
    _, f = verify_json(approved.ws, recertified_after_signing)
    details = [d for x in f["findings"] if x["code"] == "DOCUMENT_STRUCTURE_CHANGED" for d in x["details"]]
    assert any("/Perms" in d and "certification" in d for d in details), details
    assert any(x["code"] == "APPROVED_VERSION" for x in f["findings"])  # the approval check passes
