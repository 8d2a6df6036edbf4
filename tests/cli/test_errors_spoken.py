"""An error a partner signatory meets is said in the language of the command that raised
it: ``zvhsign sign`` in a Dutch workspace says ``zvhsign: fout: ...`` and ``  tip: ...``,
the message and hint translated where they have a translation -- also the texts raised
below ``i18n`` (pdf/keys.py: a wrong passphrase, a PEM file given as --key, a wrong PIN),
which carry their English msgids to the CLI. ``[display] lang = "en"`` or
``ZVHSIGN_LANG=en`` gives exactly today's English, and commands that speak English
(approve, verify) keep it in a Dutch workspace. Real workspaces on the test PKI, real
keys, a real SoftHSM2 token, the real CLI (and once a real process); nothing is mocked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_workspace
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"
OM = P12 / "om.p12"
REPO = Path(__file__).resolve().parents[2]
WRONG = "niet-het-wachtwoord-4711"

NL_WRONG_PASSPHRASE = (
    f"zvhsign: fout: kan {OM} niet openen: verkeerd wachtwoord\n"
    "  tip: controleer het wachtwoord (ingetypt bij de vraag, uit --passphrase-file of uit ZVHSIGN_PASSPHRASE)\n"
)
# what zvhsign said before errors were spoken (and still says in English)
EN_WRONG_PASSPHRASE = (
    f"zvhsign: error: can't open {OM}: wrong passphrase\n"
    "  hint: check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)\n"
)


def _sign(ws_root: Path, inp: Path, out: Path, *args: str, lang: str | None = None, env: dict | None = None):
    """``zvhsign sign`` in-process; ``lang`` is $ZVHSIGN_LANG (None: the workspace's language)."""
    r = CliRunner().invoke(
        cli, ["-w", str(ws_root), "sign", str(inp), "-o", str(out), "--yes", *args],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": lang, **(env or {})},
    )
    assert "Traceback" not in r.output and not out.exists(), r.output
    return r


def _no_english_words(stderr: str) -> None:
    assert "error:" not in stderr and "hint:" not in stderr, stderr


def _english_workspace(approved, tmp_path: Path) -> Path:
    """A private copy of the approved workspace with ``[display] lang = "en"``."""
    import tomlkit

    root = tmp_path / "ws-en"
    copy_workspace(approved.ws.root, root)
    cfg = root / "zvhsign.toml"
    doc = tomlkit.parse(cfg.read_text(encoding="utf-8"))
    doc.setdefault("display", tomlkit.table())["lang"] = "en"
    cfg.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return root


@pytest.fixture()
def stamped(tmp_path) -> Path:
    """A stamped, never approved copy of the covenant (what `sign` must refuse)."""
    from zvhsign.domain.documents import DocumentKind
    from zvhsign.services.operations import stamp

    out = tmp_path / "convenant-gestempeld.pdf"
    stamp(REPO / "fixtures" / "samenwerkingsconvenant-1.1.pdf", DocumentKind.CONVENANT, "1.1", out)
    return out


# ----------------------------------------------------------------- a wrong passphrase


def test_a_wrong_passphrase_is_said_in_dutch(approved, tmp_path):
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(OM),
              env={"ZVHSIGN_PASSPHRASE": WRONG})
    assert r.exit_code == 3, r.output
    assert r.stderr == NL_WRONG_PASSPHRASE
    _no_english_words(r.stderr)
    assert "wrong passphrase" not in r.output and WRONG not in r.output


def test_a_wrong_passphrase_is_said_in_dutch_by_the_zvhsign_process(approved, tmp_path):
    """The command as a mayor types it: a separate process, its own stderr."""
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]
    env = {**os.environ, "ZVHSIGN_PASSPHRASE": WRONG}
    env.pop("ZVHSIGN_LANG", None)
    out = tmp_path / "getekend.pdf"
    p = subprocess.run([*argv, "-w", str(approved.ws.root), "sign", str(approved.convenant), "-k", str(OM),
                        "-y", "-o", str(out)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 3, p.stderr
    assert p.stderr == NL_WRONG_PASSPHRASE
    assert WRONG not in p.stdout + p.stderr and not out.exists()


def test_a_wrong_passphrase_reads_as_before_with_zvhsign_lang_en(approved, tmp_path):
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "signed.pdf", "--key", str(OM),
              lang="en", env={"ZVHSIGN_PASSPHRASE": WRONG})
    assert r.exit_code == 3, r.output
    assert r.stderr == EN_WRONG_PASSPHRASE


def test_a_wrong_passphrase_reads_as_before_in_an_english_workspace(approved, tmp_path):
    root = _english_workspace(approved, tmp_path)
    r = _sign(root, approved.convenant, tmp_path / "signed.pdf", "--key", str(OM), env={"ZVHSIGN_PASSPHRASE": WRONG})
    assert r.exit_code == 3, r.output
    assert r.stderr == EN_WRONG_PASSPHRASE


# --------------------------------------------------- other key and output errors


def test_a_certificate_given_as_key_is_said_in_dutch_with_its_kind(approved, tmp_path):
    """The message's parameter (what the file is) is itself translated."""
    cert = P12 / "om.cert.pem"
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(cert))
    assert r.exit_code == 3, r.output
    assert r.stderr == (
        f"zvhsign: fout: {cert} is een PEM-certificaat, geen PKCS#12-bestand (.p12/.pfx) zoals --key verwacht\n"
        "  tip: gebruik voor PEM-bestanden --pem-key SLEUTEL.pem --pem-cert CERT.pem (en --pem-chain)\n"
    )
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "signed.pdf", "--key", str(cert), lang="en")
    assert r.stderr == (
        f"zvhsign: error: {cert} is a PEM certificate, not a PKCS#12 file (.p12/.pfx) as --key expects\n"
        "  hint: for PEM files use --pem-key KEY.pem --pem-cert CERT.pem (and --pem-chain)\n"
    )


