"""Stamping is byte-for-byte reproducible (issue 2, Done when)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from zvhsign.domain.documents import DocumentKind
from zvhsign.services.operations import stamp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_stamping_twice_gives_identical_bytes(tmp_path):
    src = FIXTURES / "samenwerkingsconvenant-1.0.pdf"
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    stamp(src, DocumentKind.CONVENANT, "1.0", a)
    stamp(src, DocumentKind.CONVENANT, "1.0", b)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != src.read_bytes()


def test_stamp_depends_on_its_arguments(tmp_path):
    src = FIXTURES / "samenwerkingsconvenant-1.0.pdf"
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    stamp(src, DocumentKind.CONVENANT, "1.0", a)
    stamp(src, DocumentKind.CONVENANT, "1.1", b)
    assert hashlib.sha256(a.read_bytes()).digest() != hashlib.sha256(b.read_bytes()).digest()
