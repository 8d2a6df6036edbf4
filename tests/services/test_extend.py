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


def _workspace_with(ws, **changes):
    import dataclasses

    return dataclasses.replace(ws, config=dataclasses.replace(ws.config, **changes))


def test_renewal_with_a_longer_lived_tsa_verifies_again_after_the_first_tsa_expired(
    approved, signed_convenant, tmp_path
):
    """The first TSA's certificate expires on 2035-01-01, the OM's own on the same day.
    Years later (rehearsed with --at 2036-06-01 against the test PKI running at that
    time), the copy as signed can't be proven any more; the copy renewed in 2026 with
    an archive timestamp from the second TSA (valid until 2045) still verifies."""
    from datetime import datetime, timezone

    from zvhsign.domain.evidence import Indication
    from zvhsign.testpki import TSA_2_URL

    original = tmp_path / "convenant-om.pdf"
    shutil.copyfile(signed_convenant, original)
    renewed = tmp_path / "convenant-om-renewed.pdf"
    shutil.copyfile(signed_convenant, renewed)
    (result,) = extend(_workspace_with(approved.ws, tsa_url=TSA_2_URL), [renewed])
    assert result.ok, result.message

    later = datetime(2036, 6, 1, tzinfo=timezone.utc)
    in_2036 = _workspace_with(approved.ws, test_pki_clock=later)
    before, after = verify(in_2036, [original, renewed], at=later).files

    assert not before.verified
    codes = {f.code for f in before.all_findings() if f.level.blocks}
    assert "ARCHIVE_TIMESTAMP_EXPIRED" in codes and "ARCHIVE_TIMESTAMP_EXPIRING" not in codes  # too late to renew
    partner = next(s.evidence for s in before.signatures if s.evidence.kind is SignatureKind.SIGNATURE)
    assert partner.indication is Indication.INDETERMINATE
    assert partner.subindication == "NO_POE"
    (old_ts,) = doc_timestamps(before)
    assert old_ts.indication is Indication.INDETERMINATE and old_ts.subindication == "OUT_OF_BOUNDS_NO_POE"

    assert after.verified, [f.to_json() for f in after.all_findings() if f.level.blocks]
    assert all(s.evidence.indication is Indication.TOTAL_PASSED for s in after.signatures)
    first_ts, renewal_ts = doc_timestamps(after)
    assert "Authority 2" in renewal_ts.signer.common_name
    # the first TSA's timestamp is proven by the renewal timestamp, at its time
    assert first_ts.archive_validated_at == renewal_ts.best_signature_time
    assert [u.role for u in first_ts.timestamps_used] == ["document", "archive"]
    partner = next(s.evidence for s in after.signatures if s.evidence.kind is SignatureKind.SIGNATURE)
    assert partner.signature_timestamp_past_validated is True
    assert partner.best_signature_time < datetime(2027, 1, 1, tzinfo=timezone.utc)