def test_a_missing_output_directory_is_said_in_dutch(approved, tmp_path):
    missing = tmp_path / "bestaat-niet"
    r = _sign(approved.ws.root, approved.convenant, missing / "getekend.pdf", "--key", str(OM))
    assert r.exit_code == 2, r.output
    assert r.stderr == f"zvhsign: fout: de map {missing}, waarin het resultaat moet komen, bestaat niet\n"
    r = _sign(approved.ws.root, approved.convenant, missing / "signed.pdf", "--key", str(OM), lang="en")
    assert r.exit_code == 2, r.output
    assert r.stderr == f"zvhsign: error: the output directory {missing} does not exist\n"


def test_a_wrong_pin_is_said_in_dutch(approved, softhsm_token, tmp_path):
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf",
              "--pkcs11-module", str(softhsm_token.module), "--token-label", softhsm_token.label,
              "--key-label", softhsm_token.key_label, env={"ZVHSIGN_PIN": "wrong-pin-2222"})
    assert r.exit_code == 3, r.output
    assert r.stderr.startswith(f"zvhsign: fout: de pincode van token {softhsm_token.label!r} is onjuist\n"
                               "  tip: controleer de pincode "), r.stderr
    _no_english_words(r.stderr)
    assert "wrong-pin-2222" not in r.output


# ------------------------------------ the copy, the output and the key files of sign


def _said(lang: str | None, nl: str, en: str) -> str:
    """What ``zvhsign sign`` prints: Dutch in the (Dutch) workspace, today's English with
    ZVHSIGN_LANG=en."""
    return nl if lang is None else en


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_missing_copy_is_said_in_dutch(approved, tmp_path, lang):
    missing = tmp_path / "weg.pdf"
    r = _sign(approved.ws.root, missing, tmp_path / "getekend.pdf", "--key", str(OM), lang=lang)
    assert r.exit_code == 3, r.output
    assert r.stderr == _said(lang, f"zvhsign: fout: {missing}: dit bestand bestaat niet\n",
                             f"zvhsign: error: {missing}: no such file\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_key_file_that_does_not_exist_is_said_in_dutch(approved, tmp_path, lang):
    nope = tmp_path / "mijn-sleutel.p12"
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(nope), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(lang, f"zvhsign: fout: het sleutel- of certificaatbestand {nope} bestaat niet\n",
                             f"zvhsign: error: key or certificate file {nope} does not exist\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_missing_passphrase_file_is_said_in_dutch_reason_and_all(approved, tmp_path, lang):
    pw = tmp_path / "wachtwoord.txt"
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(OM),
              "--passphrase-file", str(pw), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, f"zvhsign: fout: kan het wachtwoordbestand {pw} niet lezen: het bestand bestaat niet\n",
        f"zvhsign: error: can't read the passphrase file {pw}: No such file or directory\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_passphrase_file_that_is_not_utf8_is_said_in_dutch_with_its_hint(approved, tmp_path, lang):
    pw = tmp_path / "wachtwoord.txt"
    pw.write_bytes("g\u00e9heim".encode("latin-1") + b"\n")
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(OM),
              "--passphrase-file", str(pw), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, f"zvhsign: fout: het wachtwoordbestand {pw} bevat geen UTF-8-tekst\n"
        "  tip: sla het wachtwoord op als UTF-8-tekst (op één regel)\n",
        f"zvhsign: error: the passphrase file {pw} is not UTF-8 text\n"
        "  hint: save the passphrase as UTF-8 text (one line)\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_missing_pin_file_is_said_in_dutch(approved, softhsm_token, tmp_path, lang):
    pin = tmp_path / "pincode.txt"
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf",
              "--pkcs11-module", str(softhsm_token.module), "--key-label", softhsm_token.key_label,
              "--pin-file", str(pin), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(lang, f"zvhsign: fout: kan het pincodebestand {pin} niet lezen: het bestand bestaat niet\n",
                             f"zvhsign: error: can't read the PIN file {pin}: No such file or directory\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_the_copy_as_its_own_output_is_said_in_dutch_and_left_alone(approved, tmp_path, lang):
    copy = tmp_path / "convenant-1.0.pdf"
    shutil.copyfile(approved.convenant, copy)
    before = copy.read_bytes()
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(copy), "-o", str(copy), "--yes", "--key", str(OM)],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": lang},
    )
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, f"zvhsign: fout: het resultaat {copy} zou het oorspronkelijke bestand overschrijven; "
        "kies een andere naam of map voor het resultaat\n",
        f"zvhsign: error: the output {copy} is the input file; choose another output path\n")
    assert copy.read_bytes() == before and os.listdir(tmp_path) == [copy.name]


