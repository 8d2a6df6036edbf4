"""Issue 15 (bounds per file) and issue 11: arrays nested 1,000 to 100,000 deep in an update
appended to a signed copy. zvhsign names its nesting bound in a finding (exit 1), still
judges the signed revisions before it (intact, not "malformed"), and never shows Python's
"maximum recursion depth exceeded" or a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.pdf.bounds import MAX_NESTING, first_too_deep

from .bombs import with_deep_nesting

CASES = {
    "arrays-1000": (1_000, b"["),
    "arrays-100000": (100_000, b"["),
    # a string before each next level: not the bomb's plain shape, caught when the parser
    # runs out of stack (the bound is still named)
    "arrays-with-strings-3000": (3_000, b"[(x) "),
}


def test_the_bound_is_exact():
    # a dictionary holding arrays: the dictionary is the first level
    inside = MAX_NESTING - 1
    assert first_too_deep(b"%PDF << /A " + b"[0 " * inside + b"]" * inside + b" >>") is None
    assert first_too_deep(b"%PDF << /A " + b"[0 " * (inside + 1) + b" >>") == 5
    assert first_too_deep(b"[" * MAX_NESTING) is None and first_too_deep(b"[" * (MAX_NESTING + 1)) == 0
    nested_dicts = b"<< /Kids " + b"<< /Parent 3 0 R /Kids " * (MAX_NESTING + 1)
    assert first_too_deep(nested_dicts) == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_deep_nesting_is_a_named_bound(approved, signed_convenant, tmp_path, case):
    depth, level = CASES[case]
    path = tmp_path / f"{case}.pdf"
    path.write_bytes(with_deep_nesting(signed_convenant.read_bytes(), depth, level))
    result = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--no-cache", "--json", str(path)])
    assert result.exit_code == 1, result.output
    assert "recursion" not in result.output and "Traceback" not in result.output
    (f,) = json.loads(result.stdout)["files"]
    assert f["status"] == "FAILED" and not f.get("error")
    (bound,) = [x for x in f["findings"] if x["code"] == "STRUCTURE_BOUND_EXCEEDED"]
    assert f"{MAX_NESTING} levels" in bound["message"] and "nesting bound" in bound["message"]
    # the revisions before the hostile update are still judged: every signature intact
    assert f["signatures"] and all(s["intact"] for s in f["signatures"])
    assert not {x["code"] for s in f["signatures"] for x in s["findings"]} & {
        "SIGNATURE_MALFORMED", "SIGNATURE_NOT_INTACT", "SIGNATURE_NOT_VALIDATED"}


def test_the_fast_pattern_finds_what_the_plain_one_finds():
    """pdf/bounds.py writes the first level out (so the regex engine can skip to the next
    bracket); it must find exactly what ``(?>LEVEL){limit+1}`` finds."""
    import os
    import random
    import re

    from zvhsign.pdf import bounds

    plain = re.compile(rb"(?>%s){%d}" % (bounds._LEVEL, MAX_NESTING + 1))
    rnd = random.Random(16)
    pieces = [b"[", b"<<", b"]", b">>", b" ", b"\x00", b"/Name", b"0", b"-1.5", b"12 0 R", b"true", b"(x)", b"%c\n",
              b"<", b">", b"/"]
    samples = [b"[ " * 100, b"[ " * 101, b"<<" * 101, b"<< /K 1 /L [ 2 " * 60, b"[(x) " * 3000]
    for _ in range(300):
        body = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(50, 400)))
        deep = rnd.choice([b"[", b"<<", b"[0 ", b"<</A "]) * rnd.randrange(90, 115)
        samples.append(os.urandom(rnd.randrange(0, 2000)) + body + deep + body)
    for s in samples:
        a, b = plain.search(s), bounds._DEEP.search(s)
        assert (a and a.start()) == (b and b.start()), s[:60]
