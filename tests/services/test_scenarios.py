"""One verdict everywhere: a governance scenario matrix, judged alike by verify, status and report.

Built as a secretariat would (partners, mandates, revocations, a retired signatory, a
superseded version) with real signatures from the test PKI. Copies the pre-flight of
`zvhsign sign` refuses are made the way another product (Acrobat, a script) would make
them: a real PAdES signature without the pre-flight (conftest.sign_unchecked).

For every partner signature, `verify --json`, `status --json` and `report --format json`
must give the same verdict (ETSI indication) and the same blocking finding codes; the
per-file verdicts must not depend on which other files share the command; and each file
is read and parsed (by pyHanko) once per verify.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind, PadesLevel
from zvhsign.errors import RefusedError
from zvhsign.services import governance as gov
from zvhsign.services.keys import KeySource
from zvhsign.services.operations import approve, stamp, verify
from zvhsign.services.signing import sign
from zvhsign.testpki import certs_dir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_spec = importlib.util.spec_from_file_location("zvh_tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
shared = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = shared  # dataclasses look their module up
    _spec.loader.exec_module(shared)

# the matrix is built once: every test of this module runs on the same xdist worker
pytestmark = pytest.mark.xdist_group("scenario-matrix")
HAARLEM_CAPACITY = "namens het college van burgemeester en wethouders van Haarlem"


@dataclass
class Matrix:
    ws: object
    root: Path
    copies: dict  # scenario name -> signed copy
    expect: dict  # scenario name -> {field: (indication, codes that must be among the blocking ones)}
    key: object


def _expect(indication: str, *codes: str) -> tuple[str, frozenset]:
    return indication, frozenset(codes)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, passphrase, unchecked_signer) -> Matrix:  # noqa: PLR0915 - one story
    root = tmp_path_factory.mktemp("scenarios")
    a = shared.make_approved_workspace(root, passphrase)
    ws = a.ws

    def key(label):
        return KeySource(pkcs12=certs_dir() / "out" / f"{label}.p12", passphrase=passphrase)

    # partners: all of the test PKI's but reclassering (an unregistered organisation)
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    text = (root / "partners.toml").read_text()
    text = text[: text.index('[[partner]]\nkey = "reclassering"')]
    (root / "partners.toml").write_text(text)
    gov.import_partners(ws, root / "partners.toml")
    copies, expect = {}, {}
    conv, prot = a.convenant, a.protocol

    def out(name):
        return root / f"{name}.pdf"

    # made before Haarlem has any mandate: the mandate comes after the signature
    copies["mandate-after-signature"] = unchecked_signer(ws, conv, key("haarlem-burgemeester"), out("m-after"))
    expect["mandate-after-signature"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_AFTER_SIGNATURE")}

    def mandate(name, decided, versions=()):
        gov.draft_mandate(ws, "Haarlem", "Willemijn Bosschaart", decided, root / f"{name}-0.pdf", versions=versions)
        gov.sign_mandate(ws, root / f"{name}-0.pdf", key("haarlem-secretaris"), root / f"{name}-1.pdf", as_role="secretaris")
        gov.sign_mandate(ws, root / f"{name}-1.pdf", key("haarlem-burgemeester"), root / f"{name}-2.pdf",
                         as_role="burgemeester")
        gov.register_mandate(ws, root / f"{name}-2.pdf")
        return Sha256.of_file(root / f"{name}-2.pdf").hex, Sha256.of_file(root / f"{name}-1.pdf").hex

    main, half = mandate("m-main", date(2026, 11, 10))
    conv_only, _ = mandate("m-conv", date(2026, 11, 9), versions=[(DocumentKind.CONVENANT, "1.0")])
    to_revoke, _ = mandate("m-revoke", date(2026, 11, 8))
    future, _ = mandate("m-future", date(2026, 11, 7))

    # the valid baseline: OM signs the covenant, then the protocol; GGZ the covenant
    copies["om-covenant"] = sign(ws, conv, key("om"), out("om-conv")).out
    copies["om-protocol"] = sign(ws, prot, key("om"), out("om-prot")).out
    copies["ggz-covenant"] = sign(ws, conv, key("ggz"), out("ggz-conv")).out
    for name in ("om-covenant", "om-protocol", "ggz-covenant"):
        expect[name] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}

    # 1 a mayor without mandate (Zandvoort has none); 2 the pre-flight refuses it first
    with pytest.raises(RefusedError, match="MANDATE_MISSING"):
        sign(ws, conv, key("zandvoort-burgemeester"), out("refused"))
    assert not out("refused").exists()
    copies["mayor-without-mandate"] = unchecked_signer(ws, conv, key("zandvoort-burgemeester"), out("zv-none"))
    expect["mayor-without-mandate"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_MISSING")}
    # 3 a mandate signed by the secretaris only (bound to that revision)
    copies["mandate-one-signature"] = unchecked_signer(
        ws, conv, key("haarlem-burgemeester"), out("m-half"), mandate_sha256=half, capacity=HAARLEM_CAPACITY)
    expect["mandate-one-signature"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_INCOMPLETE_WHEN_SIGNED")}
    # 4 another municipality's mandate
    copies["other-municipality-mandate"] = unchecked_signer(
        ws, conv, key("zandvoort-burgemeester"), out("zv-haarlem"), mandate_sha256=main, capacity=HAARLEM_CAPACITY)
    expect["other-municipality-mandate"] = {
        "ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_OTHER_MUNICIPALITY", "MANDATE_OTHER_PERSON")}
    # 5 a mandate covering only the covenant, used for the protocol
    copies["covenant-mandate-for-protocol"] = unchecked_signer(
        ws, prot, key("haarlem-burgemeester"), out("m-conv-prot"), mandate_sha256=conv_only, capacity=HAARLEM_CAPACITY)
    expect["covenant-mandate-for-protocol"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_OTHER_VERSION")}
    # the valid mayor: covenant (bound by `sign` itself) and protocol
    copies["haarlem-covenant"] = sign(ws, conv, key("haarlem-burgemeester"), out("h-conv")).out
    copies["haarlem-protocol"] = sign(ws, prot, key("haarlem-burgemeester"), out("h-prot"), mandate_sha256=main,
                                      capacity=HAARLEM_CAPACITY).out
    expect["haarlem-covenant"] = expect["haarlem-protocol"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}
    # 6 revoked after the signature: still covered
    copies["revoked-after-signature"] = sign(ws, conv, key("haarlem-burgemeester"), out("rev-after"),
                                             mandate_sha256=to_revoke, capacity=HAARLEM_CAPACITY).out
    gov.revoke_mandate(ws, to_revoke, datetime.now(UTC), "B&W-besluit intrekking")
    expect["revoked-after-signature"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}
    # 7 revoked before the signature
    with pytest.raises(RefusedError, match="revoked"):
        gov.mandate_binding(ws, root / "m-revoke-2.pdf")
    copies["revoked-before-signature"] = unchecked_signer(
        ws, conv, key("haarlem-burgemeester"), out("rev-before"), mandate_sha256=to_revoke, capacity=HAARLEM_CAPACITY)
    expect["revoked-before-signature"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "MANDATE_REVOKED")}
    # 8 a revocation that takes effect in the future: in force until then
    gov.revoke_mandate(ws, future, datetime.now(UTC) + timedelta(days=200), "B&W-besluit per volgend jaar")
    copies["revocation-in-future"] = sign(ws, conv, key("haarlem-burgemeester"), out("rev-future"),
                                          mandate_sha256=future, capacity=HAARLEM_CAPACITY).out
    expect["revocation-in-future"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}
    # 9 the protocol proven to be signed before the covenant
    copies["politie-protocol-first"] = sign(ws, prot, key("politie"), out("pol-prot")).out
    copies["politie-covenant"] = sign(ws, conv, key("politie"), out("pol-conv")).out
    expect["politie-protocol-first"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "PROTOCOL_BEFORE_COVENANT")}
    expect["politie-covenant"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}
    # 10 an unregistered organisation
    with pytest.raises(RefusedError, match="SIGNER_UNKNOWN"):
        sign(ws, conv, key("reclassering"), out("refused"))
    copies["unregistered-organisation"] = unchecked_signer(ws, conv, key("reclassering"), out("recl"))
    expect["unregistered-organisation"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "SIGNER_UNKNOWN")}
    # 11 a registered organisation, the wrong person (the gemeentesecretaris signs the covenant)
    with pytest.raises(RefusedError, match="SIGNER_NOT_AUTHORISED"):
        sign(ws, conv, key("haarlem-secretaris"), out("refused"))
    copies["wrong-person"] = unchecked_signer(ws, conv, key("haarlem-secretaris"), out("h-secr"))
    expect["wrong-person"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "SIGNER_NOT_AUTHORISED")}
    # 12 a retired signatory: the covenant before retirement stays valid, the protocol after fails
    copies["rvdk-covenant"] = sign(ws, conv, key("rvdk"), out("rvdk-conv")).out
    expect["rvdk-covenant"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED")}
    gov.retire_signatory(ws, "rvdk", "Fatima El Amrani", datetime.now(UTC), "nieuwe regiodirecteur")
    with pytest.raises(RefusedError, match="SIGNER_RETIRED"):
        sign(ws, prot, key("rvdk"), out("refused"))
    copies["retired-signatory"] = unchecked_signer(ws, prot, key("rvdk"), out("rvdk-prot"))
    expect["retired-signatory"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "SIGNER_RETIRED")}
    # 13 B-B with the mandate bound (by `sign`), and 14 without binding
    copies["b-b-bound"] = sign(ws, conv, key("haarlem-burgemeester"), out("bb-bound"), level=PadesLevel.B_B).out
    expect["b-b-bound"] = {"ZVH_Handtekening_01": _expect("INDETERMINATE", "NO_SIGNATURE_TIMESTAMP")}
    copies["b-b-unbound"] = unchecked_signer(ws, conv, key("haarlem-burgemeester"), out("bb-unbound"),
                                             level=PadesLevel.B_B)
    expect["b-b-unbound"] = {"ZVH_Handtekening_01": _expect("INDETERMINATE", "NO_SIGNATURE_TIMESTAMP",
                                                            "MANDATE_ORDER_UNPROVEN")}
    # 15 a shared copy: Haarlem's valid signature, then Zandvoort's failing one
    shared_copy = sign(ws, conv, key("haarlem-burgemeester"), out("shared-1")).out
    copies["shared-copy"] = unchecked_signer(ws, shared_copy, key("zandvoort-burgemeester"), out("shared-2"))
    expect["shared-copy"] = {"ZVH_Handtekening_01": _expect("TOTAL-PASSED"),
                             "ZVH_Handtekening_02": _expect("TOTAL-FAILED", "MANDATE_MISSING")}
    # 16 the capacity text of another municipality
    copies["capacity-other-municipality"] = unchecked_signer(
        ws, conv, key("haarlem-burgemeester"), out("cap-zv"), mandate_sha256=main,
        capacity="namens het college van burgemeester en wethouders van Zandvoort")
    expect["capacity-other-municipality"] = {"ZVH_Handtekening_01": _expect("TOTAL-FAILED", "CAPACITY_MISMATCH")}
    return Matrix(ws, root, copies, expect, key)


def _cli(ws, *args) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["-w", str(ws.root), *map(str, args)])
    return r.exit_code, r.stdout


def _from_verify(doc) -> dict:
    out = {}
    for f in doc["files"]:
        file_codes = [x["code"] for x in f["findings"] if x["level"] != "INFO"]
        for s in f["signatures"]:
            if s["kind"] == "signature":
                codes = file_codes + [x["code"] for x in s["findings"] if x["level"] != "INFO"]
                out[(f["sha256"], s["field"])] = (s["indication"], tuple(sorted(set(codes))), s["signed_by"])
    return out


def _from_status(doc) -> dict:
    return {
        (s["copy_sha256"], s["field"]): (s["indication"], tuple(sorted(set(s["codes"]))))
        for p in doc["partners"] for cell in p["documents"].values() for s in cell["signatures"]
    }


def _from_report(doc) -> dict:
    sha = {f["file"]: f["sha256"] for f in doc["files"]}
    file_codes = {f["file"]: [x["code"] for x in f["findings"]] for f in doc["files"]}
    out = {}
    for s in doc["signatures"]:
        if s["kind"] == "ondertekening partner":
            indication = s["verdict"].split("(")[-1].rstrip(")")
            codes = file_codes[s["file"]] + [x["code"] for x in s["findings"]]
            out[(sha[s["file"]], s["field"])] = (indication, tuple(sorted(set(codes))), s["organisation"], s["capacity"])
    return out


def _judge_everywhere(m: Matrix) -> tuple[dict, dict, dict]:
    files = sorted(m.copies.values())
    code, text = _cli(m.ws, "verify", "--json", "--record", *files)
    assert code == 1, text  # scenarios with findings
    verified = _from_verify(json.loads(text))
    code, text = _cli(m.ws, "status", "--json")
    status = _from_status(json.loads(text))
    report_file = m.root / f"report-{len(list(m.root.glob('report-*.json')))}.json"
    code, text = _cli(m.ws, "report", "--format", "json", "-o", report_file, *files)
    assert code == 0, text
    reported = _from_report(json.loads(report_file.read_text(encoding="utf-8")))
    return verified, status, reported


def _assert_one_verdict(verified, status, reported, m: Matrix):
    assert set(reported) == set(verified)
    for key, (indication, codes, who) in verified.items():
        assert reported[key][:2] == (indication, codes), (key, reported[key], verified[key])
        if who is not None:  # status shows every attributed signature, with the same verdict
            assert status[key] == (indication, codes), (key, status[key], verified[key])
            assert reported[key][2] == who["partner_name"] and reported[key][3].startswith(who["capacity"])
        else:
            assert key not in status
    assert set(status) <= set(verified)


def test_scenario_matrix_one_verdict_in_verify_status_and_report(matrix):
    assert len(matrix.copies) >= 15
    verified, status, reported = _judge_everywhere(matrix)
    by_copy = {Sha256.of_file(p).hex: name for name, p in matrix.copies.items()}
    for (sha, field), (indication, codes, _who) in verified.items():
        want_indication, want_codes = matrix.expect[by_copy[sha]][field]
        assert indication == want_indication, (by_copy[sha], field, indication, codes)
        assert want_codes <= set(codes), (by_copy[sha], field, codes)
        if want_indication == "TOTAL-PASSED":
            assert not codes
    _assert_one_verdict(verified, status, reported, matrix)
    # the status cells: Haarlem signed both, Zandvoort's only signatures fail, RvdK's protocol fails
    doc = json.loads(_cli(matrix.ws, "status", "--json")[1])
    cells = {p["partner"]: {d: c["state"] for d, c in p["documents"].items()} for p in doc["partners"]}
    assert cells["haarlem"] == {"convenant": "signed", "protocol": "signed"}
    assert cells["zandvoort"]["convenant"] == "invalid"
    assert cells["rvdk"] == {"convenant": "signed", "protocol": "invalid"}
    assert cells["politie"] == {"convenant": "signed", "protocol": "invalid"}
    mandate = next(p for p in doc["partners"] if p["partner"] == "haarlem")["mandate"]
    assert mandate["state"] == "registered"


def test_scenario_matrix_after_supersession_still_one_verdict(matrix, tmp_path):
    """A new approved version of the covenant: every covenant signature now needs re-signing,
    and verify, status and report still agree."""
    stamped = tmp_path / "convenant-1.1-stamped.pdf"
    stamp(FIXTURES / "samenwerkingsconvenant-1.1.pdf", DocumentKind.CONVENANT, "1.1", stamped)
    approve(matrix.ws, stamped, matrix.key("secretariaat"), tmp_path / "convenant-1.1.pdf",
            decided_on=date(2026, 11, 20))
    with pytest.raises(RefusedError, match="superseded"):
        sign(matrix.ws, matrix.root / "convenant-approved.pdf", matrix.key("ggz"), tmp_path / "refused.pdf")
    verified, status, reported = _judge_everywhere(matrix)
    _assert_one_verdict(verified, status, reported, matrix)
    doc = json.loads(_cli(matrix.ws, "status", "--json")[1])
    cells = {p["partner"]: p["documents"]["convenant"]["state"] for p in doc["partners"]}
    assert cells["om"] == cells["ggz"] == cells["haarlem"] == "needs re-signing"


def _per_file(batch) -> dict:
    return {
        f.path: (f.status, tuple((s.evidence.field_name, s.indication.value, tuple(sorted(s.blocking_codes())))
                                 for s in f.signatures))
        for f in batch.files
    }


def test_batch_independence(matrix):
    """A file's verdict does not depend on which other files share the command."""
    names = ["om-covenant", "om-protocol", "politie-protocol-first", "politie-covenant", "shared-copy",
             "mandate-one-signature", "rvdk-covenant", "retired-signatory"]
    files = [matrix.copies[n] for n in names]
    verify(matrix.ws, files, record=True)  # covenant participation comes from the registry
    alone = {}
    for f in files:
        alone.update(_per_file(verify(matrix.ws, [f])))
    together = _per_file(verify(matrix.ws, files))
    backwards = _per_file(verify(matrix.ws, files[::-1]))
    pairs = {}
    for i in range(0, len(files), 2):
        pairs.update(_per_file(verify(matrix.ws, [files[i + 1], files[i]])))
    assert alone == together == backwards == pairs


def test_each_file_is_read_and_parsed_once_per_verify(matrix, monkeypatch):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from zvhsign.services import pipeline

    reads, parses = [], []
    real_read, real_init = pipeline.read_copy, PdfFileReader.__init__

    def counting_read(path):
        reads.append(str(path))
        return real_read(path)

    def counting_init(self, stream, *a, **kw):
        parses.append(len(stream.getbuffer()) if hasattr(stream, "getbuffer") else None)
        real_init(self, stream, *a, **kw)

    monkeypatch.setattr(pipeline, "read_copy", counting_read)  # (large files: mapped)
    monkeypatch.setattr(PdfFileReader, "__init__", counting_init)
    files = [matrix.copies[n] for n in ("om-covenant", "haarlem-protocol", "shared-copy", "b-b-unbound")]
    batch = verify(matrix.ws, files)
    assert len(batch.files) == 4
    assert sorted(reads) == sorted(map(str, files))  # each file read once
    assert len(parses) == len(files)  # and parsed by pyHanko once (the mandate binding included)
