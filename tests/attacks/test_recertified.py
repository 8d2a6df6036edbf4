"""issue 11, Done-when: every attack case runs twice -- on an approved copy and on a copy
re-certified so that the approval check passes -- and is rejected with a named integrity
finding both times.

The approved copy is the attack fixture itself, judged in the ``approved`` workspace. The
re-certified copy (``<case>_recertified``, recipes in conftest.py) carries a second
certification by the secretariat's key and is registered as an approved version in
``recertified_ws``: there APPROVED_VERSION is reported, so the case's finding cannot rest on
the approval check. APPROVAL_SIGNATURE_DUPLICATED comes with every re-certified copy and
never counts as the case's finding.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .test_attack_classes import all_codes as codes
from .test_attack_classes import verify_json

# case (the attack fixture's name) -> the integrity finding that names it, on both copies
CASES = {
    # later updates after the partner's signature
    "text_appended_after_last_revision": "TRAILING_DATA",
    "objects_appended_without_xref": "TRAILING_DATA",
    "objects_appended_without_eof": "TRAILING_DATA",
    "annotation_added_after_signing": "ANNOTATION_CHANGED_AFTER_APPROVAL",
    "content_changed_after_signing": "CONTENT_CHANGED_AFTER_APPROVAL",
    "page_added_after_signing": "PAGES_CHANGED_AFTER_APPROVAL",
    "open_action_added_after_signing": "DOCUMENT_STRUCTURE_CHANGED",
    "page_content_replaced_via_xref": "CONTENT_CHANGED_AFTER_APPROVAL",
    "font_replaced_after_signing": "CONTENT_CHANGED_AFTER_APPROVAL",
    "empty_visible_signature_field_added": "SIGNATURE_FIELD_TAMPERED",
    "empty_invisible_signature_field_added": "SIGNATURE_FIELD_TAMPERED",
    "signature_removed_from_field": "SIGNATURE_FIELD_TAMPERED",
    "widget_added_to_signed_field": "SIGNATURE_FIELD_TAMPERED",
    "form_field_added_after_signing": "FORM_CHANGED_AFTER_APPROVAL",
    "form_field_filled_after_signing": "FORM_CHANGED_AFTER_APPROVAL",
    "dss_removed_after_signing": "VALIDATION_DATA_REMOVED",
    "dss_emptied_after_signing": "VALIDATION_DATA_REMOVED",
    "document_info_changed_after_signing": "DOCUMENT_METADATA_CHANGED",
    "xmp_title_changed_after_signing": "DOCUMENT_METADATA_CHANGED",
    "recertified_after_signing": "DOCUMENT_STRUCTURE_CHANGED",
    "recertified_with_content_change": "CONTENT_CHANGED_AFTER_APPROVAL",
    # changes in the signing update itself
    "edited_after_approval_then_signed": "CONTENT_CHANGED_AFTER_APPROVAL",
    "content_changed_in_signing_update": "CONTENT_CHANGED_AFTER_APPROVAL",
    "annotation_added_in_signing_update": "ANNOTATION_CHANGED_AFTER_APPROVAL",
    "signature_field_enlarged_in_signing_update": "SIGNATURE_FIELD_TAMPERED",
    "new_visible_signature_field_signed": "SIGNATURE_FIELD_TAMPERED",
    "signed_by_untrusted_signer": "SIGNER_NOT_TRUSTED",
    # the partner's signature patched in place
    "byte_flipped_in_signed_range": "SIGNATURE_NOT_INTACT",
    "signature_contents_zeroed": "SIGNATURE_MALFORMED",
    "signature_contents_emptied": "SIGNATURE_BYTE_RANGE_INVALID",
    "signature_byterange_changed": "SIGNATURE_NOT_INTACT",
    "byte_range_null": "SIGNATURE_BYTE_RANGE_INVALID",
    "byte_range_three_numbers": "SIGNATURE_BYTE_RANGE_INVALID",
    "byte_range_overlapping": "SIGNATURE_BYTE_RANGE_INVALID",
    "byte_range_with_gap": "SIGNATURE_BYTE_RANGE_INVALID",
    "contents_not_a_string": "SIGNATURE_BYTE_RANGE_INVALID",
    # the approved bytes changed (re-certified after the change)
    "byte_flipped_in_page_content": "SIGNATURE_NOT_INTACT",
    "rewritten_by_qpdf_then_signed": "SIGNATURE_NOT_INTACT",
    "rewritten_by_pikepdf_then_signed": "SIGNATURE_NOT_INTACT",
}
# what every re-certified copy has, and what the approval check or pyHanko say: none of
# these is a case's own finding
NOT_THE_CASE = {"APPROVAL_SIGNATURE_DUPLICATED", "CHANGED_AFTER_SIGNING", "APPROVED_VERSION_NOT_FOUND",
                "APPROVAL_NOT_BY_SECRETARIAT"}
# the cases in the other tables that are not attacks: benign, or unreadable by design (exit 3)
NOT_ATTACKS = {"document_timestamp_added_later", "validation_data_added_later",
               "countersigned_by_second_partner", "truncated_copy", "truncated_inside_last_revision",
               "not_a_pdf"}


@pytest.mark.parametrize("copy", ["approved", "recertified"])
@pytest.mark.parametrize("case", list(CASES))
def test_attack_named_on_both_copies(request, approved, recertified_ws, case, copy):
    if copy == "approved":
        ws, path = approved.ws, request.getfixturevalue(case)
    else:
        ws, path = recertified_ws, request.getfixturevalue(f"{case}_recertified")
    exit_code, f = verify_json(ws, path)
    assert exit_code == 1, f.get("error")
    found = codes(f)
    assert CASES[case] in found, sorted(found)
    assert CASES[case] not in NOT_THE_CASE
    if copy == "recertified":  # the approval check passes: the finding stands on its own
        info = {x["code"] for x in f["findings"] if x["level"] == "INFO"}
        assert "APPROVED_VERSION" in info, sorted(found | info)
        assert "APPROVAL_SIGNATURE_DUPLICATED" in found


def _table(name: str, attr: str):
    spec = importlib.util.spec_from_file_location(f"zvh_{name}", Path(__file__).with_name(f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, attr)


def test_every_attack_case_is_in_the_table():
    listed = {case for case, _ in _table("test_attack_classes", "ATTACKS")}
    listed |= {case for case, _ in _table("test_attack_classes", "OWN")}
    listed |= {case for case, _ in _table("test_attacks_rejected", "CASES")}
    assert listed - NOT_ATTACKS <= set(CASES), sorted(listed - set(CASES))


# the re-certified copies the attacks start from (conftest CONTROLS), with no attack
CONTROLS = ["signed_copy", "approved_copy_then_partner_signed", "approved_copy_then_signed",
            "certified_form_then_signed"]
INHERENT = {"APPROVAL_SIGNATURE_DUPLICATED", "CHANGED_AFTER_SIGNING", "SIGNATURE_INSIDE_APPROVED_VERSION"}


@pytest.mark.parametrize("control", CONTROLS)
def test_recertified_base_carries_no_case_finding(request, recertified_ws, control):
    """Without the attack, a re-certified copy passes the approval check and has only what a
    re-certification brings: no case's finding is there before its attack."""
    exit_code, f = verify_json(recertified_ws, request.getfixturevalue(f"{control}_recertified"))
    assert any(x["code"] == "APPROVED_VERSION" for x in f["findings"])
    assert exit_code == 1 and "APPROVAL_SIGNATURE_DUPLICATED" in codes(f)
    assert codes(f) <= INHERENT, sorted(codes(f))
    assert not codes(f) & set(CASES.values())
