"""Issue 15: a registry the user may not write is one line naming that, not a raw
"attempt to write a readonly database"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


@pytest.mark.skipif(os.geteuid() != 0, reason="drops to user nobody; needs root to do so")
def test_read_only_registry_is_named():
    import shutil
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="zvh-ro-"))  # pytest's tmp_path is private to root
    folder = base / "reg"
    folder.mkdir()
    db = folder / "r.db"
    script = textwrap.dedent(f"""
        import os
        from sqlalchemy import text
        import sqlalchemy.dialects.sqlite.pysqlite, sqlalchemy.sql.default_comparator  # noqa: F401
        from zvhsign.registry._db import make_engine, translate
        url = "sqlite:///{db}"
        e = make_engine(url)
        with e.begin() as c:
            c.execute(text("create table t (x int)"))
        e.dispose()
        os.chmod({str(folder)!r}, 0o755); os.chmod({str(db)!r}, 0o644)
        e = make_engine(url)
        os.setgid(65534); os.setuid(65534)  # now the file and its folder are not writable
        try:
            with e.connect() as c:
                c.execute(text("select * from t")).all()
            print("read")
        except Exception as exc:
            print(translate(exc, url, "reading the registry").message)
    """)
    os.chmod(base, 0o755)
    try:
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert "is read-only for zvhsign" in line, line  # (reading it would do too)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a read-only file system; needs root to do so")
def test_a_workspace_on_a_read_only_medium_is_named(approved, tmp_path):
    """A kit on a write-protected stick or a read-only share: SQLite can't even open the
    registry there (it writes beside the file to read). Said as such, with what to do --
    not "can't connect ... check that the database server is running"."""
    import shutil
    from pathlib import Path

    mnt = Path("/mnt") / f"zvh-ro-{os.getpid()}-{tmp_path.name}"
    mnt.mkdir(parents=True)
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mnt)], capture_output=True).returncode:
            pytest.skip("this machine does not let root mount a file system")
        try:
            for name in ("zvhsign.toml", "zvhsign.db"):
                shutil.copy2(approved.ws.root / name, mnt / name)
            shutil.copy2(approved.convenant, mnt / "convenant.pdf")
            for sub in ("trust",):
                if (approved.ws.root / sub).is_dir():
                    shutil.copytree(approved.ws.root / sub, mnt / sub)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            zvhsign = Path(sys.executable).with_name("zvhsign")
            r = subprocess.run([str(zvhsign), "verify", "convenant.pdf"], cwd=mnt, capture_output=True,
                               text=True, timeout=300, env={**os.environ, "ZVHSIGN_LANG": "en"})
        finally:
            subprocess.run(["umount", str(mnt)], capture_output=True)
    finally:
        mnt.rmdir()
    assert r.returncode == 3, r.stdout + r.stderr
    assert "is read-only for zvhsign" in r.stderr and "copy the workspace to a writable place" in r.stderr, r.stderr
    assert "database server" not in r.stderr and "Traceback" not in r.stderr, r.stderr
