"""issue 11 item 5: foreign signatures whose CMS deviates from DER the way BER allows
(indefinite lengths, a non-minimal length, bytes after the DER) are read leniently and
judged like any other: intact, valid, TOTAL-PASSED -- never SIGNATURE_MALFORMED."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

from .conftest import foreign

VARIANTS = ["indefinite", "long-length", "trailing-garbage"]


@pytest.fixture(scope="module")
def partner_last(approved, forger):
    """The approved covenant signed B-T: the partner signature is the last revision."""
    return forger.sign(approved.convenant.read_bytes(), "om", level="B-T")


@pytest.mark.parametrize("variant", VARIANTS)
def test_ber_cms_is_judged_like_der(approved, partner_last, tmp_path, variant):
    data = foreign.cms_reencoded(partner_last, variant)
    assert data != partner_last and len(data) == len(partner_last)
    path = tmp_path / f"cms-{variant}.pdf"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--no-cache", "--json", str(path)])
    (f,) = json.loads(result.stdout)["files"]
    (partner,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert partner["intact"] and partner["valid"], partner
    assert partner["etsi"]["indication"] == "TOTAL-PASSED", partner["etsi"]
    assert result.exit_code == 0 and f["status"] == "VERIFIED", [x["code"] for x in f["findings"]]


def test_the_der_is_really_changed(partner_last):
    """The variants are not no-ops: the bytes of the CMS differ where they should."""
    indefinite = foreign.cms_reencoded(partner_last, "indefinite")
    assert b"<30800609" in indefinite.lower()  # ContentInfo: SEQUENCE, indefinite length, OID
    assert b"<30800609" not in partner_last.lower() and b"a080" in indefinite.lower()
