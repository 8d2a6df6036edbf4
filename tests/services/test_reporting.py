"""services.reporting.gather: what it refuses, and facts from files vs. the registry."""

from __future__ import annotations

import pytest

from zvhsign.errors import UsageError
from zvhsign.services.reporting import gather
from zvhsign.services.setup import init_test_workspace


def test_nothing_to_report_on_is_a_usage_error(tmp_path) -> None:  # noqa: ANN001
    ws = init_test_workspace(tmp_path / "ws")
    with pytest.raises(UsageError, match="no signed copies to report on") as err:
        gather(ws, [], responsible="J. de Vries")
    assert "zvhsign report --format html" in err.value.diagnostic()


def test_responsible_official_is_required(tmp_path) -> None:  # noqa: ANN001
    ws = init_test_workspace(tmp_path / "ws")
    with pytest.raises(UsageError, match="responsible"):
        gather(ws, [tmp_path / "x.pdf"], responsible="  ")


def test_facts_from_a_signed_file(approved, signed_convenant) -> None:  # noqa: ANN001
    facts = gather(approved.ws, [signed_convenant], responsible="J. de Vries")
    assert facts.copies_source == "files" and facts.responsible == "J. de Vries"
    (f,) = facts.copies.files
    assert f.verified and f.evidence.approved.label == "convenant 1.0"
    assert facts.log.intact and facts.log.events >= 3
    assert facts.partners is None  # the shared workspace registers no partners
    assert {v.label for v in facts.versions} == {"convenant 1.0", "protocol 1.0"}


def test_unreadable_file_is_reported_not_fatal(approved, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really\n")
    facts = gather(approved.ws, [bad], responsible="J. de Vries")
    (f,) = facts.copies.files
    assert f.completed and f.status == "FAILED" and f.findings[0].code == "FILE_DAMAGED"
