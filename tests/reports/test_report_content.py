"""The audit report: every partner, every signature and the Archiefregeling art. 24 facts,
in JSON, HTML (autoescaped) and a PDF signed and timestamped by the secretariat."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import copy_workspace

from zvhsign.domain.parties import Partner, Signatory
from zvhsign.reports import write_report
from zvhsign.reports.model import NOT_REGISTERED, build_report
from zvhsign.registry import Registry
from zvhsign.services.reporting import REPORT_FIELD, gather
from zvhsign.services.signing import sign

from zvhsign.domain.documents import DocumentKind
from zvhsign.services.keys import KeySource
from zvhsign.services.operations import approve, stamp
from zvhsign.services.setup import init_test_workspace
from zvhsign.testpki import certs_dir

REPO = Path(__file__).resolve().parents[2]
CERTS = certs_dir() / "out"

RESPONSIBLE = "Jan de Vries <privacy@zvh.example>"
SIGNERS = [  # (p12 label, document, CN, organisation)
    ("om", "convenant", "Saskia Terpstra", "Openbaar Ministerie"),
    ("politie", "protocol", "Erik Hoogland", "Politie Eenheid Noord-Holland"),
    ("haarlem-burgemeester", "convenant", "Willemijn Bosschaart", "Gemeente Haarlem"),
]


@pytest.fixture(scope="module")
def story(tmp_path_factory, passphrase):  # noqa: ANN001, ANN201
    """An own workspace: both documents approved, three partner signatures, then facts
    gathered before and after partners are registered."""
    root = tmp_path_factory.mktemp("report")
    ws = init_test_workspace(root / "ws")

    def key(label: str) -> KeySource:
        return KeySource(pkcs12=CERTS / f"{label}.p12", passphrase=passphrase)

    approved, versions = {}, {}
    for doc, name in (("convenant", "samenwerkingsconvenant-1.0.pdf"), ("protocol", "privacyprotocol-1.0.pdf")):
        stamped = root / f"{doc}-stamped.pdf"
        stamp(REPO / "fixtures" / name, DocumentKind(doc), "1.0", stamped)
        approved[doc] = root / f"{doc}-approved.pdf"
        versions[doc] = approve(ws, stamped, key("secretariaat"), approved[doc], decided_on=date(2026, 11, 2))
    files = []
    for label, doc, _cn, _org in SIGNERS:
        out = root / f"{doc}-{label}.pdf"
        sign(ws, approved[doc], key(label), out)
        files.append(out)
    a = SimpleNamespace(ws=ws, versions=versions)
    before = gather(a.ws, files, responsible=RESPONSIBLE)
    with Registry.open(a.ws.config.database_url) as reg:
        gov = reg.governance
        gov.add_partner(Partner("haarlem", "Gemeente Haarlem", "gemeente", kvk="90000022"), actor="t")
        gov.add_partner(Partner("om", "Openbaar Ministerie", "om"), actor="t")
        gov.add_partner(Partner("velsen", "Gemeente Velsen", "gemeente"), actor="t")
        from zvhsign.pdf.certinfo import certificate_info
        from pyhanko.keys import load_cert_from_pemder

        fp = certificate_info(load_cert_from_pemder(str(CERTS / "om.cert.pem"))).fingerprint_sha256
        gov.add_signatory(Signatory("om", "Saskia Terpstra", "hoofdofficier van justitie", (fp,)), actor="t")
    after = gather(a.ws, files, responsible=RESPONSIBLE)
    return a, files, before, after


def test_json_has_every_signature_and_the_art24_facts(story) -> None:  # noqa: ANN001
    a, files, before, _ = story
    r = build_report(before).to_json()
    assert r["schema"] == "zvhsign.report/1"
    assert r["responsible"] == RESPONSIBLE
    partner_sigs = [s for s in r["signatures"] if s["kind"] == "ondertekening partner"]
    assert sorted(s["signatory"] for s in partner_sigs) == sorted(cn for _l, _d, cn, _o in SIGNERS)
    approvals = [s for s in r["signatures"] if s["kind"].startswith("goedkeuring")]
    assert sorted(s["document"] for s in approvals) == ["convenant 1.0", "protocol 1.0"]  # once per version
    for s in r["signatures"]:
        assert s["ok"] and s["verdict"] == "geldig (TOTAL-PASSED)"
        assert s["time_source"].startswith("tijdstempel van de TSA")
        assert "Time Stamping Authority" in s["tsa"]
        assert s["pades_level"] in ("B-LTA", "B-LT")
        cert = s["certificate"]
        assert "ZVH Test Issuing CA" in cert["issuer"] and cert["serial"] and cert["valid_until"] == "2035-01-01"
        art = s["art24"]
        assert art["signature_holder"].startswith(s["signatory"])
        assert art["validation_moment"] == r["generated_at"]
        assert art["validation_result"] == s["verdict"]
        assert art["responsible_official"] == RESPONSIBLE
        assert cert["serial"] in art["certificate_identity"]
        assert cert["fingerprint_sha256"] in art["certificate_identity"]
    assert [f["status"] for f in r["files"]] == ["geverifieerd"] * len(files)
    assert {v["document"]: v["approved_sha256"] for v in r["versions"]} == {
        doc: av.approved_sha256.hex for doc, av in a.versions.items()
    }
    assert all(v["decided_on"] == "2026-11-02" for v in r["versions"])
    assert r["chain"]["intact"] is True and r["chain"]["events"] == 3


def test_without_governance_data_it_says_niet_geregistreerd(story) -> None:  # noqa: ANN001
    r = build_report(story[2]).to_json()
    assert r["partners_registered"] is False
    assert {p["name"] for p in r["partners"]} == {o for _l, _d, _c, o in SIGNERS}
    for p in r["partners"]:
        assert p["capacity"] == NOT_REGISTERED and p["mandate"] == NOT_REGISTERED
    assert "niet geregistreerd" in r["missing_note"]
    om = next(p for p in r["partners"] if p["name"] == "Openbaar Ministerie")
    assert om["signed"] == ["convenant 1.0"] and om["missing"] == ["protocol 1.0"]


def test_with_registered_partners_the_missing_ones_are_named(story) -> None:  # noqa: ANN001
    r = build_report(story[3]).to_json()
    assert r["partners_registered"] is True
    by = {p["name"]: p for p in r["partners"]}
    assert by["Openbaar Ministerie"]["signatory"] == "Saskia Terpstra"
    assert by["Openbaar Ministerie"]["role"] == "hoofdofficier van justitie"
    assert by["Openbaar Ministerie"]["mandate"].startswith("n.v.t.")
    assert by["Gemeente Haarlem"]["mandate"] == NOT_REGISTERED  # a municipality without a mandate
    assert by["Gemeente Velsen"]["signed"] == []
    assert by["Politie Eenheid Noord-Holland"]["registered"] is False
    assert "Gemeente Velsen: convenant 1.0, protocol 1.0" in r["missing_partners"]
    assert "Openbaar Ministerie: protocol 1.0" in r["missing_partners"]
    assert r["chain"]["events"] == 7  # init, 2 approvals, 3 partners, 1 signatory


def test_html_is_autoescaped_and_complete(story, tmp_path) -> None:  # noqa: ANN001
    a, _files, before, _ = story
    out = tmp_path / "rapport.html"
    write_report(a.ws, before, "html", out)
    html = out.read_text(encoding="utf-8")
    assert "Jan de Vries &lt;privacy@zvh.example&gt;" in html and "<privacy@" not in html
    for _l, _d, cn, org in SIGNERS:
        assert cn in html and org in html
    assert html.count("Archiefregeling art. 24</th>") == len(build_report(before).signatures)
    assert 'lang="nl"' in html


@pytest.fixture(scope="module")
def report_pdf(story, tmp_path_factory, passphrase) -> bytes:  # noqa: ANN001
    a, _files, _before, after = story
    out = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    write_report(a.ws, after, "pdf", out, key=KeySource(pkcs12=CERTS / "secretariaat.p12", passphrase=passphrase))
    return out.read_bytes()


def _validate(data: bytes):  # noqa: ANN202
    """pyHanko validation against the test root, offline: revocation data from the PDF's DSS."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(data))
    (sig,) = reader.embedded_signatures
    root = load_cert_from_pemder(str(CERTS / "zvh-root.cert.pem"))
    vc = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    status = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)
    return sig, status


