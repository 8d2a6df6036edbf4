"""``zvhsign verify``'s table for people (issue 12, item 1): it fits the terminal, wraps
instead of truncating, shows INDETERMINATE as its own state, honours NO_COLOR, and
closes with a summary naming every file that is not verified and why.

The verdicts are built directly from the domain dataclasses: this is the renderer's
test, not the pipeline's."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from zvhsign.cli.render import (
    ERROR,
    FAILED,
    INDETERMINATE,
    VERIFIED,
    file_state,
    render_batch_table,
    render_file,
)
from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import ApprovedVersion, DocumentKind
from zvhsign.domain.evidence import (
    CertificateInfo,
    FileEvidence,
    Indication,
    SignatureEvidence,
    SignatureKind,
    TimestampEvidence,
)
from zvhsign.domain.findings import Finding, Level
from zvhsign.domain.verdicts import BatchVerdict, FileVerdict, SignatureVerdict

ANSI = re.compile(r"\x1b\[")
T = datetime(2026, 11, 12, 9, 30, tzinfo=timezone.utc)
LONG_DIR = "/srv/zvh/ondertekende-exemplaren/2026/bestuurlijke-regiegroep-november/partners-kennemerland"

APPROVED = ApprovedVersion(
    document=DocumentKind.CONVENANT, version="1.0", source_sha256=Sha256("a" * 64),
    approved_sha256=Sha256("b" * 64), approved_size=123456, decided_on=date(2026, 11, 2),
    approved_at=T, approver_fingerprint="c" * 64,
)


def _cert(name: str, org: str) -> CertificateInfo:
    return CertificateInfo(
        subject=f"CN={name},O={org},C=NL", common_name=name, organisation=org,
        organisation_identifier=None, subject_serial_number=None, title=None,
        issuer="CN=ZVH Test CA", serial_hex="01", not_before=T, not_after=T, fingerprint_sha256="d" * 64,
    )


def _sig(field: str, kind: SignatureKind, signer, indication=Indication.TOTAL_PASSED, sub=None,
         failure=None, findings=()) -> SignatureVerdict:
    ev = SignatureEvidence(
        field_name=field, kind=kind, revision=1, signed_end=1000, covers_whole_revision=True,
        intact=True, valid=indication is not Indication.TOTAL_FAILED, trusted=True,
        indication=indication, subindication=sub, failure=failure, subfilter="ETSI.CAdES.detached",
        signer=signer, claimed_signing_time=T,
        signature_timestamp=TimestampEvidence(time=T, tsa="ZVH Test TSA", intact=True, valid=True, trusted=True),
        content_timestamp=None, best_signature_time=T, pades_level="B-LTA",
    )
    return SignatureVerdict(ev, tuple(findings))


def _file(path: str, *sigs: SignatureVerdict, findings=()) -> FileVerdict:
    ev = FileEvidence(
        path=path, size=200000, sha256=Sha256("e" * 64), revision_ends=(100, 200, 300), trailing_bytes=0,
        stamp=None, approved=APPROVED, approved_revision=0, changes=(), signatures=tuple(s.evidence for s in sigs),
    )
    return FileVerdict(evidence=ev, path=path, findings=tuple(findings), signatures=tuple(sigs))


SECRETARIAT = _cert("Annelies van Dijk", "Zorg- en Veiligheidshuis Kennemerland")


def _approval() -> SignatureVerdict:
    return _sig("ZVH_Goedkeuring", SignatureKind.CERTIFICATION, SECRETARIAT)


def mixed_batch() -> BatchVerdict:
    ok = _file(f"{LONG_DIR}/convenant-1.0-openbaar-ministerie-arrondissement-noord-holland.pdf",
               _approval(), _sig("ZVH_Handtekening_01", SignatureKind.SIGNATURE,
                                 _cert("Saskia Terpstra", "Openbaar Ministerie")))
    failed = _file(
        f"{LONG_DIR}/convenant-1.0-politie.pdf", _approval(),
        _sig("ZVH_Handtekening_01", SignatureKind.SIGNATURE, _cert("Jan de Vries", "Politie Noord-Holland"),
             findings=[Finding("SIGNATURE_NOT_INTACT", Level.FAIL,
                               "the signed bytes were changed after signing (hash mismatch)",
                               ("signed digest 3f9a…, computed 77c1…",))]),
        findings=[Finding("ONLY_SIGNATURES_ADDED", Level.INFO, "only signatures were added")],
    )
    indeterminate = _file(
        f"{LONG_DIR}/protocol-1.0-veiligthuiskennemerlandenzuidkennemerlandenijmond.pdf", _approval(),
        _sig("ZVH_Handtekening_02", SignatureKind.SIGNATURE, _cert("Mirjam Bakker", "Veilig Thuis Kennemerland"),
             indication=Indication.INDETERMINATE, sub="TRY_LATER",
             findings=[Finding("REVOCATION_UNKNOWN", Level.WARN,
                               "no revocation data for the signer's certificate could be had")]),
    )
    unreadable = FileVerdict(evidence=None, path=f"{LONG_DIR}/kapot.pdf", findings=(),
                             error="truncated: the file ends in the middle of a revision (no %%EOF)")
    return BatchVerdict((ok, failed, indeterminate, unreadable))


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("verbose", [False, True])
def test_fits_the_width_and_names_every_file_that_is_not_verified(width, verbose):
    batch = mixed_batch()
    out = render_batch_table(batch, verbose=verbose, width=width, color=False)
    lines = out.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, "\n".join(too_long)
    assert not ANSI.search(out)

    summary = out[out.index("file(s) verified") - len("1 of 4 "):]
    assert summary.startswith("1 of 4 file(s) verified, 1 failed, 1 indeterminate, 1 could not be read")
    rows = _rows(summary, "State", "File", "First finding")
    expected = {
        batch.files[1].path: ("FAILED", "SIGNATURE_NOT_INTACT: the signed bytes were changed after signing"),
        batch.files[2].path: ("INDETERMINATE", "REVOCATION_UNKNOWN: no revocation data"),
        batch.files[3].path: ("ERROR", "truncated: the file ends in the middle of a revision"),
    }
    # every file that is not verified, and only those, each with its first blocking finding
    assert len(rows) == 3, rows
    for row, (path, (state, reason)) in zip(rows, expected.items()):
        assert row["State"].startswith(state + " |"), row
        assert row["File"].startswith(path + " |"), row
        assert reason in row["First finding"], row


def test_default_is_one_line_per_file():
    batch = mixed_batch()
    out = render_batch_table(batch, width=250, color=False)
    table = out.split("\n\n")[0]
    assert len(table.splitlines()) == 2 + len(batch.files)  # header, rule, one line each
    for width in (80, 120):  # narrower: a row wraps, but each file is still one row
        rows = _rows(render_batch_table(batch, width=width, color=False), "State", "File", "Approved")
        assert [r["File"].split(" | ")[0] for r in rows] == [v.path for v in batch.files]
        assert [r["State"].split(" | ")[0] for r in rows] == [VERIFIED, FAILED, INDETERMINATE, ERROR]
    assert "Saskia Terpstra (Openbaar Ministerie)" in out
    assert "ZVH_Handtekening_01" not in out  # the per-signature detail is for -v


def test_verbose_shows_each_signature_and_its_findings():
    out = render_batch_table(mixed_batch(), verbose=True, width=160, color=False)
    for text in ("ZVH_Goedkeuring", "ZVH_Handtekening_02", "B-LTA", "TOTAL-PASSED", "INDETERMINATE",
                 "2026-11-12 10:30:00 CET", "signed digest 3f9a…, computed 77c1…",
                 "Saskia Terpstra (Openbaar Ministerie)"):
        assert text in out, text
    assert "ONLY_SIGNATURES_ADDED" not in out  # INFO findings stay out of the table


def test_no_word_is_truncated_only_wrapped():
    out = render_batch_table(mixed_batch(), width=80, color=False)
    assert "…" not in out
    for row in _rows(out, "State", "File", "Approved", "Signed by"):
        if row["State"].startswith(INDETERMINATE):
            assert row["Signed by"].endswith(" | Mirjam Bakker (Veilig Thuis Kennemerland)")


def test_indeterminate_is_its_own_state():
    batch = mixed_batch()
    assert [file_state(v) for v in batch.files] == [VERIFIED, FAILED, INDETERMINATE, ERROR]
    assert [v.status for v in batch.files] == ["VERIFIED", "FAILED", "FAILED", "ERROR"]
    # a FAIL anywhere wins over an indeterminate signature
    both = _file("x.pdf", batch.files[2].signatures[1],
                 findings=[Finding("NOT_ONLY_SIGNATURES", Level.FAIL, "page content changed")])
    assert file_state(both) == FAILED


def test_hint_is_shown_when_the_finding_has_one():
    import dataclasses

    if "hint" not in {f.name for f in dataclasses.fields(Finding)}:
        pytest.skip("Finding has no hint field yet")
    f = Finding("UNTRUSTED_SECRETARIAT", Level.FAIL, "the approval is not by a configured secretariat",
                hint="add the secretariat's certificate under [trust] in zvhsign.toml")
    batch = BatchVerdict((_file("a.pdf", _approval(), findings=[f]),))
    out = render_batch_table(batch, width=80, color=False)
    (row,) = _rows(out, "State", "File", "First finding")
    assert row["First finding"].endswith(
        " | UNTRUSTED_SECRETARIAT: the approval is not by a configured secretariat hint: add the "
        "secretariat's certificate under [trust] in zvhsign.toml")


def test_colour_on_a_terminal_and_never_with_no_color(monkeypatch):
    batch = mixed_batch()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ANSI.search(render_batch_table(batch, width=100, color=True))
    assert not ANSI.search(render_batch_table(batch, width=100, color=True, no_color=True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(render_batch_table(batch, width=100, color=True))
    assert not ANSI.search(render_batch_table(batch, verbose=True, width=100))
    assert not ANSI.search(render_file(batch.files[1], width=100, color=True))


def test_the_default_call_still_works(monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    out = render_batch_table(mixed_batch())
    assert max(len(line) for line in out.splitlines()) <= 90
    assert not ANSI.search(out)  # not a terminal


def test_cli_options_are_read_from_the_running_command(monkeypatch):
    import click
    from click.testing import CliRunner

    @click.command()
    @click.option("-v", "--verbose", is_flag=True)
    @click.option("--no-color", "no_color", is_flag=True)
    def show(verbose, no_color):
        click.echo(render_batch_table(mixed_batch(), width=120, color=None if no_color else True), color=True)

    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = CliRunner().invoke(show, ["--no-color"]).output
    assert not ANSI.search(plain) and "ZVH_Handtekening_01" not in plain
    verbose = CliRunner().invoke(show, ["-v"]).output
    assert ANSI.search(verbose) and "ZVH_Handtekening_01" in verbose


def test_an_empty_batch():
    assert render_batch_table(BatchVerdict(()), width=80, color=False) == "0 of 0 file(s) verified"


def _rows(text: str, *headers: str) -> list[dict[str, str]]:
    """Read back the rows of the (first) table whose header line holds ``headers``: the
    column of each cell is found from the header's position; a row goes on while its
    first column is blank; a cell's pieces are joined back up (folded words without,
    wrapped words with a space between: both forms are kept, separated by " | ")."""
    lines = text.splitlines()
    h = next(i for i, line in enumerate(lines)
             if all(x in line for x in headers) and i + 1 < len(lines) and lines[i + 1].lstrip().startswith("─"))
    starts = [lines[h].index(x) for x in headers]
    bounds = list(zip(starts, starts[1:] + [None]))
    rows: list[list[list[str]]] = []
    for line in lines[h + 2:]:
        if not line.strip():
            break
        cells = [line[a:b].strip() if b else line[a:].strip() for a, b in bounds]
        if cells[0] or not rows:
            rows.append([[] for _ in headers])
        for piece, cell in zip(rows[-1], cells):
            if cell:
                piece.append(cell)
    return [{x: "".join(p) + " | " + " ".join(p) for x, p in zip(headers, row)} for row in rows]
