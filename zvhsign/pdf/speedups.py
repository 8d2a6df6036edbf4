"""Three of pyHanko's hot spots done faster, with the same results: installed once per process.

Measured on the demo's copies (cProfile, ``zvhsign verify --jobs 1`` over 60 new copies),
a third of the examination's CPU went to pure functions of pyHanko and asn1crypto:

* **hex strings** (``pyhanko.pdf_utils.generic.read_hex_string_from_stream``, ~15 %): a
  signature's ``/Contents`` -- the CMS, 10-40 kB of hex digits -- is read one byte per Python
  call, with a generator step and a whitespace loop per digit (4.5 million calls for the
  60 copies). Here it is read in one piece: whitespace removed and the digits decoded by
  ``bytes.translate`` and ``binascii``. Anything but hex digits and whitespace between ``<``
  and ``>`` (a comment, a stray byte), or no ``>`` at all, is left to pyHanko's own reader
  from the same position, so its result -- or its error -- is exactly pyHanko's.
* **name comparison** (asn1crypto's ``NameTypeAndValue._ldap_string_prep``, ~9 %): every
  certificate parsed from a file is a new object, so the RFC 4518 preparation of the same
  names ("CN=ZVH Test TSA") is made anew for every signature, timestamp and OCSP response
  -- 0.2 ms each, 400 per copy. Its result depends on the string only, so it is kept per
  string (bounded); a string it refuses (``ValueError``) is refused again every time.
* **whole names compared** (asn1crypto's ``Name.__eq__``, ~5 % after the above): finding a
  CMS signer's certificate, an OCSP responder or an issuer compares names ~120 times per
  copy, 0.17 ms each, nearly always the same few pairs. Equality under RFC 5280 depends on
  the two names' encodings only, so the answer is kept per pair of encodings (bounded); an
  error is raised as before and nothing kept; anything but two ``Name`` objects is left to
  the original.

Each replacement falls back to the original for anything they do not decide themselves;
``tests/pdf/test_speedups.py`` compares them with the originals on generated and
malformed input. They change no verdict: the equivalence corpus and the external products'
PDFs get the same facts (see that test).
"""

from __future__ import annotations

import binascii
import functools
import threading

# PDF whitespace (ISO 32000-1 7.2.2) and hex digits, as pyHanko's reader defines them
_WHITESPACE = b" \n\r\t\f\x00"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_CHUNK = 1 << 16
_PREPARED_NAMES = 4096  # distinct name strings kept: a batch has a few dozen
_COMPARED_NAMES = 4096  # distinct pairs of encoded names kept: a batch has a few hundred

_lock = threading.Lock()
_installed: set[str] = set()  # what is in place in this process


def install_once(name: str, put_in_place) -> None:  # noqa: ANN001
    """Call ``put_in_place()`` once per process (the first caller; others wait for it)."""
    if name in _installed:
        return
    with _lock:
        if name not in _installed:
            put_in_place()
            _installed.add(name)


def install() -> None:
    """Put the faster functions in place of pyHanko's and asn1crypto's (once)."""
    install_once("parsing", _put_in_place)


def _put_in_place() -> None:
    from asn1crypto import x509
    from pyhanko.pdf_utils import generic

    generic.read_hex_string_from_stream = _hex_reader(generic.read_hex_string_from_stream, generic.pdf_string)
    x509.NameTypeAndValue._ldap_string_prep = _prepared_once(x509.NameTypeAndValue._ldap_string_prep)
    x509.Name.__eq__ = _compared_once(x509.Name.__eq__, x509.Name)


def reader(stream, strict: bool = True):  # noqa: ANN001, ANN201
    """pyHanko's ``PdfFileReader`` over ``stream``, with the faster functions installed."""
    install()
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(stream, strict=strict)


def _hex_reader(original, pdf_string):  # noqa: ANN001, ANN202
    def read_hex_string_from_stream(stream):  # noqa: ANN001, ANN202
        start = stream.tell()
        digits = _hex_digits(stream, start)
        if digits is None:  # not plain hex and whitespace, or no end: pyHanko's reader decides
            stream.seek(start)
            return original(stream)
        if len(digits) % 2:
            digits += b"0"  # an odd last digit is followed by 0 (ISO 32000-1 7.3.4.3)
        return pdf_string(binascii.unhexlify(digits))

    read_hex_string_from_stream.__wrapped__ = original
    return read_hex_string_from_stream


def _hex_digits(stream, start: int) -> bytes | None:  # noqa: ANN001
    """The digits of the hex string at ``start`` (its ``<``), the stream left after its ``>``;
    None when anything but digits and whitespace comes before the ``>``, or no ``>`` comes."""
    stream.read(1)
    parts = []
    pos = start + 1
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return None
        end = chunk.find(b">")
        if end < 0:
            parts.append(chunk)
            pos += len(chunk)
            continue
        parts.append(chunk[:end])
        digits = b"".join(parts).translate(None, _WHITESPACE)
        if digits.translate(None, _HEX_DIGITS):
            return None
        stream.seek(pos + end + 1)
        return digits


def _prepared_once(original):  # noqa: ANN001, ANN202
    @functools.lru_cache(maxsize=_PREPARED_NAMES)
    def prepared(string: str) -> str:
        return original(None, string)

    def _ldap_string_prep(self, string):  # noqa: ANN001, ANN202
        if type(string) is not str:  # noqa: E721 - a str subclass may compare differently
            return original(self, string)
        return prepared(string)

    _ldap_string_prep.__wrapped__ = original
    return _ldap_string_prep


def _compared_once(original, name_type):  # noqa: ANN001, ANN202
    kept: dict[tuple[bytes, bytes], bool] = {}

    def __eq__(self, other):  # noqa: ANN001, ANN202, N807
        if type(self) is not name_type or type(other) is not name_type:
            return original(self, other)
        key = (self.dump(), other.dump())  # (kept by the parsed object: no encoding work)
        found = kept.get(key)
        if found is None:
            found = original(self, other)  # an error is raised as before, and nothing kept
            if len(kept) >= _COMPARED_NAMES:
                kept.clear()
            kept[key] = found
        return found

    __eq__.__wrapped__ = original
    return __eq__
