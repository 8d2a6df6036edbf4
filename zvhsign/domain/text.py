"""Text that every output can carry: valid Unicode, whatever bytes a file held.

Names and keys read from a PDF are bytes; the parsers hand bytes that are not UTF-8 over as
lone surrogates (Python's ``surrogateescape``: byte 0xC4 becomes U+DCC4). Such a string can't
be written as UTF-8 -- a ``--json`` document would not be valid JSON text, a table or a
report would stop at it -- so the bytes are shown the way PDF itself writes a name's bytes:
``#C4`` (ISO 32000-1, 7.3.5). Any other lone surrogate becomes U+FFFD.
"""

from __future__ import annotations

__all__ = ["valid_output", "valid_text", "valid_tree"]


def valid_text(text: str) -> str:
    """``text`` with the bytes a parser could not decode shown as ``#XX``."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
            out.append(f"#{code - 0xDC00:02X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def valid_output(value):  # noqa: ANN001, ANN201
    """A template engine's ``finalize``: every value written into a page, valid text (of the
    same kind: markup that was safe stays marked safe)."""
    if not isinstance(value, str):
        return value
    text = valid_text(value)
    return value if text is value else type(value)(text)


def valid_tree(value):  # noqa: ANN001, ANN201
    """``value`` (a JSON-like tree of dicts, lists and scalars) with every string -- keys
    too -- made :func:`valid_text`; the same object when nothing needed it."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        items = [(valid_tree(k), valid_tree(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items())):
            return value
        return dict(items)
    if isinstance(value, (list, tuple)):
        items = [valid_tree(v) for v in value]
        if all(v is v0 for v, v0 in zip(items, value)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value
