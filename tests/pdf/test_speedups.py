"""zvhsign/pdf/speedups.py: the faster hex-string reader and name preparation give exactly
what pyHanko's and asn1crypto's originals give -- the same value, the same error, the stream
left at the same place -- on generated, malformed and real input."""

from __future__ import annotations

import io
import random

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils import generic

from tests.conftest import EXTERNAL_SIGNED
from zvhsign.pdf import speedups

speedups.install()
FAST = generic.read_hex_string_from_stream
ORIGINAL = FAST.__wrapped__
FAST_PREP = x509.NameTypeAndValue._ldap_string_prep
ORIGINAL_PREP = FAST_PREP.__wrapped__


def _outcome(read, data: bytes, at: int = 0):
    stream = io.BytesIO(data)
    stream.seek(at)
    try:
        value = read(stream)
    except Exception as exc:  # noqa: BLE001 - the error is part of the outcome compared
        return ("error", type(exc), str(exc))
    return ("value", type(value), bytes(value.original_bytes), stream.tell())


def _same(data: bytes, at: int = 0) -> None:
    assert _outcome(FAST, data, at) == _outcome(ORIGINAL, data, at), (data[at:at + 80], at)


def test_installed_once_and_through_the_reader_factory():
    speedups.install()
    assert generic.read_hex_string_from_stream is FAST
    assert FAST.__wrapped__ is not FAST and ORIGINAL.__module__ == "pyhanko.pdf_utils.generic"
    assert ORIGINAL_PREP.__qualname__ == "NameTypeAndValue._ldap_string_prep"


@pytest.mark.parametrize("data", [
    b"<>", b"<48656c6c6f>", b"<48656C6C6F>", b"<4>", b"<486>", b"< 48 65\n6c\r\n6c\t6f\x00\x0c>",
    b"<FEFF00480069>", b"<feff004800>", b"<48656c6c6f> trailing", b"<4865%comment>\n6c>",
    b"<48%c\n65>", b"<48 6g>", b"<48\x01>", b"<4865", b"<", b"<48 65 ", b"<<48>", b"<48<65>",
    b"<48>>", b"<" + b"ab" * 70000 + b">", b"<" + b"a " * 40000 + b"b>", b"<" + b"ab" * 40000,
    b"<" + b"ab" * 32767 + b"a>", b"<" + b"ab" * 32767 + b"%x\n>",
])
def test_the_same_outcome_as_pyhankos_reader(data):
    _same(data)
    _same(b"junk " + data, at=5)


def test_the_same_outcome_on_random_input():
    rng = random.Random(20261201)
    alphabet = b"0123456789abcdefABCDEF \n\r\t\x00\x0c%>g<\x80"
    for _ in range(3000):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        _same(b"<" + body + rng.choice([b">", b"", b" >"]))


def _hex_starts(data: bytes, limit: int):
    """Offsets of a single ``<`` (a hex string's start, or a byte of binary data)."""
    found = 0
    at = data.find(b"<")
    while at >= 0 and found < limit:
        if data[at + 1:at + 2] != b"<" and data[at - 1:at] != b"<":
            found += 1
            yield at
        at = data.find(b"<", at + 1)


def test_the_same_outcome_on_other_products_pdfs():
    """Every single ``<`` in the external products' PDFs (hex strings -- their signatures'
    /Contents among them -- and binary data that happens to hold one), read by both."""
    pdfs = sorted(EXTERNAL_SIGNED.glob("*.pdf"))
    assert len(pdfs) >= 10, "../shared/external-signed is missing"
    read = 0
    for pdf in pdfs:
        data = pdf.read_bytes()
        for at in _hex_starts(data, 1500):
            _same(data, at)
            read += 1
    assert read > 5000


@pytest.mark.parametrize("value", [
    "ZVH Test TSA", "  zvh   test  TSA ", "Gemeente\u00a0Haarlem", "Ｆｕｌｌｗｉｄｔｈ", "stra\u00dfe",
    "e\u0301", "\u00ad\u200bsoft", "tab\there", "", " ", "\u05d0\u05d1", "\u05d0a",
    "private \ue000", "\ufffd", "\U000e0020tag",
])
def test_name_preparation_the_same_and_kept_per_string(value):
    def outcome(prep):
        try:
            return ("value", prep(None, value))
        except Exception as exc:  # noqa: BLE001
            return ("error", type(exc), str(exc))

    assert outcome(FAST_PREP) == outcome(ORIGINAL_PREP)
    assert outcome(FAST_PREP) == outcome(FAST_PREP)  # kept or refused, the same the second time


def test_names_compare_as_before():
    def name(cn: str) -> x509.Name:
        return x509.Name.build({"common_name": cn, "organization_name": "ZVH"})

    assert name("ZVH  Test\u00a0TSA") == name("zvh test tsa")
    assert name("ZVH Test TSA") != name("ZVH Test CA")
    assert name("ZVH Test TSA").hashable == x509.Name.build(
        {"organization_name": "zvh", "common_name": " zvh test tsa"}).hashable


FAST_EQ = x509.Name.__eq__
ORIGINAL_EQ = FAST_EQ.__wrapped__


def _names() -> list:
    """Subjects and issuers of the test PKI's certificates, and built names that differ
    only in what RFC 4518 preparation ignores (case, spaces) or in one attribute."""
    from asn1crypto import pem

    from tests.conftest import CERTS

    names = []
    for path in sorted(CERTS.glob("*.cert.pem")):
        cert = x509.Certificate.load(pem.unarmor(path.read_bytes())[2])
        names += [cert.subject, cert.issuer]
    for cn in ("ZVH Test TSA", "zvh  test\u00a0tsa", "ZVH Test CA", "Gemeente Haarlem", "Stra\u00dfe"):
        names.append(x509.Name.build({"common_name": cn, "organization_name": "ZVH"}))
        names.append(x509.Name.build({"organization_name": "ZVH", "common_name": cn}))
    return names


def test_names_compared_the_same_and_kept_per_pair_of_encodings():
    names = _names()
    assert len(names) > 50
    outcomes = set()
    for _ in range(2):  # computed, then kept
        for a in names:
            for b in names:
                fast, original = FAST_EQ(a, b), ORIGINAL_EQ(a, b)
                assert fast is original, (a.human_friendly, b.human_friendly)
                assert (a != b) is (not original)
                outcomes.add(original)
    assert outcomes == {True, False}  # both answers occur among the pairs
    # not a Name: decided by the original, as before
    assert FAST_EQ(names[0], "CN=ZVH Test TSA") is False and (names[0] == names[0].chosen) is False