def test_pdf_is_signed_and_timestamped_by_the_secretariat(report_pdf) -> None:  # noqa: ANN001
    from pyhanko.keys import load_cert_from_pemder

    sig, status = _validate(report_pdf)
    assert sig.field_name == REPORT_FIELD
    assert status.intact and status.valid and status.trusted and status.bottom_line
    secretariat = load_cert_from_pemder(str(CERTS / "secretariaat.cert.pem"))
    assert status.signing_cert.sha256 == secretariat.sha256
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    import pikepdf

    with pikepdf.open(io.BytesIO(report_pdf)) as pdf:  # PDF/A identification in the XMP metadata
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"


def test_altered_pdf_report_is_detected(report_pdf) -> None:  # noqa: ANN001
    import re

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(report_pdf))
    (sig,) = reader.embedded_signatures
    signed_end = sig.byte_range[0] + sig.byte_range[1]  # the first signed range
    # one byte inside the data of a stream in the signed range: the file still parses
    m = next(m for m in re.finditer(rb"stream\r?\n", report_pdf[:signed_end])
             if report_pdf.index(b"endstream", m.end()) - m.end() > 64)
    at = m.end() + 32
    tampered = bytearray(report_pdf)
    tampered[at] ^= 0x01
    _sig, status = _validate(bytes(tampered))
    assert status.intact is False and not status.bottom_line


