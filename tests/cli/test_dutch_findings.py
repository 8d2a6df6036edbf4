"""`zvhsign sign` puts findings into Dutch words by default: the pre-flight and the refusal show
a finding's code with its meaning and hint from the Dutch finding catalogue, and the rule's
English message only as details where it adds facts; `ZVHSIGN_LANG=en` (or `[display] lang =
"en"`) gives the English messages as before. Real workspaces, real certificates of the test PKI
(a revoked and an untrusted signer), a real changed copy, the real CLI; nothing is mocked."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"

CASES = {
    "revoked-signer": ("SIGNER_REVOKED", "Het certificaat van de ondertekenaar is ingetrokken.",
                       "onderteken opnieuw met een geldig certificaat",
                       "The signer's certificate is revoked.", "sign again with a valid certificate"),
    "untrusted-signer": ("SIGNER_NOT_TRUSTED", "Het certificaat van de ondertekenaar is niet uitgegeven onder "
                         "een ingesteld vertrouwd basiscertificaat (trust root).",
                         "onderteken met een certificaat van een vertrouwde uitgever (CA), of voeg het "
                         "basiscertificaat toe onder [trust] roots",
                         "The signer's certificate does not chain to a configured trust root.",
                         "sign with a certificate from a trusted CA, or add its root under [trust] roots"),
}


@pytest.fixture(scope="module")
def approved(approved_workspace_factory, passphrase, tmp_path_factory):
    """A workspace of this module's own (the session's is shared with tests that sign in
    subprocesses), both documents approved."""
    return approved_workspace_factory(tmp_path_factory.mktemp("dutch-findings"), passphrase)


def _sign(ws_root, inp, tmp_path, label: str, lang: str | None, *extra: str):
    out = tmp_path / f"getekend-{label}-{lang}.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(ws_root), "sign", str(inp), "--key", str(P12 / f"{label}.p12"), "-o", str(out), *extra],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": lang},
    )
    assert not out.exists(), r.output
    return r


def _row(output: str, code: str) -> list[str]:
    """The pre-flight's line of ``code`` and the lines that continue it."""
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"!! {code} "))
    rest = [line for line in lines[at + 1:at + 3] if line.startswith("     ") and not line.lstrip().startswith("!!")]
    return [lines[at], *rest]


def _error(output: str, lang: str | None) -> str:
    """The one error line, its prefix in the language spoken (``fout``, English ``error``)."""
    prefix, other = ("zvhsign: error:", "zvhsign: fout:") if lang == "en" else ("zvhsign: fout:", "zvhsign: error:")
    errors = [line for line in output.splitlines() if line.startswith(prefix)]
    assert len(errors) == 1 and other not in output, output
    return errors[0]


@pytest.mark.parametrize("label", sorted(CASES))
def test_a_refused_signature_reads_dutch_by_default(approved, tmp_path, label):
    code, meaning, hint, english_meaning, english_hint = CASES[label]
    r = _sign(approved.ws.root, approved.convenant, tmp_path, label, None, "--dry-run")
    assert r.exit_code == 1, r.output
    row = _row(r.stdout, code)
    assert meaning in row[0], r.output
    # the rule's own message names facts the meaning lacks (the ETSI indication): shown, marked English
    assert len(row) == 2 and "details (in het Engels):" in row[1] and "ETSI" in row[1], r.output
    error = _error(r.output, None)
    assert f"niet ondertekend: verify zou deze handtekening afkeuren: {code}: {meaning}" in error
    assert "ETSI" not in error  # the pre-flight above shows the details; the refusal stays one plain line
    assert f"\n  tip: {hint}" in r.output and "hint:" not in r.output
    for english in (english_meaning, english_hint, "not signed", "verify would reject"):
        assert english not in r.output, (english, r.output)


@pytest.mark.parametrize("label", sorted(CASES))
def test_a_refused_signature_reads_english_with_lang_en(approved, tmp_path, label):
    code, meaning, hint, _english_meaning, english_hint = CASES[label]
    r = _sign(approved.ws.root, approved.convenant, tmp_path, label, "en", "--yes")
    assert r.exit_code == 1, r.output
    row = _row(r.stdout, code)
    assert len(row) == 1 and "ETSI" in row[0], r.output  # the rule's message, no details line
    error = _error(r.output, "en")
    message = row[0].split(code, 1)[1].strip()
    assert f"not signed: verify would reject this signature: {code}: {message}" in error
    assert f"\n  hint: {english_hint}" in r.output and "tip:" not in r.output
    for dutch in (meaning, hint, "details", "Controle vooraf"):
        assert dutch not in r.output, (dutch, r.output)


def _changed(approved_pdf: bytes) -> bytes:
    """The approved copy with a red box drawn on page 1 in an incremental update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(approved_pdf), strict=False)
    ref = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 72 600 450 60 re f Q\n"))
    writer.add_stream_to_page(0, ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_changed_copy_is_refused_in_the_workspace_language(approved, tmp_path, lang):
    """A copy changed after approval never reaches the pre-flight: the one refusal line names
    the finding in Dutch, the rule's facts (which page) in brackets; in English as before."""
    from zvhsign.domain.catalogue import CONTENT_CHANGED_AFTER_APPROVAL as CHANGED

    copy = tmp_path / "convenant-gewijzigd.pdf"
    copy.write_bytes(_changed(approved.convenant.read_bytes()))
    r = _sign(approved.ws.root, copy, tmp_path, "om", lang, "--yes")
    assert r.exit_code == 1, r.output
    error = _error(r.output, lang)
    assert f"{CHANGED.name}: " in error, error
    message = error.split(f"{CHANGED.name}: ", 1)[1]
    if lang is None:
        assert "is geen goedgekeurde versie waaraan alleen handtekeningen zijn" in error, error
        assert message.startswith("Na de goedkeuring is de inhoud van een pagina gewijzigd."), error
        assert "(details, in het Engels: " in message and "page" in message, error
        assert CHANGED.meaning not in r.output
    else:
        assert "only signatures added" in error and "details" not in error, error
        assert "page" in message and "Na de goedkeuring" not in r.output
