"""The evidence cache: a re-verify of unchanged copies reuses the examination, gives the same
verdicts as --no-cache, and never hides a change the verdict rests on."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from zvhsign.pdf import examine as examine_module
from zvhsign.services.operations import verify


@pytest.fixture
def counted(monkeypatch, approved):
    from zvhsign.registry import EvidenceCache
    from zvhsign.services.registry_access import open_registry

    EvidenceCache(open_registry(approved.ws)).clear()  # CLI tests on this workspace fill it
    calls = []
    real = examine_module.examine

    async def counting(path, *a, **kw):
        calls.append(path)
        return await real(path, *a, **kw)

    monkeypatch.setattr(examine_module, "examine", counting)
    return calls


def _verdicts(batch):
    return [(f.status, [(s.evidence.field_name, s.indication.value, s.blocking_codes()) for s in f.signatures])
            for f in batch.files]


def test_cached_reverify_gives_the_verdicts_of_no_cache(approved, signed_convenant, tmp_path, counted):
    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    first = verify(approved.ws, [copy], cache=True)
    assert len(counted) == 1
    again = verify(approved.ws, [copy], cache=True)
    assert len(counted) == 1  # not examined again: a hash, a lookup, the rules
    fresh = verify(approved.ws, [copy], cache=False)
    assert len(counted) == 2
    assert _verdicts(first) == _verdicts(again) == _verdicts(fresh)
    assert again.files[0].path == str(copy)


def test_a_trust_change_or_another_moment_is_not_served_from_the_cache(approved, signed_convenant, tmp_path, counted):
    from datetime import datetime, timezone

    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    verify(approved.ws, [copy], cache=True)
    n = len(counted)
    verify(approved.ws, [copy], cache=True, online=False)  # offline rests on other facts
    assert len(counted) == n + 1
    verify(approved.ws, [copy], cache=True, at=datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert len(counted) == n + 2
    # other trust settings: only the secretariat as root, nothing else trusted
    other = dataclasses.replace(approved.ws, config=dataclasses.replace(
        approved.ws.config, trust_roots=approved.ws.config.secretariat_certs))
    (f,) = verify(other, [copy], cache=True).files
    assert len(counted) == n + 3 and not f.verified


def test_a_mandate_revocation_changes_a_cached_verdict(tmp_path, passphrase, counted, unchecked_signer,
                                                       approved_workspace_factory):
    """Only the examination is cached; the verdict is made anew against the registry."""
    from datetime import UTC, date, datetime, timedelta

    from zvhsign.domain.digests import Sha256
    from zvhsign.services import governance as gov
    from zvhsign.services.keys import KeySource
    from zvhsign.testpki import certs_dir

    a = approved_workspace_factory(tmp_path, passphrase)

    def key(label):
        return KeySource(pkcs12=certs_dir() / "out" / f"{label}.p12", passphrase=passphrase)

    gov.write_test_pki_partners(tmp_path / "partners.toml", certs_dir() / "out")
    gov.import_partners(a.ws, tmp_path / "partners.toml")
    gov.draft_mandate(a.ws, "Haarlem", "Willemijn Bosschaart", date(2026, 11, 10), tmp_path / "m0.pdf")
    gov.sign_mandate(a.ws, tmp_path / "m0.pdf", key("haarlem-secretaris"), tmp_path / "m1.pdf", as_role="secretaris")
    gov.sign_mandate(a.ws, tmp_path / "m1.pdf", key("haarlem-burgemeester"), tmp_path / "m2.pdf", as_role="burgemeester")
    gov.register_mandate(a.ws, tmp_path / "m2.pdf")
    sha = Sha256.of_file(tmp_path / "m2.pdf").hex
    copy = unchecked_signer(a.ws, a.convenant, key("haarlem-burgemeester"), tmp_path / "c.pdf", mandate_sha256=sha,
                            capacity="namens het college van burgemeester en wethouders van Haarlem")
    assert verify(a.ws, [copy], cache=True, record=True).all_verified
    cell = next(r for r in gov.status(a.ws).rows if r.partner.key == "haarlem").cells
    assert [c.state.value for c in cell.values()] == ["signed", "missing"]
    n = len(counted)
    # revoked with effect from before the signature was made (its content timestamp proves it)
    gov.revoke_mandate(a.ws, sha, datetime.now(UTC) - timedelta(hours=1), "B&W-besluit")
    (f,) = verify(a.ws, [copy], cache=True).files
    assert len(counted) == n  # the cached examination
    assert "MANDATE_REVOKED" in {x.code for s in f.signatures for x in s.findings}
    # status judges the recorded copy now: no longer "signed" (it was recorded as verified)
    cell = next(r for r in gov.status(a.ws).rows if r.partner.key == "haarlem").cells
    assert [c.state.value for c in cell.values()] == ["invalid", "missing"]
    assert "MANDATE_REVOKED" in next(iter(cell.values())).signatures[0].codes


def test_sign_reuses_the_examination_of_its_dry_run(approved, passphrase, tmp_path, counted):
    """sign's pre-flight examines the copy through the same pipeline and cache as verify: a
    --dry-run (or a verify) earlier today makes the real signing examine nothing again, and
    the would-be signature is still judged (a refused signer is refused from the cache too)."""
    from zvhsign.errors import ZvhsignError
    from zvhsign.services.keys import KeySource
    from zvhsign.services.signing import sign
    from zvhsign.testpki import certs_dir

    copy = tmp_path / "approved.pdf"
    shutil.copyfile(approved.convenant, copy)
    pf = sign(approved.ws, copy, approved.key("om", passphrase), tmp_path / "dry.pdf", dry_run=True).preflight
    assert not (tmp_path / "dry.pdf").exists()
    n = len(counted)
    assert n >= 1 and str(copy) in " ".join(counted)
    out = tmp_path / "signed.pdf"
    res = sign(approved.ws, copy, approved.key("om", passphrase), out)
    assert len(counted) == n  # the copy's examination came from the cache
    assert res.written and res.preflight.approved == pf.approved and res.preflight.field_name == pf.field_name
    (f,) = verify(approved.ws, [out], cache=False).files
    assert f.verified, f
    n = len(counted)  # (verify --no-cache examined the signed copy)
    revoked = KeySource(pkcs12=certs_dir() / "out" / "revoked-signer.p12", passphrase=passphrase)
    with pytest.raises(ZvhsignError):
        sign(approved.ws, copy, revoked, tmp_path / "no.pdf")
    assert len(counted) == n and not (tmp_path / "no.pdf").exists()


def test_extend_checks_a_copy_verify_examined_from_the_cache(approved, signed_convenant, tmp_path, counted):
    """extend judges each copy with verify's pipeline before it adds a timestamp; a copy verify
    examined earlier today is not examined again -- the extended copy (new bytes) is."""
    from zvhsign.services.extend import extend

    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)
    assert verify(approved.ws, [copy], cache=True).all_verified
    n = len(counted)
    (result,) = extend(approved.ws, [copy])
    assert result.status == "extended", result.message
    assert len(counted) == n
    assert verify(approved.ws, [copy], cache=True).all_verified and len(counted) == n + 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cache_that_can_not_be_written_changes_no_verdict(approved_workspace_factory, passphrase, signed_convenant,
                                                            tmp_path, jobs):
    """The cache saves time, nothing more: when the database refuses to keep an examination
    (here a trigger, as a locked or full database would), the copies are judged all the same."""
    import sqlite3

    from zvhsign.registry import EvidenceCache
    from zvhsign.services.registry_access import open_registry

    a = approved_workspace_factory(tmp_path, passphrase)
    copies = []
    for i in range(3):
        copies.append(tmp_path / f"c{i}.pdf")
        shutil.copyfile(signed_convenant if i else a.convenant, copies[-1])
    fresh = verify(a.ws, copies, cache=False, jobs=jobs)
    db = a.ws.root / "zvhsign.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TRIGGER refuse_cache BEFORE INSERT ON evidence_cache "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    batch = verify(a.ws, copies, cache=True, jobs=jobs)
    assert _verdicts(batch) == _verdicts(fresh) and not any(f.error for f in batch.files)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM evidence_cache").fetchone()[0] == 0
    assert EvidenceCache(open_registry(a.ws)).clear() == 0
