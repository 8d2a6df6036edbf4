"""eIDAS qualification from the EU trusted lists (issue 14), with real material only:
a test LOTL and Dutch list (XAdES-signed by the test trusted-list operators), PAdES
signatures by the test PKI (certificates with and without QcStatements), the TSA and
OCSP served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CERTS, make_approved_workspace, sign_unchecked
from zvhsign.testpki import certs_dir
from zvhsign.testpki.trustedlists import GRANTED, WITHDRAWN, Status, make_lotl, make_nl_list

PKI = certs_dir()
SIGNERS = {"politie": "QES", "reclassering": "AdES-QC", "nonqualified-signer": "AdES"}


@dataclasses.dataclass
class Setup:
    approved: object
    lotl: Path
    nl: Path
    copies: dict


def _load(ws, lotl: Path, nl: Path):
    from zvhsign.services.trustlists import add_lists

    return add_lists(ws, str(lotl), {"NL": str(nl)}, actor="test")


@pytest.fixture(scope="module")
def setup(tmp_path_factory, passphrase) -> Setup:
    root = tmp_path_factory.mktemp("qualified")
    approved = make_approved_workspace(root, passphrase)
    lotl, nl = root / "eu-lotl.xml", root / "tsl-nl.xml"
    lotl.write_bytes(make_lotl(PKI))
    nl.write_bytes(make_nl_list(PKI))
    _load(approved.ws, lotl, nl)
    copies = {
        label: sign_unchecked(approved.ws, approved.convenant, approved.key(label, passphrase),
                              root / f"convenant-{label}.pdf")
        for label in SIGNERS
    }
    return Setup(approved, lotl, nl, copies)


def _verify(ws, paths, **policy):
    from zvhsign.services.operations import verify

    if policy:
        ws = dataclasses.replace(ws, config=dataclasses.replace(ws.config, **policy))
    return verify(ws, list(paths))


def _partner(batch, path: Path):
    fv = next(f for f in batch.files if Path(f.path).name == path.name)
    return fv, next(s for s in fv.signatures if s.evidence.kind.value == "signature")


def _codes(sv) -> dict:
    return {f.code: f.level.value for f in sv.findings}


def test_qes_adesqc_and_ades_from_the_lists_and_the_certificates(setup):
    batch = _verify(setup.approved.ws, setup.copies.values())
    for label, level in SIGNERS.items():
        fv, sv = _partner(batch, setup.copies[label])
        q = sv.evidence.qualification
        assert q.level.value == level, (label, q.reasons)
        assert fv.outcome.value == "VERIFIED", label  # not required: a fact, not a finding
    q = _partner(batch, setup.copies["politie"])[1].evidence.qualification
    assert q.qualified_certificate and q.certificate_type == "esign"
    assert q.key_protection.value == "QSCD"
    assert {"QcCompliance", "QcSSCD", "QcType=esign"} <= set(q.qc_statements)
    assert q.service_name.startswith("ZVH Test Issuing CA") and q.service_status == "granted"
    assert "QUALIFIED_SIGNATURE" in _codes(_partner(batch, setup.copies["politie"])[1])
    rq = _partner(batch, setup.copies["reclassering"])[1].evidence.qualification
    assert any("QSCD" in r.text for r in rq.reasons) and rq.qualified_certificate
    aq = _partner(batch, setup.copies["nonqualified-signer"])[1].evidence.qualification
    assert not aq.qualified_certificate and any("QcCompliance" in r.text for r in aq.reasons)


def test_require_qualified_fails_what_is_not_qes_at_the_configured_level(setup):
    batch = _verify(setup.approved.ws, setup.copies.values(), require_qualified=True)
    assert _partner(batch, setup.copies["politie"])[0].outcome.value == "VERIFIED"
    for label in ("reclassering", "nonqualified-signer"):
        fv, sv = _partner(batch, setup.copies[label])
        assert _codes(sv).get("NOT_QUALIFIED") == "FAIL", label
        assert fv.outcome.value == "FAILED"
    batch = _verify(setup.approved.ws, [setup.copies["reclassering"]], require_qualified=True,
                    not_qualified="warn")
    fv, sv = _partner(batch, setup.copies["reclassering"])
    assert _codes(sv).get("NOT_QUALIFIED") == "WARN"
    assert fv.outcome.value != "VERIFIED"


def test_without_trusted_lists_nothing_is_assessed_and_requiring_qes_is_undecided(tmp_path, passphrase):
    approved = make_approved_workspace(tmp_path, passphrase)
    copy = sign_unchecked(approved.ws, approved.convenant, approved.key("politie", passphrase), tmp_path / "c.pdf")
    batch = _verify(approved.ws, [copy])
    assert _partner(batch, copy)[1].evidence.qualification.level.value == "NOT-ASSESSED"
    assert _partner(batch, copy)[0].outcome.value == "VERIFIED"
    batch = _verify(approved.ws, [copy], require_qualified=True)
    assert _codes(_partner(batch, copy)[1]).get("QUALIFICATION_UNKNOWN") == "WARN"


def test_a_ca_not_on_the_list_and_a_service_withdrawn_before_signing(setup, tmp_path):
    ws, copy = setup.approved.ws, setup.copies["politie"]
    signed_at = _partner(_verify(ws, [copy]), copy)[1].evidence.best_signature_time
    try:
        # the Dutch list names another CA: the signer's issuer is not listed
        other = tmp_path / "tsl-nl-other.xml"
        other.write_bytes(make_nl_list(PKI, sequence=2, ca_label="rogue-root"))
        _load(ws, setup.lotl, other)
        q = _partner(_verify(ws, [copy]), copy)[1].evidence.qualification
        assert q.level.value == "AdES" and "no issuer" in q.reasons[0].text

        # granted since 2020, withdrawn before the signature was made
        withdrawn = tmp_path / "tsl-nl-withdrawn.xml"
        history = (Status(GRANTED, datetime(2020, 1, 1, tzinfo=timezone.utc)),
                   Status(WITHDRAWN, signed_at - timedelta(days=30)))
        withdrawn.write_bytes(make_nl_list(PKI, sequence=3, history=history))
        _load(ws, setup.lotl, withdrawn)
        q = _partner(_verify(ws, [copy]), copy)[1].evidence.qualification
        assert q.level.value == "AdES" and "not granted" in q.reasons[0].text

        # withdrawn only after the signature was made: it was qualified when signed
        later = tmp_path / "tsl-nl-withdrawn-later.xml"
        history = (Status(GRANTED, datetime(2020, 1, 1, tzinfo=timezone.utc)),
                   Status(WITHDRAWN, signed_at + timedelta(seconds=1)))
        later.write_bytes(make_nl_list(PKI, sequence=4, history=history))
        _load(ws, setup.lotl, later)
        q = _partner(_verify(ws, [copy]), copy)[1].evidence.qualification
        assert q.level.value == "QES", (q.reasons, signed_at)
    finally:
        _load(ws, setup.lotl, setup.nl)


def _cli(ws, *args):
    from zvhsign.cli import cli

    return CliRunner().invoke(cli, ["--workspace", str(ws.root), *args], catch_exceptions=False)


def test_a_list_with_a_broken_signature_is_refused_and_nothing_is_kept(setup, tmp_path):
    ws = setup.approved.ws
    before = {p.name: p.read_bytes() for p in ws.trusted_lists_dir.glob("*.xml")}
    broken = tmp_path / "tsl-nl-broken.xml"
    broken.write_bytes(setup.nl.read_bytes().replace(b"ZVH Test Issuing CA - qualified", b"ZVH Test Issuing CA - QUALIFIED"))
    r = _cli(ws, "trust", "tl", "add", str(setup.lotl), "--tl", f"NL={broken}")
    assert r.exit_code == 1
    assert "trusted list of NL" in r.output and "does not verify" in r.output
    assert "Traceback" not in r.output
    assert {p.name: p.read_bytes() for p in ws.trusted_lists_dir.glob("*.xml")} == before
    # a LOTL signed by someone the workspace does not accept as LOTL signer
    wrong = tmp_path / "lotl-wrong-signer.xml"
    wrong.write_bytes(make_lotl(PKI, signer="tl-signer-nl"))
    r = _cli(ws, "trust", "tl", "add", str(wrong), "--tl", f"NL={setup.nl}")
    assert r.exit_code == 1 and "list of trusted lists" in r.output


def test_an_expired_list_loads_with_a_warning_and_makes_required_qes_indeterminate(setup, tmp_path):
    ws, copy = setup.approved.ws, setup.copies["politie"]
    stale = tmp_path / "tsl-nl-stale.xml"
    stale.write_bytes(make_nl_list(PKI, sequence=5, issued=datetime(2025, 1, 1, tzinfo=timezone.utc),
                                   next_update=datetime(2025, 7, 1, tzinfo=timezone.utc)))
    try:
        r = _cli(ws, "trust", "tl", "add", str(setup.lotl), "--tl", f"NL={stale}")
        assert r.exit_code == 0, r.output
        assert "past its next update" in r.output
        batch = _verify(ws, [copy], require_qualified=True)
        fv, sv = _partner(batch, copy)
        assert sv.evidence.qualification.stale_lists == ("NL",)
        assert _codes(sv).get("TRUSTED_LIST_STALE") == "WARN"
        assert fv.outcome.value != "VERIFIED"
    finally:
        _load(ws, setup.lotl, setup.nl)


def test_a_kept_list_changed_on_disk_stops_verification(setup, tmp_path):
    import shutil

    ws = setup.approved.ws
    kept = ws.trusted_lists_dir / "tsl-nl.xml"
    original = kept.read_bytes()
    try:
        kept.write_bytes(original.replace(b"granted", b"grantee"))
        r = _cli(ws, "verify", str(setup.copies["politie"]))
        assert r.exit_code == 3
        words = " ".join(r.output.split())  # the table wraps its cells where the path length has it
        assert "no longer verifies" in words and "Traceback" not in r.output
    finally:
        shutil.copyfile(setup.nl, kept)


def test_loading_is_logged_and_shown_and_json_carries_the_qualification(setup):
    from zvhsign.services.auditlog import events

    ws = setup.approved.ws
    logged = [e for e in events(ws) if e.action == "trusted-list"]
    assert {e.details["territory"] for e in logged} >= {"EU", "NL"}
    nl = [e for e in logged if e.details["territory"] == "NL"][-1]
    assert nl.details["sha256"] and nl.details["next_update"] and nl.details["sequence_number"] is not None
    r = _cli(ws, "trust", "tl", "show", "--json")
    shown = json.loads(r.output)
    assert [x["territory"] for x in shown["lists"]] == ["EU", "NL"] and not shown["stale"]
    r = _cli(ws, "verify", "--json", str(setup.copies["reclassering"]))
    doc = json.loads(r.output)
    sig = next(s for s in doc["files"][0]["signatures"] if s["kind"] == "signature")
    assert sig["qualification"]["level"] == "AdES-QC"
    assert sig["qualification"]["service"]["status"] == "granted"
    ts = [s for s in doc["files"][0]["signatures"] if s["kind"] == "document-timestamp"]
    assert ts and all(s["qualification"] is None for s in ts)


def test_the_lists_are_a_trust_source(tmp_path, setup):
    """A workspace that does not trust the ZVH test root itself still trusts a signature
    whose issuer is a qualified CA on the loaded Dutch list."""
    from zvhsign.services.setup import init_workspace
    from zvhsign.testpki import TSA_URL

    ws = init_workspace(tmp_path / "ws", trust_roots=[CERTS / "rogue-root.cert.pem"],
                        secretariat=[CERTS / "secretariaat.cert.pem"], other_certs=[CERTS / "zvh-ca.cert.pem"],
                        tsa_url=TSA_URL, test_pki=True, lotl_signers=[CERTS / "lotl-signer.cert.pem"])
    copy = setup.copies["politie"]
    sv = _partner(_verify(ws, [copy]), copy)[1]
    assert not sv.evidence.trusted
    _load(ws, setup.lotl, setup.nl)
    sv = _partner(_verify(ws, [copy]), copy)[1]
    assert sv.evidence.trusted, sv.evidence.failure
    assert sv.evidence.qualification.level.value == "QES"


def test_verify_v_shows_the_qualification_next_to_the_level(setup):
    r = _cli(setup.approved.ws, "verify", "-v", "--no-color", str(setup.copies["reclassering"]),
             str(setup.copies["politie"]))
    assert r.exit_code == 0, r.output
    assert "AdES-QC" in r.output and "QES" in r.output.replace("AdES-QC", "")


def test_sign_refuses_before_signing_what_verify_would_fail_for_want_of_qes(setup, passphrase, tmp_path):
    """The pre-flight judges the would-be signature with the same rule: with QES required,
    a certificate without a QSCD is refused before anything is written; a QES one passes."""
    from zvhsign.errors import ZvhsignError
    from zvhsign.services.signing import sign

    ws = dataclasses.replace(setup.approved.ws, config=dataclasses.replace(
        setup.approved.ws.config, require_qualified=True))
    out = tmp_path / "reclassering.pdf"
    with pytest.raises(ZvhsignError) as refused:
        sign(ws, setup.approved.convenant, setup.approved.key("reclassering", passphrase), out, dry_run=True)
    assert "NOT_QUALIFIED" in str(refused.value.message) and not out.exists()
    result = sign(ws, setup.approved.convenant, setup.approved.key("politie", passphrase), tmp_path / "p.pdf",
                  dry_run=True)
    assert "QUALIFIED_SIGNATURE" in {f.code for f in result.preflight.findings}


def test_a_partner_kit_carries_the_lists_and_the_policy(setup, tmp_path):
    """What the secretariat will demand is known in the kit: the same trusted lists (verified
    again there) and require_qualified, so the kit's pre-flight predicts the verdict."""
    from zvhsign.services.kit import export_kit
    from zvhsign.services.trustlists import load_lists
    from zvhsign.services.workspace import load_workspace

    ws = setup.approved.ws
    cfg = ws.config_path.read_text(encoding="utf-8")
    try:
        ws.config_path.write_text(cfg.replace("require_qualified = false", "require_qualified = true"),
                                  encoding="utf-8")
        strict = load_workspace(ws.root)
        kit = export_kit(strict, tmp_path / "kit", wheel=False)
    finally:
        ws.config_path.write_text(cfg, encoding="utf-8")
    kit_ws = load_workspace(kit.directory)
    assert kit_ws.config.require_qualified and kit_ws.config.territories == ("NL",)
    lists = load_lists(kit_ws)
    assert lists is not None and [i.territory for i in lists.lists] == ["EU", "NL"]


