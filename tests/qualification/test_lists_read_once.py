"""What the trusted lists said is read once and kept (trusted-lists/.read), not read again
by every command (issue 16: pyHanko's list parser costs most of a second to import, the
real lists seconds to parse). The kept read is used only for the same list bytes and the
same certificates that may sign them, equals a fresh read, never runs code from the file,
and ``--no-cache`` reads the lists anew. Real lists: the test LOTL and Dutch list.
"""

from __future__ import annotations

import dataclasses
import enum
import subprocess
import sys
import textwrap

import pytest
from asn1crypto.core import Asn1Value

from tests.conftest import copy_workspace
from tests.qualification.test_qualification import setup  # noqa: F401 -- the module fixture
from zvhsign.errors import InputError
from zvhsign.registry import EvidenceCache
from zvhsign.services.registry_access import open_registry
from zvhsign.services.trustlists import READ_FILE, _load_cached, _read_key, load_lists, stored_digests
from zvhsign.services.workspace import load_workspace


@pytest.fixture
def ws(setup, tmp_path):  # noqa: F811
    """A workspace of the test's own with the test lists loaded, and no read kept yet."""
    ws = load_workspace(copy_workspace(setup.approved.ws.root, tmp_path / "ws"))
    (ws.trusted_lists_dir / READ_FILE).unlink(missing_ok=True)
    return ws


def _load(ws, reuse: bool = True):
    _load_cached.cache_clear()  # (in this process: the lists of the last command are held)
    return load_lists(ws, reuse=reuse)


def _plain(value):  # noqa: ANN001, ANN202
    """A comparable form of pyHanko's service descriptions (certificates by their DER)."""
    if isinstance(value, Asn1Value):
        return value.dump()
    if dataclasses.is_dataclass(value):
        return type(value).__name__, tuple(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_plain(v) for v in value), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def _said(lists) -> tuple:
    reg = lists.registry
    services = sorted(
        (a.certificate.dump(), _plain(set(reg.applicable_service_definitions(a, None))))
        for a in reg.known_certificate_authorities
    )
    return tuple(services), lists.lists


def _key(ws) -> str:
    return _read_key(tuple(sorted(stored_digests(ws).items())), ws.config.territories, ws)


def test_the_kept_read_equals_a_fresh_read_and_skips_the_parser(ws):
    fresh = _load(ws, reuse=False)
    assert (ws.trusted_lists_dir / READ_FILE).is_file()
    kept = _load(ws)
    assert _said(kept) == _said(fresh)
    assert len(_said(fresh)[0]) >= 1  # the test Dutch list's qualified CA: not an empty comparison
    probe = textwrap.dedent("""
        import sys
        from pathlib import Path
        from zvhsign.services.trustlists import load_lists
        from zvhsign.services.workspace import load_workspace
        lists = load_lists(load_workspace(Path(sys.argv[1])))
        print(len(list(lists.registry.known_certificate_authorities)),
              "pyhanko.sign.validation.qualified.eutl_parse" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", probe, str(ws.root)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(len(_said(fresh)[0])), "False"], out.stderr


def test_a_changed_list_is_refused_though_a_read_is_kept(ws):
    _load(ws)
    nl = ws.trusted_lists_dir / "tsl-nl.xml"
    data = nl.read_bytes()
    i = data.index(b"TSLSequenceNumber>") + len(b"TSLSequenceNumber>")  # (inside the signed part)
    nl.write_bytes(data[:i] + (b"8" if data[i:i + 1] != b"8" else b"9") + data[i + 1:])
    with pytest.raises(InputError, match="no longer verifies"):
        _load(ws)


class _Payload:
    def __init__(self, marker) -> None:  # noqa: ANN001
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return (open, (str(self.marker), "w"))


def test_a_forged_or_damaged_read_runs_nothing_and_is_read_anew(ws, tmp_path):
    import pickle

    fresh = _said(_load(ws, reuse=False))
    read = ws.trusted_lists_dir / READ_FILE
    kept = read.read_bytes()
    marker = tmp_path / "ran"
    read.write_bytes(_key(ws).encode() + b"\n" + pickle.dumps(_Payload(marker)))
    assert _said(_load(ws)) == fresh
    assert not marker.exists()
    read.write_bytes(kept[: len(kept) // 2])  # damaged
    assert _said(_load(ws)) == fresh


def test_no_cache_reads_the_lists_anew(ws, setup):  # noqa: F811
    """A kept read that says nothing is qualified (an empty registry, under the right key):
    used by a verify with the cache, not by one without it."""
    from pyhanko.sign.validation.qualified.tsp import TSPRegistry

    from zvhsign.pdf.listcache import dump_read
    from zvhsign.services.operations import verify

    infos = _load(ws).lists
    (ws.trusted_lists_dir / READ_FILE).write_bytes(_key(ws).encode() + b"\n" + dump_read(TSPRegistry(), infos))
    EvidenceCache(open_registry(ws)).clear()
    copy = setup.copies["politie"]

    def level(cache: bool) -> str:
        _load_cached.cache_clear()
        (fv,) = verify(ws, [copy], cache=cache).files
        sv = next(s for s in fv.signatures if s.evidence.kind.value == "signature")
        return sv.evidence.qualification.level.value

    assert level(cache=True) != "QES"  # the kept read was used: it lists no qualified CA
    assert level(cache=False) == "QES"
