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
