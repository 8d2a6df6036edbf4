"""A partner kit carries the partner's recorded covenant copies: only covenant participants sign
the Privacy Protocol, and a kit without them judged a protocol copy FAILED
(COVENANT_SIGNATURE_MISSING) that the secretariat, which recorded the partner's covenant copy,
judges VERIFIED -- one verdict, whichever registry makes it. Real registries, real signatures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from zvhsign.services.kit import export_kit
from zvhsign.services.operations import verify
from zvhsign.services.registry_access import open_registry
from zvhsign.services.signing import sign
from zvhsign.services.workspace import load_workspace

_spec = importlib.util.spec_from_file_location(
    "zvh_tests_conftest_kit_covenant", Path(__file__).resolve().parents[1] / "conftest.py"
)
shared = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = shared
_spec.loader.exec_module(shared)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, passphrase):
    """The secretariat with GGZ's and OM's covenant copies recorded."""
    from zvhsign.services.governance import import_partners, write_test_pki_partners

    root = tmp_path_factory.mktemp("kit-covenant")
    a = shared.make_approved_workspace(root, passphrase)
    write_test_pki_partners(root / "partners.toml", shared.CERTS)
    import_partners(a.ws, root / "partners.toml")
    copies = []
    for partner in ("ggz", "om"):
        out = root / f"convenant-{partner}.pdf"
        sign(a.ws, a.convenant, a.key(partner, passphrase), out)
        copies.append(out)
    assert verify(a.ws, copies, record=True).all_verified
    return a


def _covenant_partners(ws) -> list[str]:  # noqa: ANN001
    with open_registry(ws) as reg:
        return sorted(s["partner"] for c in reg.governance.covenant_copies_of(None) for s in c.signatures)


def test_the_kit_judges_a_protocol_copy_as_the_secretariat_does(recorded, passphrase, tmp_path):
    kit_dir = tmp_path / "kit-ggz"
    export_kit(recorded.ws, kit_dir, partner="ggz")
    kit_ws = load_workspace(kit_dir)
    assert _covenant_partners(kit_ws) == ["ggz"]  # its own covenant copy, no other partner's

    signed = kit_dir / "protocol-1.0-ggz.pdf"
    sign(kit_ws, kit_dir / "protocol-1.0.pdf", recorded.key("ggz", passphrase), signed)
    (in_kit,) = verify(kit_ws, [signed]).files
    (at_secretariat,) = verify(recorded.ws, [signed]).files
    assert in_kit.status == at_secretariat.status == "VERIFIED", [f.to_json() for f in in_kit.all_findings()]
    assert [f.code for f in in_kit.all_findings()] == [f.code for f in at_secretariat.all_findings()]


def test_a_kit_for_a_partner_without_a_covenant_copy_carries_none(recorded, passphrase, tmp_path):
    kit_dir = tmp_path / "kit-politie"
    export_kit(recorded.ws, kit_dir, partner="politie")
    kit_ws = load_workspace(kit_dir)
    assert _covenant_partners(kit_ws) == []
    signed = kit_dir / "protocol-1.0-politie.pdf"
    sign(kit_ws, kit_dir / "protocol-1.0.pdf", recorded.key("politie", passphrase), signed)
    (in_kit,) = verify(kit_ws, [signed]).files
    (at_secretariat,) = verify(recorded.ws, [signed]).files
    assert in_kit.status == at_secretariat.status == "FAILED"
    assert "COVENANT_SIGNATURE_MISSING" in {f.code for f in in_kit.all_findings()}


def test_a_kit_for_every_partner_carries_every_covenant_copy(recorded, tmp_path):
    export_kit(recorded.ws, tmp_path / "kit", partner=None)
    assert _covenant_partners(load_workspace(tmp_path / "kit")) == ["ggz", "om"]