@pytest.mark.requires_tool("pdftotext")
def test_pdf_text_holds_every_partner_and_art24(report_pdf, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for _l, _d, cn, org in SIGNERS:
        assert cn in text and org in text
    assert "Gemeente Velsen" in text and "Partners die nog ontbreken" in text
    assert text.count("Archiefregeling art. 24") >= 5 and "Verantwoordelijke" in text
    assert text.count("Jan de Vries") >= 5  # the responsible official, once per signature and on top


@pytest.mark.requires_tool("pdftoppm")
def test_pdf_renders_to_pages(report_pdf, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 30
    assert all(p.stat().st_size > 2000 for p in pages)


def _zvhsign_verify(ws, path):  # noqa: ANN001, ANN202
    from click.testing import CliRunner

    from zvhsign.cli import cli

    return CliRunner().invoke(cli, ["--workspace", str(ws.root), "verify", "--json", str(path)])


def test_zvhsign_verify_accepts_the_report_signed_by_the_secretariat(story, report_pdf, tmp_path) -> None:  # noqa: ANN001
    import json

    a, *_ = story
    path = tmp_path / "rapport.pdf"
    path.write_bytes(report_pdf)
    run = _zvhsign_verify(a.ws, path)
    assert run.exit_code == 0, run.output
    (f,) = json.loads(run.output)["files"]
    assert f["status"] == "VERIFIED"
    assert [x["code"] for x in f["findings"]] == ["AUDIT_REPORT"]
    assert [s["kind"] for s in f["signatures"] if s["kind"] != "document-timestamp"] == ["report"]


def test_zvhsign_verify_rejects_an_altered_report(story, report_pdf, tmp_path) -> None:  # noqa: ANN001
    from pyhanko.pdf_utils.reader import PdfFileReader

    a, *_ = story
    (sig,) = PdfFileReader(io.BytesIO(report_pdf)).embedded_signatures
    tampered = bytearray(report_pdf)
    pos = sig.byte_range[0] + 200
    tampered[pos] = ord("0") if tampered[pos] != ord("0") else ord("1")
    path = tmp_path / "rapport-gewijzigd.pdf"
    path.write_bytes(bytes(tampered))
    run = _zvhsign_verify(a.ws, path)
    assert run.exit_code in (1, 3), run.output
    assert '"VERIFIED"' not in run.output


def test_a_report_signed_by_someone_else_is_not_an_audit_report(story, report_pdf, tmp_path, passphrase) -> None:  # noqa: ANN001
    """The field name alone proves nothing: only the secretariat's signature makes a report."""
    import json
    import re

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec

    a, *_ = story
    unsigned = report_pdf[: re.search(rb"%%EOF\r?\n?", report_pdf).end()]  # the rendered report
    om = signers.SimpleSigner.load_pkcs12(str(CERTS / "om.p12"), passphrase=passphrase.reveal())
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=REPORT_FIELD),
        om,
        new_field_spec=SigFieldSpec(sig_field_name=REPORT_FIELD),
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(unsigned)), output=out)
    path = tmp_path / "rapport-door-om.pdf"
    path.write_bytes(out.getvalue())
    run = _zvhsign_verify(a.ws, path)
    assert run.exit_code == 1, run.output
    (f,) = json.loads(run.output)["files"]
    assert "REPORT_NOT_BY_SECRETARIAT" in [x["code"] for x in f["findings"]]


def test_the_trust_settings_the_verdicts_rest_on_are_shown(story, tmp_path) -> None:  # noqa: ANN001
    """Section 6 names the trust roots, secretariat certificates and TSA as logged, and
    every later change to them (none in this story; one after swapping the root file)."""
    import shutil

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from zvhsign.reports.render import render_html

    a, files, before, _ = story
    root_fp = x509.load_pem_x509_certificate((CERTS / "zvh-root.cert.pem").read_bytes()).fingerprint(
        hashes.SHA256()
    ).hex()
    t = build_report(before).to_json()["trust"]
    assert t["recorded"] and t["changes"] == []
    (root,) = t["trust_roots"]
    assert root.endswith(f"SHA-256 {root_fp}") and "ZVH Test Root CA" in root
    assert t["tsa_url"].endswith("/tsa/tsa") and len(t["secretariat"]) == 1

    # a copy of the workspace whose trust root file was swapped: the report says so
    ws2 = tmp_path / "ws"
    copy_workspace(a.ws.root, ws2)
    shutil.copyfile(CERTS / "rogue-root.cert.pem", ws2 / "trust" / "zvh-root.cert.pem")
    from zvhsign.services.workspace import load_workspace

    after = build_report(gather(load_workspace(ws2), files[:1], responsible=RESPONSIBLE))
    assert len(after.trust.changes) == 1 and "trust settings changed" in after.trust.changes[0]
    (swapped,) = after.trust.trust_roots
    assert "Rogue Test Root CA" in swapped and root_fp not in swapped
    html = render_html(after)
    assert "Vertrouwensinstellingen" in html and "trust settings changed" in html
