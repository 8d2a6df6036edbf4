"""``stamp`` of a source qpdf can't read: one line in words, without the name qpdf gives the
Python stream it reads from; nothing written."""

from __future__ import annotations

import pytest

from zvhsign.domain.documents import DocumentKind
from zvhsign.errors import InputError
from zvhsign.services.operations import stamp


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",  # no page tree
    bytes(range(256)) * 20,  # not a PDF at all
])
def test_an_unreadable_source_is_said_in_words(tmp_path, content):
    src, out = tmp_path / "bron.pdf", tmp_path / "gestempeld.pdf"
    src.write_bytes(content)
    with pytest.raises(InputError) as err:
        stamp(src, DocumentKind.CONVENANT, "1.0", out)
    msg = err.value.message
    assert msg.startswith("the source is not a readable PDF: ") and len(msg) > len("the source is not a readable PDF: ")
    assert "<_io" not in msg and "stream <" not in msg and "object at 0x" not in msg, msg
    assert list(tmp_path.iterdir()) == [src]
