"""The responsible official comes from the workspace ([report] in zvhsign.toml) and
`zvhsign report` refuses without one; the qualification line of a signature card."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.domain.qualification import KeyProtection, Qualification, QualificationEvidence, QualificationReason
from zvhsign.reports.signatures import qualification_row
from zvhsign.services.workspace import load_workspace, render_config


@pytest.fixture(scope="module")
def bare_ws(tmp_path_factory):
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("no-official") / "ws")


def test_report_refuses_without_a_responsible_official(bare_ws, tmp_path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["--workspace", str(bare_ws.root), "report", "--format", "html", "-o", str(out)])
    assert r.exit_code == 2, r.output
    first = r.output.strip().splitlines()[0]
    assert "responsible_name" in first and "zvhsign.toml" in first
    assert "hint: set [report] responsible_name" in r.output
    assert not out.exists()


def test_gather_without_an_official_is_a_workspace_error(bare_ws) -> None:
    from zvhsign.errors import EXIT_USAGE, WorkspaceError
    from zvhsign.services.reporting import gather

    with pytest.raises(WorkspaceError, match="responsible_name and responsible_function") as exc:
        gather(bare_ws)
    assert exc.value.exit_code == EXIT_USAGE


def test_init_writes_the_report_section(tmp_path) -> None:
    from zvhsign.services.setup import init_test_workspace

    ws = init_test_workspace(tmp_path / "ws", responsible_name='A. "de" Wit',
                             responsible_function="Functionaris voor de gegevensbescherming")
    raw = tomllib.loads(ws.config_path.read_text(encoding="utf-8"))
    assert raw["report"] == {"responsible_name": 'A. "de" Wit',
                             "responsible_function": "Functionaris voor de gegevensbescherming"}
    cfg = load_workspace(ws.root).config
    assert (cfg.responsible_name, cfg.responsible_function) == ('A. "de" Wit',
                                                              "Functionaris voor de gegevensbescherming")
    # without them the section says what to set, commented out
    text = render_config(database_url="sqlite:///x.db", trust_roots=["r.pem"], secretariat=["s.pem"],
                         other_certs=[], tsa_url=None, test_pki=False)
    assert "[report]" in text and '# responsible_name = "J. de Vries"' in text
    assert "report" not in tomllib.loads(text) or tomllib.loads(text)["report"] == {}


def test_qualification_line_of_a_card(monkeypatch) -> None:
    monkeypatch.delenv("ZVHSIGN_LANG", raising=False)
    granted = QualificationReason.of("qualified certificate ({type}) issued under {service!r}, granted at {at}",
                                     type="esign", service="ZVH Test Qualified CA", at="2026-07-01T10:00:00+00:00")
    qes = QualificationEvidence(
        level=Qualification.QES, qualified_certificate=True, certificate_type="esign",
        key_protection=KeyProtection.QSCD, service_name="ZVH Test Qualified CA",
        service_territory="NL", service_status="http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted",
        reasons=(granted,))
    assert str(granted) == ("qualified certificate (esign) issued under 'ZVH Test Qualified CA', granted at "
                            "2026-07-01T10:00:00+00:00")
    row = qualification_row(qes)
    assert row.assessed and row.level == "QES"
    # the reason in Dutch, its moment in Dutch local time (summer: CEST)
    assert row.reasons == ("gekwalificeerd certificaat (esign), uitgegeven onder 'ZVH Test Qualified CA'; die dienst "
                           "had op 2026-07-01 12:00:00 CEST de status verleend",)
    assert row.text == ("gekwalificeerde elektronische handtekening (QES); dienst: ZVH Test Qualified CA "
                        "(NL, verleend); sleutel in een gekwalificeerd middel (QSCD)")
    from zvhsign.domain.qualification import NOT_ASSESSED

    none = qualification_row(NOT_ASSESSED)
    assert not none.assessed and none.text.startswith("niet beoordeeld — geen EU-vertrouwenslijsten")
