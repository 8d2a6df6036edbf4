"""issue 11: no message in any attack or external-file verdict contains a Python exception
class name, a module path or an object repr -- what verify says is for people."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external-signed"

ATTACK_FIXTURES = [
    "edited_after_approval_then_signed", "content_changed_in_signing_update",
    "annotation_added_in_signing_update", "byte_flipped_in_signed_range", "byte_flipped_in_page_content",
    "text_appended_after_last_revision", "objects_appended_without_xref", "objects_appended_without_eof",
    "annotation_added_after_signing", "content_changed_after_signing", "signed_by_untrusted_signer",
    "truncated_copy", "truncated_inside_last_revision", "not_a_pdf", "page_added_after_signing",
    "open_action_added_after_signing", "page_content_replaced_via_xref", "font_replaced_after_signing",
    "empty_visible_signature_field_added", "signature_field_enlarged_in_signing_update",
    "signature_contents_zeroed", "signature_contents_emptied", "signature_byterange_changed",
    "signature_removed_from_field", "form_field_added_after_signing", "form_field_filled_after_signing",
    "widget_added_to_signed_field", "empty_invisible_signature_field_added",
    "new_visible_signature_field_signed", "dss_removed_after_signing", "dss_emptied_after_signing",
    "document_info_changed_after_signing", "xmp_title_changed_after_signing", "byte_range_null",
    "byte_range_three_numbers", "byte_range_overlapping", "byte_range_with_gap", "contents_not_a_string",
    "recertified_after_signing", "recertified_with_content_change",
]

PYTHON_TEXT = [
    re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b"),  # TypeError, PdfReadError, ValueError …
    re.compile(r"\bTraceback\b"),
    re.compile(r"\b(?:pyhanko|pikepdf|asn1crypto|zvhsign|builtins|cryptography|oscrypto)\.\w"),
    re.compile(r"<[^<>]*\bobject at 0x[0-9a-f]+>"),
    re.compile(r"\b[A-Z][a-z]+[A-Z]\w*\.[A-Z][A-Z_]+\b"),  # an enum repr: AdESPassed.OK
    re.compile(r"'[A-Z]\w*Object'"),  # 'NullObject' object is not …
]


def texts(doc: dict):
    for f in doc["files"]:
        if f.get("error"):
            yield f["path"], f["error"]
        for x in f.get("findings", []):
            yield f["path"], x["message"]
            yield from ((f["path"], d) for d in x.get("details", []))
        for s in f.get("signatures", []):
            for x in s["findings"]:
                yield f["path"], x["message"]
                yield from ((f["path"], d) for d in x.get("details", []))


def python_text(text: str) -> list[str]:
    return [p.pattern for p in PYTHON_TEXT if p.search(text)]


def test_the_detector_sees_python_text():
    assert python_text("could not be examined (TypeError: 'NullObject' object is not iterable)")
    assert python_text("pyhanko.pdf_utils.misc.PdfReadError: bad") and python_text("[AdESPassed.OK]")
    assert not python_text("the signed ranges overlap (ETSI TOTAL-FAILED/FORMAT_FAILURE)")


def test_no_python_text_in_attack_verdicts(request, approved):
    paths = [request.getfixturevalue(name) for name in ATTACK_FIXTURES]
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--json", *map(str, paths)])
    doc = json.loads(result.stdout)
    bad = [(p, t) for p, t in texts(doc) if python_text(t)]
    assert not bad, bad


def test_no_python_text_in_external_verdicts(approved):
    if not EXTERNAL.is_dir():
        pytest.skip(f"{EXTERNAL} is not present (it is in CI)")
    paths = sorted(EXTERNAL.glob("*.pdf"))
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--json", *map(str, paths)])
    doc = json.loads(result.stdout)
    assert all(not f.get("error") for f in doc["files"]), [f["error"] for f in doc["files"] if f.get("error")]
    bad = [(p, t) for p, t in texts(doc) if python_text(t)]
    assert not bad, bad


def test_an_etsi_indication_is_said_by_its_name_and_pyhankos_lta_text_by_what_it_means():
    """pyHanko puts an enum's repr in its texts ("indication AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND");
    it was cut out whole, leaving "failed with indication . Past validation not applicable." (QA)."""
    from pyhanko.sign.ades.report import AdESIndeterminate

    from zvhsign.pdf.plaintext import plain_text

    said = plain_text(f"Validation of signature at current time failed with indication "
                      f"{AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND}. Past validation not applicable.")
    assert said == ("the signature does not validate now (NO_CERTIFICATE_CHAIN_FOUND), "
                    "and no earlier time can be proven for it")
    assert not python_text(said)
    assert plain_text("<AdESFailure.HASH_FAILURE: 1> in the revision") == "HASH_FAILURE in the revision"