def test_lists_are_fetched_over_http_and_a_missing_one_is_named(setup, tmp_path):
    """`trust tl add URL`: real HTTP on 127.0.0.1 (a plain file server)."""
    import functools
    import http.server
    import shutil
    import threading

    served = tmp_path / "served"
    served.mkdir()
    shutil.copyfile(setup.lotl, served / "eu-lotl.xml")
    shutil.copyfile(setup.nl, served / "tsl-nl.xml")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    handler = functools.partial(Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ws = setup.approved.ws
    try:
        r = _cli(ws, "trust", "tl", "add", f"{base}/eu-lotl.xml", "--tl", f"NL={base}/tsl-nl.xml", "--json")
        assert r.exit_code == 0, r.output
        assert [x["territory"] for x in json.loads(r.output)["lists"]] == ["EU", "NL"]
        r = _cli(ws, "trust", "tl", "add", f"{base}/eu-lotl.xml", "--tl", f"NL={base}/missing.xml")
        assert r.exit_code == 3 and "HTTP 404" in r.output and "Traceback" not in r.output
    finally:
        server.shutdown()
        _load(ws, setup.lotl, setup.nl)


def test_the_etsi_report_carries_the_qualification(setup, tmp_path):
    from lxml import etree

    out = tmp_path / "etsi.xml"
    r = _cli(setup.approved.ws, "verify", "--etsi-report", str(out), str(setup.copies["politie"]),
             str(setup.copies["reclassering"]))
    assert r.exit_code == 0, r.output
    tree = etree.parse(str(out))
    qualities = [e.text for e in tree.iter("{http://uri.etsi.org/19102/v1.2.1#}SignatureQualityInformation")]
    assert "urn:cef:dss:signatureQualification:QESig" in qualities
    assert "urn:cef:dss:signatureQualification:AdESig-QC" in qualities


def test_a_cached_reverify_does_not_load_the_lists(setup, monkeypatch):
    """The lists are loaded (and their XML signatures verified) on first need: a verify
    answered from the evidence cache needs none -- its key holds the kept lists' SHA-256,
    so a changed list is a miss that loads it (test above) -- and gives the same verdict."""
    from zvhsign.services import trustlists

    ws, copy = setup.approved.ws, setup.copies["politie"]
    first = _cli(ws, "verify", "--json", str(copy))
    calls = []
    real = trustlists.load_lists
    monkeypatch.setattr(trustlists, "load_lists", lambda w, **kw: calls.append(w) or real(w, **kw))
    cached = _cli(ws, "verify", "--json", str(copy))
    assert calls == []
    fresh = _cli(ws, "verify", "--json", "--no-cache", str(copy))
    assert len(calls) == 1
    assert cached.exit_code == fresh.exit_code == first.exit_code

    def level(r):
        (f,) = json.loads(r.output)["files"]
        return [s["qualification"]["level"] for s in f["signatures"] if s.get("qualification")]

    assert level(cached) == level(fresh) and "QES" in level(fresh)
