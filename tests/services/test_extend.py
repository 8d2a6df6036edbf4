"""``extend`` (issue 4 item 1): a new archive timestamp on B-LTA copies, refusals."""

from __future__ import annotations

import shutil

import pytest

from zvhsign.domain.evidence import SignatureKind
from zvhsign.services.extend import extend
from zvhsign.services.operations import verify


def doc_timestamps(fv):
    return [s.evidence for s in fv.signatures if s.evidence.kind is SignatureKind.DOC_TIMESTAMP]


def test_extended_copy_verifies_with_one_more_newer_document_timestamp(approved, signed_convenant, tmp_path):
    copy = tmp_path / "convenant-om.pdf"
    shutil.copyfile(signed_convenant, copy)
    (before,) = verify(approved.ws, [copy]).files
    assert before.verified
    n_before = len(doc_timestamps(before))
    assert n_before >= 1
    size_before = copy.stat().st_size

    (result,) = extend(approved.ws, [copy])
    assert result.status == "extended", result.message
    assert result.output == str(copy) and copy.stat().st_size > size_before
    assert copy.read_bytes().startswith(signed_convenant.read_bytes())  # an incremental update

    batch = verify(approved.ws, [copy])
    (after,) = batch.files
    assert after.verified, [f.to_json() for f in after.all_findings()]
    stamps = doc_timestamps(after)
    assert len(stamps) == n_before + 1
    newest, previous = stamps[-1], stamps[-2]
    assert newest.best_signature_time >= previous.best_signature_time
    assert newest.revision > previous.revision
    # verify's JSON shows the newer timestamp as the last document timestamp
    js = batch.to_json()["files"][0]["signatures"]
    ts_json = [s for s in js if s["kind"] == "document-timestamp"]
    assert ts_json[-1]["best_signature_time"] == newest.best_signature_time.isoformat()
    assert result.timestamp_time == newest.best_signature_time


def test_output_dir_leaves_the_input_alone(approved, signed_convenant, tmp_path):
    out = tmp_path / "renewed"
    out.mkdir()
    original = signed_convenant.read_bytes()
    (result,) = extend(approved.ws, [signed_convenant], out_dir=out)
    assert result.ok, result.message
    assert signed_convenant.read_bytes() == original
    assert (out / signed_convenant.name).read_bytes().startswith(original)


def test_refuses_a_copy_that_is_not_b_lta(approved, tmp_path):
    # the approved version itself: a certification signature, no partner B-LTA chain
    copy = tmp_path / "approved.pdf"
    shutil.copyfile(approved.convenant, copy)
    original = copy.read_bytes()
    (result,) = extend(approved.ws, [copy])
    assert result.status == "refused"
    assert "B-LTA" in result.message or "does not verify" in result.message
    assert copy.read_bytes() == original


def test_refuses_a_copy_that_does_not_verify(approved, signed_convenant, tmp_path):
    data = bytearray(signed_convenant.read_bytes())
    i = data.find(b"/Contents <") + 12  # a byte inside the first signature's value
    data[i:i + 2] = b"00" if data[i:i + 2] != b"00" else b"11"
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(data))
    (result,) = extend(approved.ws, [bad])
    assert result.status == "refused"
    assert result.message.startswith("does not verify")
    assert bad.read_bytes() == bytes(data)


def test_no_files_is_a_usage_error(approved):
    from zvhsign.errors import UsageError

    with pytest.raises(UsageError):
        extend(approved.ws, [])
