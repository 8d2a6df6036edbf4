"""issue 4 item 3: attack classes, each rejected with a finding that names what
changed; benign later additions (document timestamps, validation data, further
signatures) pass. Uses the CLI's JSON like a script would."""

from __future__ import annotations

import json

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