def test_verify_says_in_english_what_sign_says_in_dutch(approved, tmp_path, monkeypatch):
    """The same missing copy in the same Dutch workspace: sign speaks Dutch, verify (an
    English command) keeps its English table and JSON."""
    import json

    monkeypatch.chdir(tmp_path)
    r = _sign(approved.ws.root, Path("weg.pdf"), tmp_path / "getekend.pdf", "--key", str(OM))
    assert r.exit_code == 3 and r.stderr == "zvhsign: fout: weg.pdf: dit bestand bestaat niet\n", r.output
    v = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--offline", "--no-cache", "--json", "weg.pdf"],
                           env={"ZVHSIGN_LANG": None})
    assert v.exit_code == 3, v.output
    assert json.loads(v.stdout)["files"] == [{"path": "weg.pdf", "status": "ERROR", "error": "weg.pdf: no such file"}]
    assert "fout" not in v.output and "bestaat niet" not in v.output, v.output


@pytest.mark.parametrize("errno_, nothing_written, nl, en", [
    (28, True, "kan {out} niet opslaan: de schijf is vol; er is niets geschreven\n  tip: maak ruimte vrij "
               "op de schijf (of kies een andere map voor het resultaat) en geef de opdracht opnieuw",
     "can't write {out}: No space left on device; nothing was written\n  hint: free some space (or choose "
     "another output folder) and run the command again"),
    (13, False, "kan {out} niet opslaan: u hebt hier geen toegang toe\n  tip: kies voor het resultaat een map waarin u "
                "bestanden mag opslaan",
     "can't write {out}: Permission denied\n  hint: choose an output folder you can write to"),
])
def test_an_output_that_cant_be_written_is_said_in_dutch(tmp_path, errno_, nothing_written, nl, en):
    """A full disk or a folder one may not write to (hard to cause through the CLI): the
    error raised below i18n keeps its English text and is said in Dutch where it is tagged."""
    from zvhsign import i18n
    from zvhsign.cli.main import ZvhGroup
    from zvhsign.services.files import OutputError, _output_error

    out = tmp_path / "getekend.pdf"
    with pytest.raises(OutputError) as err, i18n.using("nl"):
        raise _output_error(out, OSError(errno_, os.strerror(errno_)), nothing_written=nothing_written)
    assert err.value.diagnostic() == en.format(out=out)
    assert ZvhGroup.error_line(err.value) == "zvhsign: fout: " + nl.format(out=out)


# ------------------------------------------------------------- the mandate commands


