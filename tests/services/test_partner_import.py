"""Partner import: a CSV saved by Excel with Dutch settings (";" and a BOM) is read; an import is
all or nothing."""

from __future__ import annotations

import pytest

from zvhsign.registry import DuplicateError
from zvhsign.services import governance as gov
from zvhsign.services.setup import init_test_workspace

HEADER = ["partner_key", "partner_name", "kind", "kvk", "signatory_name", "role", "fingerprint"]


def _csv(path, rows, sep):
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))  # Excel: BOM, CRLF


@pytest.mark.parametrize("sep", [";", ","])
def test_csv_with_semicolons_or_commas_and_a_bom(tmp_path, sep):
    ws = init_test_workspace(tmp_path / "ws")
    f = tmp_path / "partners.csv"
    _csv(f, [["om", "Openbaar Ministerie", "om", "90000044", "Saskia Terpstra", "hoofdofficier van justitie", "ab" * 32],
             ["politie", "Politie Eenheid Noord-Holland", "politie", "90000055", "Erik Hoogland", "politiechef", "cd" * 32]],
         sep)
    r = gov.import_partners(ws, f)
    assert [p.key for p in r.partners] == ["om", "politie"] and len(r.signatories) == 2
    assert {p.key for p in gov.list_partners(ws)} == {"om", "politie"}


def test_a_failed_import_registers_nothing(tmp_path):
    ws = init_test_workspace(tmp_path / "ws")
    f = tmp_path / "partners.csv"
    # the second signatory claims the first one's certificate: refused, and then nothing at all
    _csv(f, [["om", "Openbaar Ministerie", "om", "90000044", "Saskia Terpstra", "hoofdofficier van justitie", "ab" * 32],
             ["politie", "Politie Eenheid Noord-Holland", "politie", "90000055", "Erik Hoogland", "politiechef", "ab" * 32]],
         ";")
    with pytest.raises(DuplicateError):
        gov.import_partners(ws, f)
    assert gov.list_partners(ws) == []


def test_rename_and_remove_are_logged_and_remove_is_refused_once_a_partner_signed(tmp_path):
    from zvhsign.errors import RefusedError
    from zvhsign.services.registry_access import open_registry

    ws = init_test_workspace(tmp_path / "ws")
    f = tmp_path / "partners.csv"
    _csv(f, [["om", "Openbaar Ministerie", "om", "90000044", "Saskia Terpstra", "hoofdofficier van justitie", "ab" * 32],
             ["vt", "Veilig Thuis", "veilig-thuis", "90000099", "Iemand", "directeur", "cd" * 32]], ";")
    gov.import_partners(ws, f)
    assert gov.rename_partner(ws, "om", "Openbaar Ministerie Noord-Holland").name == "Openbaar Ministerie Noord-Holland"
    gov.remove_partner(ws, "vt")
    assert [p.key for p in gov.list_partners(ws)] == ["om"]
    assert [s.partner_key for _p, s in gov.list_signatories(ws)] == ["om"]
    reg = open_registry(ws)
    actions = [e.action for e in reg.events()]
    assert "rename-partner" in actions and "remove-partner" in actions and reg.verify_log() == []
    # a partner whose signature is recorded is evidence: refused
    reg.governance.record_copy(b"%PDF-1.7 copy %%EOF", {"status": "VERIFIED"}, [{
        "field": "ZVH_Handtekening_01", "document": "convenant", "version": "1.0", "approved_sha256": "a" * 64,
        "partner": "om", "signer_name": "Saskia Terpstra", "signer_fingerprint": "ab" * 32,
        "indication": "TOTAL-PASSED", "codes": []}], actor="test")
    with pytest.raises(RefusedError, match="recorded copies hold its signatures"):
        gov.remove_partner(ws, "om")
