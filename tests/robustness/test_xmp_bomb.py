"""Issue 15: a Flate bomb in the XMP metadata of an appended update is not
decompressed in full: the stamp reader stops at a few MB and calls it no stamp."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zlib

import pikepdf
import pytest

from zvhsign.pdf.stamp import XMP_MAX_BYTES, XmpTooLarge, read_stamp, read_stamp_from, read_xmp_bytes

from .bombs import with_xmp_bomb

BOMB_SIZE = 400 * 1024 * 1024  # what qpdf would allocate when asked for the stream's data
PEAK_RSS_LIMIT_MB = 300


@pytest.fixture(scope="module")
def bombed(approved, tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "convenant-xmp-bomb.pdf"
    path.write_bytes(with_xmp_bomb(approved.convenant.read_bytes(), BOMB_SIZE))
    return path


def test_the_bomb_is_small_on_disk_and_huge_inflated(bombed):
    size = bombed.stat().st_size
    assert size < 2 * 1024 * 1024
    with pikepdf.open(bombed) as pdf:
        raw = bytes(pdf.Root.Metadata.read_raw_bytes())
    probe = zlib.decompressobj().decompress(raw, XMP_MAX_BYTES * 4)
    assert len(probe) == XMP_MAX_BYTES * 4  # would go on far beyond the cap


def test_read_xmp_bytes_refuses_beyond_the_cap(bombed):
    with pikepdf.open(bombed) as pdf:
        with pytest.raises(XmpTooLarge):
            read_xmp_bytes(pdf)


def test_read_stamp_of_a_bombed_copy_is_no_stamp(bombed, approved):
    with pikepdf.open(approved.convenant) as pdf:
        assert read_stamp(pdf) is not None  # the genuine approved copy
    with pikepdf.open(bombed) as pdf:
        assert read_stamp(pdf) is None
    assert read_stamp_from(bombed.read_bytes(), "bombed") is None


def test_read_stamp_of_a_bombed_copy_stays_within_memory(bombed):
    """In a child process of its own, so its peak RSS is the reader's alone."""
    script = textwrap.dedent(f"""
        import resource, time
        import pikepdf
        from zvhsign.pdf.stamp import read_stamp_from
        data = open({str(bombed)!r}, "rb").read()
        start = time.monotonic()
        result = read_stamp_from(data, "bomb")
        took = time.monotonic() - start
        # VmHWM: this process's own peak (ru_maxrss would carry the forking worker's peak
        # over the exec on Linux, so it measured the test runner, not the reader)
        hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
        print(result is None, hwm // 1024, round(took, 1))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    none, peak_mb, _took = out.stdout.split()
    assert none == "True"
    assert int(peak_mb) < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"


def test_xmp_that_contradicts_the_document_info_is_no_stamp(approved, tmp_path):
    with pikepdf.open(approved.convenant) as pdf:
        xmp = bytes(pdf.Root.Metadata.read_bytes())
        changed = xmp.replace(b'zvh:Version="1.0"', b'zvh:Version="9.9"').replace(b">1.0</zvh:Version>", b">9.9</zvh:Version>")
        assert changed != xmp
        pdf.Root.Metadata = pdf.make_stream(changed)
        out = tmp_path / "x.pdf"
        pdf.save(out)
    with pikepdf.open(out) as pdf:
        assert read_stamp(pdf) is None


def test_unreadable_pdf_message_has_no_python_object_repr():
    from zvhsign.errors import InputError

    with pytest.raises(InputError) as info:
        read_stamp_from(b"%PDF-1.7\n1 0 obj << >> garbage", "kopie.pdf")
    assert "BytesIO" not in info.value.message and "0x" not in info.value.message
    assert info.value.message.startswith("kopie.pdf: not a readable PDF: ")
