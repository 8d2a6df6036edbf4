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
