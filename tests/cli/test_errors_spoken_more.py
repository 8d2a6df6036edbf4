"""More errors a signatory meets, said in the workspace's language (continues
``test_errors_spoken.py``, whose helpers it uses): the registry's mandate errors met
through ``zvhsign mandate revoke`` (a bad or unknown SHA-256, a prefix that matches two
mandates, a revocation made twice or corrected when there is none), a file that is not a
mandate given to ``mandate sign``, and the system's reason inside a message ("Not a
directory", "No space left on device"...): ``errors.os_reason`` marks the common ones, said
in Dutch, while English stays exactly what Python says. Real workspaces and registries, the
real CLI; the mandates of the revocation cases are put in the registry directly (their
signatures are not what is tested here)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from datetime import date

import pytest

from tests.conftest import copy_workspace

from tests.cli.test_errors_spoken import OM, _mandate, _no_english_words, _said, _sign
from zvhsign.cli.main import ZvhGroup

# ------------------------------------------------------------ mandate revoke: the SHA-256


@pytest.mark.parametrize("lang", [None, "en"])
def test_revoking_an_unknown_mandate_is_said_in_dutch(approved, lang):
    r = _mandate(approved.ws.root, "revoke", "0" * 12, "--date", "2027-01-01", "--reason", "B&W-besluit", lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, "zvhsign: fout: er is geen geregistreerde machtiging met SHA-256 000000000000…\n"
        "  tip: `zvhsign partner show GEMEENTE` toont de machtigingen van de gemeente\n",
        "zvhsign: error: no registered mandate with SHA-256 000000000000…\n"
        "  hint: `zvhsign partner show MUNICIPALITY` lists its mandates\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_sha256_that_is_not_one_is_said_in_dutch(approved, lang):
    r = _mandate(approved.ws.root, "revoke", "3f9a-1c0e", "--date", "2027-01-01", "--reason", "x", lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, "zvhsign: fout: '3f9a-1c0e' is geen SHA-256 van een machtiging (of het begin ervan, "
        "van minstens 8 hexadecimale tekens)\n",
        "zvhsign: error: '3f9a-1c0e' is not a mandate SHA-256 (or a prefix of 8+ hex digits)\n")


def _twins() -> tuple[bytes, bytes, str]:
    """Two different 'PDFs' whose SHA-256 start with the same 8 hex digits (a birthday
    search: some tens of thousands of hashes), and that prefix."""
    seen: dict[str, bytes] = {}
    i = 0
    while True:
        data = b"%PDF-1.7\n% not a real mandate " + str(i).encode() + b"\n%%EOF\n"
        prefix = hashlib.sha256(data).hexdigest()[:8]
        if prefix in seen:
            return seen[prefix], data, prefix
        seen[prefix] = data
        i += 1


@pytest.fixture(scope="module")
def mandates(approved, tmp_path_factory):
    """A private copy of the approved workspace with the test PKI's partners and two
    registered mandates of Zandvoort whose SHA-256 share their first 8 hex digits."""
    from zvhsign.domain.digests import Sha256
    from zvhsign.domain.mandates import Mandate, MandateTerms
    from zvhsign.services import governance as gov
    from zvhsign.services.registry_access import open_registry
    from zvhsign.services.workspace import load_workspace
    from zvhsign.testpki import certs_dir

    tmp = tmp_path_factory.mktemp("mandates")
    root = tmp / "ws"
    copy_workspace(approved.ws.root, root)
    ws = load_workspace(root)
    gov.write_test_pki_partners(tmp / "partners.toml", certs_dir() / "out")
    gov.import_partners(ws, tmp / "partners.toml")
    a, b, prefix = _twins()
    terms = MandateTerms(municipality="Zandvoort", mayor="Ineke Zwaanswijk", decision_date=date(2026, 11, 10),
                         covers=())
    store = open_registry(ws).governance
    made = [Mandate(sha256=Sha256.of(pdf), partner_key="zandvoort", terms=terms, signatures=()) for pdf in (a, b)]
    for m, pdf in zip(made, (a, b)):
        store.add_mandate(m, pdf, actor="test")
    return root, prefix, made, (a, b)


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_prefix_of_two_mandates_is_said_in_dutch(mandates, lang):
    root, prefix, _made, _pdfs = mandates
    r = _mandate(root, "revoke", prefix, "--date", "2027-01-01", "--reason", "x", lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(lang, f"zvhsign: fout: {prefix}… past bij 2 machtigingen; geef meer cijfers\n",
                             f"zvhsign: error: {prefix}… matches 2 mandates; give more digits\n")


def test_revoking_twice_and_correcting_nothing_are_said_in_dutch(mandates):
    root, _prefix, (first, second), _pdfs = mandates
    r = _mandate(root, "revoke", first.sha256.hex, "--date", "2027-01-01", "--reason", "B&W-besluit 2026-12-20")
    assert r.exit_code == 0, r.output
    r = _mandate(root, "revoke", first.sha256.hex, "--date", "2027-02-01", "--reason", "nog eens")
    assert r.exit_code == 1, r.output
    lines = r.stderr.splitlines()
    # the moment in Dutch local time with its zone, not ISO in UTC
    assert lines[0] == f"zvhsign: fout: machtiging {first.sha256.short} was al ingetrokken per 2027-01-01 00:00 CET", r.stderr
    assert lines[1:] == ["  tip: gebruik `zvhsign mandate revoke --correct` om die registratie te verbeteren"], r.stderr
    r = _mandate(root, "revoke", first.sha256.hex, "--date", "2027-02-01", "--reason", "again", lang="en")
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith(f"zvhsign: error: mandate {first.sha256.short} was already revoked with effect from "
                               "2027-01-01 00:00 CET\n"), r.stderr
    assert r.stderr.endswith("\n  hint: to change that record, use `zvhsign mandate revoke --correct`\n"), r.stderr
    r = _mandate(root, "revoke", second.sha256.hex, "--correct", "--reason", "vergissing")
    assert r.exit_code == 1, r.output
    assert r.stderr == (f"zvhsign: fout: machtiging {second.sha256.short} is niet ingetrokken; "
                        "er is niets te verbeteren\n")
    _no_english_words(r.stderr)


def test_a_mandate_registered_twice_is_said_in_dutch(mandates):
    """``mandate register`` of a mandate the registry holds (the registry's own check)."""
    from zvhsign import i18n
    from zvhsign.registry import DuplicateError
    from zvhsign.services.registry_access import open_registry
    from zvhsign.services.workspace import load_workspace

    root, _prefix, (first, _second), (pdf, _b) = mandates
    store = open_registry(load_workspace(root)).governance
    with pytest.raises(DuplicateError) as err, i18n.using("nl"):
        store.add_mandate(first, pdf, actor="test")
    assert err.value.message == f"mandate {first.sha256.short} is already registered"
    assert ZvhGroup.error_line(err.value) == f"zvhsign: fout: machtiging {first.sha256.short} is al geregistreerd"


# ----------------------------------------------------- a file that is not a mandate


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_pdf_that_is_not_a_mandate_is_said_in_dutch_by_mandate_sign(approved, tmp_path, lang):
    out = tmp_path / "machtiging-1.pdf"
    r = _mandate(approved.ws.root, "sign", str(approved.convenant), "--as", "secretaris", "--key", str(OM),
                 "-o", str(out), lang=lang)
    assert r.exit_code == 3, r.output
    assert r.stderr == _said(
        lang, "zvhsign: fout: dit is geen machtigingsbesluit gemaakt met `zvhsign mandate draft` "
        "(de metadata /ZVHMandate ontbreekt)\n",
        "zvhsign: error: not a machtigingsbesluit made by `zvhsign mandate draft` (no /ZVHMandate metadata)\n")
    assert not out.exists()


def test_a_mandate_whose_metadata_is_broken_is_said_in_dutch(approved, tmp_path):
    import pikepdf

    from zvhsign.pdf.mandate import INFO_KEY

    broken = tmp_path / "machtiging.pdf"
    with pikepdf.open(approved.convenant) as pdf:
        pdf.docinfo[pikepdf.Name(INFO_KEY)] = "{niet: json"
        pdf.save(broken)
    r = _mandate(approved.ws.root, "sign", str(broken), "--as", "secretaris", "--key", str(OM),
                 "-o", str(tmp_path / "machtiging-1.pdf"))
    assert r.exit_code == 3, r.output
    assert r.stderr.startswith("zvhsign: fout: de metadata van de machtiging zijn niet te lezen: Expecting "), r.stderr


# ------------------------------------------------------------- the system's reasons

_REASONS_NL = {
    errno.ENOENT: "het bestand bestaat niet",
    errno.EACCES: "u hebt hier geen toegang toe",
    errno.EPERM: "dit is niet toegestaan",
    errno.EISDIR: "dit is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "uw opslagquotum is op",
    errno.EFBIG: "het bestand is te groot",
    errno.EROFS: "deze schijf is alleen-lezen",
}


@pytest.mark.parametrize("code", sorted(_REASONS_NL), ids=errno.errorcode.get)
def test_os_reason_marks_what_python_says_and_it_is_said_in_dutch(code):
    from zvhsign import i18n
    from zvhsign.errors import Msgid, os_reason

    reason = os_reason(OSError(code, os.strerror(code), "x"))
    assert isinstance(reason, Msgid) and reason == os.strerror(code)  # the English text: Python's own
    assert i18n.translation("nl").gettext(reason) == _REASONS_NL[code]


def test_os_reason_keeps_other_words_as_they_are():
    from zvhsign.errors import Msgid, os_reason

    other = os_reason(OSError(errno.EIO, os.strerror(errno.EIO)))
    assert other == os.strerror(errno.EIO) and not isinstance(other, Msgid)
    own = os_reason(OSError(errno.EPERM, "the finished file could not be given a name"))  # files.py's own
    assert own == "the finished file could not be given a name" and not isinstance(own, Msgid)
    assert os_reason(OSError("no errno")) == "OSError"


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_passphrase_file_below_a_file_is_said_in_dutch_reason_and_all(approved, tmp_path, lang):
    """ENOTDIR (a file where a folder should be) reaches zvhsign as root too."""
    pw = tmp_path / "notities.txt" / "wachtwoord.txt"
    pw.parent.write_text("geen map\n")
    r = _sign(approved.ws.root, approved.convenant, tmp_path / "getekend.pdf", "--key", str(OM),
              "--passphrase-file", str(pw), lang=lang)
    assert r.exit_code == 2, r.output
    assert r.stderr == _said(
        lang, f"zvhsign: fout: kan het wachtwoordbestand {pw} niet lezen: een deel van het pad is geen map\n",
        f"zvhsign: error: can't read the passphrase file {pw}: Not a directory\n")


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_copy_below_a_file_is_said_in_dutch_reason_and_all(approved, tmp_path, lang):
    copy = tmp_path / "convenant.pdf" / "convenant.pdf"
    shutil.copyfile(approved.convenant, copy.parent)
    r = _sign(approved.ws.root, copy, tmp_path / "getekend.pdf", "--key", str(OM), lang=lang)
    assert r.exit_code == 3, r.output
    assert r.stderr == _said(lang, f"zvhsign: fout: {copy}: kan het bestand niet lezen: een deel van het pad is geen map\n",
                             f"zvhsign: error: {copy}: can't read: Not a directory\n")


def test_a_key_file_that_is_a_folder_is_said_in_dutch(tmp_path):
    """pdf/keys.py, below i18n: the reason travels as a marked parameter."""
    from zvhsign import i18n
    from zvhsign.domain.secrets import Secret
    from zvhsign.errors import SigningKeyError
    from zvhsign.pdf.keys import load_pkcs12

    with pytest.raises(SigningKeyError) as err, i18n.using("nl"):
        load_pkcs12(tmp_path, Secret("x", source="test"))
    assert err.value.message == f"can't read key file {tmp_path}: Is a directory"
    assert ZvhGroup.error_line(err.value) == f"zvhsign: fout: kan het sleutelbestand {tmp_path} niet lezen: " \
                                             "dit is een map, geen bestand"


@pytest.mark.parametrize("code, nl, en", [
    (errno.EROFS, "deze schijf is alleen-lezen", "Read-only file system"),
    (errno.EDQUOT, "uw opslagquotum is op", "Disk quota exceeded"),
])
def test_an_output_on_a_read_only_or_full_quota_disk_is_said_in_dutch(tmp_path, code, nl, en):
    from zvhsign import i18n
    from zvhsign.services.files import OutputError, _output_error

    out = tmp_path / "getekend.pdf"
    with pytest.raises(OutputError) as err, i18n.using("nl"):
        raise _output_error(out, OSError(code, os.strerror(code)))
    assert err.value.message == f"can't write {out}: {en}; nothing was written"
    assert ZvhGroup.error_line(err.value).startswith(f"zvhsign: fout: kan {out} niet opslaan: {nl}; "
                                                     "er is niets geschreven\n  tip: ")


NL_NO_WORKSPACE = (
    "zvhsign: fout: hier is geen zvhsign-werkmap\n"
    "  tip: ga naar de zvhsign-werkmap (de map met zvhsign.toml, bijvoorbeeld die van uw ondertekenpakket), "
    "of geef die map op met --workspace MAP of in ZVHSIGN_WORKSPACE\n"
)
EN_NO_WORKSPACE = (
    "zvhsign: error: no zvhsign workspace here\n"
    "  hint: run `zvhsign init DIR`, cd into a workspace, or pass --workspace / set ZVHSIGN_WORKSPACE\n"
)


@pytest.mark.parametrize("argv, lang, expected", [
    (["sign", "convenant.pdf", "-k", "om.p12", "-y", "-o", "getekend.pdf"], None, NL_NO_WORKSPACE),
    (["sign", "convenant.pdf", "-k", "om.p12", "-y", "-o", "getekend.pdf"], "en", EN_NO_WORKSPACE),
    (["mandate", "revoke", "abcdef12", "--reason", "besluit", "--date", "2026-12-01"], None, NL_NO_WORKSPACE),
    (["verify", "convenant.pdf"], None, EN_NO_WORKSPACE),  # an English command stays English
])
def test_no_workspace_is_said_in_the_language_known_without_it(tmp_path, argv, lang, expected):
    """A signatory who runs `zvhsign sign` outside the folder of their kit: the workspace's
    language is not known yet, so the error is said in $ZVHSIGN_LANG, else Dutch."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("ZVHSIGN_LANG", "ZVHSIGN_WORKSPACE")}
    if lang:
        env["ZVHSIGN_LANG"] = lang
    p = subprocess.run([sys.executable, "-c", "import sys; from zvhsign.cli import main; sys.argv[0] = 'zvhsign'; "
                        "sys.exit(main())", *argv], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120, check=False)
    assert p.returncode == 2, p.stderr
    assert p.stderr == expected
