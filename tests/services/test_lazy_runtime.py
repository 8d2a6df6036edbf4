"""The runtime's HTTP session and trust environment are made on first use: a verify
answered from the evidence cache never imports the HTTP client or the TSA client (a
fixed cost of every command), and a session that was made is closed when the command ends."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap

from tests.conftest import copy_workspace
from zvhsign.registry import EvidenceCache
from zvhsign.services.registry_access import open_registry
from zvhsign.services.runtime import open_runtime
from zvhsign.services.workspace import load_workspace

PROBE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from zvhsign.services.operations import verify
    from zvhsign.services.workspace import load_workspace
    ws = load_workspace(Path(sys.argv[1]))
    batch = verify(ws, [Path(sys.argv[2])], cache=sys.argv[3] == "cache")
    print(batch.all_verified, "aiohttp" in sys.modules, "pyhanko.sign.timestamps" in sys.modules)
""")


def _probe(root, copy, mode: str) -> str:
    r = subprocess.run([sys.executable, "-c", PROBE, str(root), str(copy), mode],
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_a_cached_verify_makes_no_http_session(approved, signed_convenant, tmp_path):
    root = tmp_path / "ws"
    copy_workspace(approved.ws.root, root)  # the cache is written: a workspace of this test's own
    # (without what other tests of this session left in the shared workspace's evidence cache)
    EvidenceCache(open_registry(load_workspace(root))).clear()
    copy = tmp_path / signed_convenant.name
    shutil.copyfile(signed_convenant, copy)
    # examined: the session and the TSA client are made (the test PKI answers revocation requests)
    assert _probe(root, copy, "cache") == ["True", "True", "True"]
    # the same copy again: answered from the evidence cache, nothing of the network is loaded
    assert _probe(root, copy, "cache") == ["True", "False", "False"]
    # without the cache it is examined again, and they are made again
    assert _probe(root, copy, "no-cache") == ["True", "True", "True"]


def test_the_session_is_made_on_first_use_and_closed_at_the_end(approved):
    ws = load_workspace(approved.ws.root)

    async def run():
        async with open_runtime(ws, trusted_lists="lazy") as rt:
            assert rt._env is None and rt._session is None
            env = rt.env
            assert rt.env is env and rt.session is not None and not rt.session.closed
            session = rt.session
        return session

    assert asyncio.run(run()).closed
