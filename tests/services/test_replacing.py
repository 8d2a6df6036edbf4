"""Writing over a file that exists (``services/files.py`` with ``services/replacing.py``), for
every command that writes through it (``extend`` in place, ``sign``/``approve``/``stamp -o``
over an older output, reports): the file keeps its permissions, a symbolic link is followed
to its target and stays a link, and the rename stays atomic (nothing left beside the file)."""

from __future__ import annotations

import os

import pytest

from zvhsign.services.files import open_output, write_atomic


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    f = tmp_path / "report.json"
    f.write_bytes(b"old")
    f.chmod(0o664)
    write_atomic(f, b"new")
    assert f.read_bytes() == b"new"
    assert oct(f.stat().st_mode & 0o7777) == oct(0o664)
    assert os.listdir(tmp_path) == ["report.json"]


def test_a_new_file_is_still_created_private(tmp_path):
    f = tmp_path / "new.pdf"
    write_atomic(f, b"new")
    assert oct(f.stat().st_mode & 0o777) == oct(0o600)


def test_a_symlink_chain_is_followed_to_its_target_in_its_own_folder(tmp_path):
    real = tmp_path / "store" / "copy.pdf"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    hop = tmp_path / "hop.pdf"
    hop.symlink_to(real)
    link = tmp_path / "link.pdf"
    link.symlink_to("hop.pdf")  # relative, through another link
    write_atomic(link, b"new")
    assert link.is_symlink() and hop.is_symlink() and os.readlink(link) == "hop.pdf"
    assert real.read_bytes() == b"new" and oct(real.stat().st_mode & 0o7777) == oct(0o640)
    assert sorted(os.listdir(tmp_path)) == ["hop.pdf", "link.pdf", "store"]
    assert os.listdir(real.parent) == ["copy.pdf"]


def test_a_staged_output_over_an_existing_file_keeps_its_permissions(tmp_path):
    # what sign, approve and stamp write through (pyHanko fills the staged file)
    f = tmp_path / "signed.pdf"
    f.write_bytes(b"older output")
    f.chmod(0o644)
    link = tmp_path / "latest.pdf"
    link.symlink_to(f)
    with open_output(link) as staged:
        staged.file.write(b"newer output")
        staged.commit()
    assert f.read_bytes() == b"newer output" and link.is_symlink()
    assert oct(f.stat().st_mode & 0o7777) == oct(0o644)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file another owner needs root")
def test_a_replaced_file_keeps_its_owner_where_the_system_allows(tmp_path):
    f = tmp_path / "archive.pdf"
    f.write_bytes(b"old")
    os.chown(f, 65534, 65534)  # nobody:nogroup, say the archive's service account
    f.chmod(0o644)
    write_atomic(f, b"new")
    st = f.stat()
    assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o7777)) == (65534, 65534, oct(0o644))
