"""Covenant participation is read only when a copy to judge needs it (services/covenant.py):
a covenant copy is judged without reading the recorded copies (a registry of thousands of
them is no fixed cost of every command), a Privacy Protocol copy with them -- and its verdict
is the one it always was. Real signatures (test PKI), a real SQLite registry."""

from __future__ import annotations

import pytest

from zvhsign.services import pipeline as pipeline_module
from zvhsign.services.operations import verify
from zvhsign.services.signing import sign


@pytest.fixture(scope="module")
def world(approved_workspace_factory, passphrase, tmp_path_factory):
    from zvhsign.services import governance as gov
    from zvhsign.testpki import certs_dir

    root = tmp_path_factory.mktemp("lazy")
    approved = approved_workspace_factory(root, passphrase)
    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(approved.ws, root / "partners.toml")
    om = approved.key("om", passphrase)
    made = {}
    for name, source in (("conv", approved.convenant), ("conv2", approved.convenant), ("prot", approved.protocol)):
        made[name] = root / f"{name}.pdf"
        sign(approved.ws, source, om, made[name])
    # the covenant signature and the protocol signature recorded, as the secretariat does
    assert verify(approved.ws, [made["conv"]], record=True).all_verified
    assert verify(approved.ws, [made["prot"]], record=True).all_verified
    return approved, made


@pytest.fixture
def reads(monkeypatch):
    """How often the pipeline reads the recorded copies."""
    calls = []
    original = pipeline_module.Pipeline.recorded_copies

    def counted(self, **kw):
        calls.append(kw)
        return original(self, **kw)

    monkeypatch.setattr(pipeline_module.Pipeline, "recorded_copies", counted)
    return calls


def _codes(batch):
    return sorted((f.code, f.level.name) for fv in batch.files for f in fv.all_findings())


def test_a_covenant_copy_is_judged_without_reading_the_recorded_copies(world, reads):
    approved, made = world
    batch = verify(approved.ws, [made["conv2"]])
    assert batch.all_verified
    assert reads == []


def test_a_protocol_copy_still_counts_the_recorded_covenant(world, reads):
    approved, made = world
    batch = verify(approved.ws, [made["prot"]])
    assert reads == [{"covenant": True}]
    # the OM's covenant signature is a recorded one: the order rule found it
    assert ("PROTOCOL_AFTER_COVENANT", "INFO") in _codes(batch) and batch.all_verified
    # judged with a covenant copy in the same batch: the same verdict for the protocol copy
    together = verify(approved.ws, [made["conv2"], made["prot"]])
    assert _codes(type(batch)((together.files[1],))) == _codes(batch)


def test_the_recorded_protocol_copy_is_left_out_only_under_the_same_trust(world):
    from zvhsign.services.pipeline import Pipeline

    approved, _ = world
    with Pipeline(approved.ws) as pipe:
        store = pipe.registry.governance
        every = store.recorded_copies()
        covenant = store.recorded_copies(covenant_under_trust=pipe.trust_sha256)
        other_trust = store.recorded_copies(covenant_under_trust="0" * 64)
    documents = [rc.evidence.approved.document.value for rc in every]
    assert documents == ["convenant", "protocol"]
    assert [rc.sha256 for rc in covenant] == [every[0].sha256]
    # evidence established under other trust settings is examined again: nothing left out
    assert [rc.sha256 for rc in other_trust] == [rc.sha256 for rc in every]
