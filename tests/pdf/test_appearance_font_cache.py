"""The signature appearance's font (Vera rescaled to 1000 units per em) is made once per
machine and kept in the user's cache folder; a damaged or missing cache never changes it."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from zvhsign.pdf import appearance


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    appearance._font_bytes_1000.cache_clear()
    yield tmp_path / "cache" / "zvhsign"
    appearance._font_bytes_1000.cache_clear()


def test_made_once_then_read_from_the_cache(fresh):
    made = appearance._font_bytes_1000()
    assert TTFont(io.BytesIO(made))["head"].unitsPerEm == 1000
    (cached,) = fresh.glob("vera-1000-*.ttf")
    assert cached.read_bytes() == made
    appearance._font_bytes_1000.cache_clear()
    before = cached.stat().st_mtime_ns
    assert appearance._font_bytes_1000() == made
    assert cached.stat().st_mtime_ns == before  # read, not made again


def test_a_damaged_cache_file_is_made_again(fresh):
    made = appearance._font_bytes_1000()
    (cached,) = fresh.glob("vera-1000-*.ttf")
    cached.write_bytes(made[: len(made) // 2])  # cut off
    appearance._font_bytes_1000.cache_clear()
    assert appearance._font_bytes_1000() == made
    assert cached.read_bytes() == made


def test_no_cache_folder_still_gives_the_font(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    appearance._font_bytes_1000.cache_clear()
    try:
        assert TTFont(io.BytesIO(appearance._font_bytes_1000()))["head"].unitsPerEm == 1000
    finally:
        appearance._font_bytes_1000.cache_clear()


def test_the_rescaled_font_is_the_same_bytes_every_time(fresh):
    """Made again later (another second: fontTools would stamp head.modified with the
    time), the font is byte-for-byte the same: signatures made on any machine embed the
    same font, and a cache made elsewhere is as good as one made here."""
    import shutil
    import time

    made = appearance._font_bytes_1000()
    shutil.rmtree(fresh)
    appearance._font_bytes_1000.cache_clear()
    time.sleep(1.1)
    assert appearance._font_bytes_1000() == made