def _mandate(ws_root: Path, *args: str, lang: str | None = None):
    return CliRunner().invoke(cli, ["-w", str(ws_root), "mandate", *args], env={"ZVHSIGN_LANG": lang})


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_mandate_for_an_unknown_municipality_is_said_in_dutch(approved, tmp_path, lang):
    from datetime import date, timedelta

    out = tmp_path / "machtiging.pdf"
    r = _mandate(approved.ws.root, "draft", "--gemeente", "Nergens", "--burgemeester", "Willemijn Bosschaart",
                 "--date", (date.today() - timedelta(days=20)).isoformat(), "-o", str(out), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(lang, "zvhsign: fout: er is geen partner 'Nergens'\n"
                                   "  tip: registreer de gemeente met `zvhsign partner add`\n",
                             "zvhsign: error: no partner 'Nergens'\n"
                             "  hint: register the municipality with `zvhsign partner add`\n")
    assert not out.exists()


@pytest.mark.parametrize("lang", [None, "en"])
def test_an_unknown_covered_document_reads_as_the_domain_says_it_in_english(approved, tmp_path, lang):
    from zvhsign.domain.documents import DocumentKind

    with pytest.raises(ValueError) as told:
        DocumentKind.parse("notulen")
    r = _mandate(approved.ws.root, "draft", "--gemeente", "Haarlem", "--burgemeester", "Willemijn Bosschaart",
                 "--date", "2026-11-10", "--covers", "notulen:1.0", "-o", str(tmp_path / "m.pdf"), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(lang, "zvhsign: fout: --covers notulen:1.0: onbekend document 'notulen'; "
                                   "kies uit: convenant, protocol\n",
                             f"zvhsign: error: --covers notulen:1.0: {told.value}\n")


def test_mandate_sign_with_a_key_file_that_does_not_exist_is_said_in_dutch(approved, tmp_path):
    nope = tmp_path / "secretaris.p12"
    r = _mandate(approved.ws.root, "sign", str(tmp_path / "machtiging.pdf"), "--as", "secretaris",
                 "--key", str(nope), "-o", str(tmp_path / "machtiging-1.pdf"))
    assert r.exit_code == 2, r.output
    assert r.stderr == f"zvhsign: fout: het sleutel- of certificaatbestand {nope} bestaat niet\n"


# ------------------------------------------------------------------- a refusal


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_refused_copy_has_the_words_around_it_in_the_workspace_language(approved, stamped, tmp_path, lang):
    """The refusal itself was Dutch already; now "fout"/"tip" are too (English: as before)."""
    r = _sign(approved.ws.root, stamped, tmp_path / "getekend.pdf", "--key", str(OM), lang=lang)
    assert r.exit_code == 1, r.output
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    if lang is None:
        assert lines[0].startswith(f"zvhsign: fout: {stamped} is geen goedgekeurde versie"), r.stderr
        assert lines[1].startswith("  tip: vraag het secretariaat om het goedgekeurde exemplaar"), r.stderr
        _no_english_words(r.stderr)
    else:
        assert lines[0].startswith(f"zvhsign: error: {stamped} is not an approved version"), r.stderr
        assert lines[1].startswith("  hint: ask the secretariat for the approved copy"), r.stderr
        assert "fout:" not in r.stderr and "tip:" not in r.stderr


# ------------------------------------------------------ commands that speak English


def test_approve_keeps_its_english_error_in_a_dutch_workspace(approved, stamped, tmp_path):
    """The same English msgids raised outside `using` stay English, words and all."""
    key = P12 / "secretariaat.p12"
    out = tmp_path / "goedgekeurd.pdf"
    r = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "approve", str(stamped), "--key", str(key), "--decided-on", "2026-11-02",
              "-o", str(out)],
        env={"ZVHSIGN_PASSPHRASE": WRONG, "ZVHSIGN_LANG": None},
    )
    assert r.exit_code == 3, r.output
    assert r.stderr == (f"zvhsign: error: can't open {key}: wrong passphrase\n"
                        "  hint: check the passphrase (prompt, --passphrase-file or ZVHSIGN_PASSPHRASE)\n")
    assert not out.exists()


def test_verify_of_a_missing_file_keeps_its_english_output(approved, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: the table does not wrap it
    r = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--offline", "--no-cache", "weg.pdf"],
                           env={"ZVHSIGN_LANG": None})
    assert r.exit_code == 3, r.output
    assert "could not be read: weg.pdf: no such file" in r.stdout, r.stdout
    assert "0 of 1 file(s) verified, 1 could not be read" in r.stdout, r.stdout
    for dutch in ("fout", "tip:", "kan niet", "bestaat niet", "niet gelezen"):
        assert dutch not in r.output, (dutch, r.output)


# ------------------------------------------------------------------ the mechanism


def test_an_error_keeps_its_english_message_and_is_tagged_where_it_arose(tmp_path):
    from zvhsign import i18n
    from zvhsign.cli.main import ZvhGroup
    from zvhsign.domain.secrets import Secret
    from zvhsign.errors import SigningKeyError
    from zvhsign.pdf.keys import load_pkcs12

    with pytest.raises(SigningKeyError) as err, i18n.using("en"), i18n.using("nl"):
        load_pkcs12(OM, Secret(WRONG, source="test"))
    exc = err.value
    assert exc.lang == "nl"  # the inner block's language, not overwritten by the outer one
    assert exc.message == str(exc) == f"can't open {OM}: wrong passphrase"  # logs, JSON, callers
    assert exc.diagnostic() == EN_WRONG_PASSPHRASE.removeprefix("zvhsign: error: ").rstrip("\n")
    assert ZvhGroup.error_line(exc) + "\n" == NL_WRONG_PASSPHRASE
    exc.lang = None
    assert ZvhGroup.error_line(exc) + "\n" == EN_WRONG_PASSPHRASE
