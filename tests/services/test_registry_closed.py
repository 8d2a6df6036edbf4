"""Every service closes the registry it opened: no database connection is left for the
garbage collector. A library caller (the web server, a script, the benchmarks) that kept
them would hold SQLite files open -- copying a workspace in that process then breaks
SQLite's locks ("disk I/O error") -- and PostgreSQL connections pile up per request."""

from __future__ import annotations

import gc
import os
import shutil
from datetime import date
from pathlib import Path

import pytest


def _open_db_files(root: Path) -> list[str]:
    """The files of the workspace's registry this process holds open."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(root)) and "zvhsign.db" in target:
            found.append(target.rsplit("/", 1)[-1])
    return found


@pytest.fixture
def no_collector():
    """The garbage collector off: a leaked registry stays open where the test can see it."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was:
        gc.enable()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads the open files from /proc")
def test_no_service_leaves_the_registry_open(approved_workspace_factory, passphrase, signed_convenant, tmp_path,
                                             no_collector):
    from zvhsign.services import governance as gov
    from zvhsign.services import operations as ops
    from zvhsign.services.extend import extend
    from zvhsign.services.kit import export_kit
    from zvhsign.services.reporting import gather
    from zvhsign.services.signing import sign
    from zvhsign.testpki import certs_dir

    a = approved_workspace_factory(tmp_path, passphrase)
    root = a.ws.root.resolve()
    assert _open_db_files(root) == [], "init, stamp and approve"
    copy = tmp_path / "c.pdf"
    shutil.copyfile(signed_convenant, copy)

    def check(what: str) -> None:
        assert _open_db_files(root) == [], what

    gov.write_test_pki_partners(tmp_path / "partners.toml", certs_dir() / "out")
    gov.import_partners(a.ws, tmp_path / "partners.toml")
    check("partner import")
    gov.list_partners(a.ws), gov.show_partner(a.ws, "om"), gov.list_signatories(a.ws)
    check("partner list / show, signatory list")
    ops.approved_versions(a.ws)
    check("versions")
    for cache in (False, True):
        ops.verify(a.ws, [copy], cache=cache, record=True)
        check(f"verify (cache={cache}, --record)")
    ops.verify(a.ws, [copy, a.convenant], jobs=2)
    check("verify --jobs 2")
    gov.status(a.ws)
    check("status")
    gather(a.ws, files=None)
    check("report")
    out = tmp_path / "signed.pdf"
    sign(a.ws, a.convenant, a.key("politie", passphrase), tmp_path / "dry.pdf", dry_run=True)
    sign(a.ws, a.convenant, a.key("politie", passphrase), out)
    check("sign (--dry-run, then signing)")
    (result,) = extend(a.ws, [out])
    assert result.status == "extended", result.message
    check("extend")
    gov.draft_mandate(a.ws, "Haarlem", "Willemijn Bosschaart", date(2026, 11, 10), tmp_path / "m0.pdf")
    check("mandate draft")
    export_kit(a.ws, tmp_path / "kit", partner="om", wheel=False)
    check("kit")
    with pytest.raises(Exception):  # a refusal on the way out closes it too
        sign(a.ws, copy, a.key("revoked-signer", passphrase), tmp_path / "no.pdf")
    check("a refused sign")


def test_no_postgresql_connection_is_left_behind(passphrase, tmp_path, no_collector):
    """The web server's case: every request makes a pipeline; on PostgreSQL each one left a
    pooled connection open until a garbage collection (and the server's connection limit
    is finite)."""
    import psycopg

    from tests.conftest import make_approved_workspace
    from tests.pgurl import conninfo, pg_database, require

    from zvhsign.services import governance as gov
    from zvhsign.services.operations import verify

    with pg_database(require()) as url:
        def connections() -> int:
            with psycopg.connect(**conninfo(url, "postgres"), autocommit=True) as conn:
                return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                    (url.database,)).fetchone()[0]

        a = make_approved_workspace(tmp_path, passphrase, database_url=url.render_as_string(hide_password=False))
        assert connections() == 0, "init, stamp and approve"
        for _ in range(3):
            (f,) = verify(a.ws, [a.convenant], cache=True, record=True).files
            assert f.evidence is not None and f.evidence.approved is not None  # judged, on PostgreSQL
            gov.status(a.ws)
        assert connections() == 0, "verify and status"
