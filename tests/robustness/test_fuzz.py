"""Issue 15, fuzz harness: seeded, bounded mutants of signed copies (mutator.py) verified
in bulk. A few hundred cases here (ZVHSIGN_FUZZ_CASES=N for more; ZVHSIGN_FUZZ_SEED to
vary them; benchmarks/fuzz.py for a report with figures).

It asserts: every file gets a verdict (a file that can't be examined gets its own ERROR,
never an exception that stops the batch); a changed byte inside a signed range is never
VERIFIED; `verify --json` over a chunk with every bomb writes valid JSON and nothing of a
library (no traceback) on stderr; the peak memory of that process stays under 1 GB.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .mutator import Mutant, mutants
from ._util import zvhsign_argv

CASES = int(os.environ.get("ZVHSIGN_FUZZ_CASES", "200"))
SEED = int(os.environ.get("ZVHSIGN_FUZZ_SEED", "15"))
CHUNK = 100  # files per in-process verify() call
CLI_SAMPLE = 24  # ordinary mutants that go with every bomb into the CLI run
PEAK_RSS_LIMIT_MB = 1024
BOMBS = {"xmp_bomb", "objstm_bomb", "nesting"}
STATUSES = {"VERIFIED", "FAILED", "ERROR"}

pytestmark = pytest.mark.xdist_group("fuzz")  # one worker: the cases share their set-up


@pytest.fixture(scope="module")
def bases(approved, signed_convenant, passphrase, tmp_path_factory) -> dict[str, bytes]:
    """The copies the mutants are made of: an approved version alone (certification +
    validation data), a partner-signed covenant (B-LTA) and a partner-signed protocol."""
    from zvhsign.services.signing import sign

    protocol = tmp_path_factory.mktemp("fuzz-base") / "protocol-om.pdf"
    sign(approved.ws, approved.protocol, approved.key("om", passphrase), protocol)
    return {
        "approved": approved.convenant.read_bytes(),
        "convenant-om": signed_convenant.read_bytes(),
        "protocol-om": protocol.read_bytes(),
    }


@pytest.fixture(scope="module")
def fuzzed(approved, bases, tmp_path_factory):
    """(mutants, their paths, their verdicts) -- verified in one call per chunk."""
    from zvhsign.services.operations import verify

    folder = tmp_path_factory.mktemp("fuzz")
    cases: list[Mutant] = []
    paths: list[Path] = []
    for m in mutants(bases, CASES, SEED):
        path = folder / f"{m.name}.pdf"
        path.write_bytes(m.data)
        cases.append(m)
        paths.append(path)
    verdicts = []
    for start in range(0, len(paths), CHUNK):
        chunk = paths[start:start + CHUNK]
        batch = verify(approved.ws, chunk, online=False, jobs=None)
        verdicts.extend(batch.files)
        assert len(batch.files) == len(chunk)
    counts = collections.Counter((m.kind, v.status) for m, v in zip(cases, verdicts))
    print("\nfuzz verdicts (kind, status): count")
    for key in sorted(counts):
        print(f"  {key}: {counts[key]}")
    return cases, paths, verdicts


def test_every_mutant_gets_its_own_verdict(fuzzed):
    cases, paths, verdicts = fuzzed
    assert len(verdicts) == len(cases) == CASES
    for path, v in zip(paths, verdicts):
        assert v.path == str(path)
        assert v.status in STATUSES
        if v.error is not None:
            assert v.error.strip(), f"{path.name}: an ERROR without a reason"
            assert "Traceback" not in v.error and "object at 0x" not in v.error, v.error
        for f in v.all_findings():
            assert f.message.strip(), f"{path.name}: {f.code} with an empty message"
            assert "Traceback" not in f.message and "object at 0x" not in f.message, f.message


def test_a_file_that_could_be_read_is_judged(fuzzed):
    """The pipeline's "could not be examined" is its word for an exception it did not expect:
    a damaged structure in a file zvhsign could read must be a finding (FAILED, exit 1) --
    a damaged signature dictionary or CMS is SIGNATURE_MALFORMED -- never an ERROR (exit 3)."""
    cases, _paths, verdicts = fuzzed
    unjudged = [f"{m.name}: {v.error}" for m, v in zip(cases, verdicts)
                if (v.error or "").startswith("could not be examined")]
    assert not unjudged, unjudged


def test_a_changed_byte_inside_a_signed_range_is_never_verified(fuzzed):
    cases, _paths, verdicts = fuzzed
    inside = [(m, v) for m, v in zip(cases, verdicts) if m.in_signed_range]
    assert len(inside) >= CASES // 4  # the harness does hit the signed ranges
    false_accepts = [f"{m.name}: {m.note}" for m, v in inside if v.verified]
    assert not false_accepts, false_accepts


def test_the_unchanged_bases_are_verified(approved, bases, tmp_path):
    """The control: without a mutation the signed bases are VERIFIED (offline), and the
    approved copy alone fails only for want of a partner signature."""
    from zvhsign.services.operations import verify

    paths = []
    for name, data in bases.items():
        (tmp_path / f"{name}.pdf").write_bytes(data)
        paths.append(tmp_path / f"{name}.pdf")
    batch = verify(approved.ws, paths, online=False)
    by_name = {Path(v.path).stem: v for v in batch.files}
    assert by_name["convenant-om"].verified and by_name["protocol-om"].verified
    blocking = [f.code for f in by_name["approved"].all_findings() if f.level.blocks]
    assert blocking == ["NO_PARTNER_SIGNATURE"], blocking


def test_the_etsi_report_on_hostile_copies_states_every_verdict(approved, fuzzed, tmp_path):
    """``--etsi-report`` over mutants of every kind: the XML is written and parses, with a part
    for every signature and an object for every document timestamp of every file that could
    be examined, each with the indication verify gives it -- also where pyHanko gave none."""
    import importlib.util

    from zvhsign.services.operations import verify

    spec = importlib.util.spec_from_file_location("zvh_fuzz_etsi_xml", Path(__file__).parents[1] / "etsi_xml.py")
    etsi_xml = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(etsi_xml)
    cases, paths, _verdicts = fuzzed
    chosen = paths[::3]
    out = tmp_path / "etsi.xml"
    batch = verify(approved.ws, chosen, online=False, etsi_report=out)
    xml = out.read_text("utf-8")
    assert etsi_xml.reported(xml) == etsi_xml.expected(batch)
    # one object per document timestamp of each distinct file (a file's copies are one object)
    distinct = {f.evidence.sha256.hex: f for f in batch.files if f.evidence is not None}
    assert etsi_xml.reported_timestamps(xml) == etsi_xml.expected_timestamps(type(batch)(tuple(distinct.values())))
    assert len(etsi_xml.reported(xml)) >= len(chosen) // 2  # the mutants' signatures are there


_MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    out, err = sys.argv[1], sys.argv[2]
    with open(out, "wb") as o, open(err, "wb") as e:
        rc = subprocess.run(sys.argv[4:], stdout=o, stderr=e, stdin=subprocess.DEVNULL).returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    open(sys.argv[3], "w").write(f"{rc} {peak}")
""")


def test_verify_json_on_hostile_copies_is_quiet_valid_and_bounded(approved, fuzzed, tmp_path):
    """One CLI run over every bomb, every name with bytes that are not UTF-8 and a sample
    of the other mutants, in a process of its own (its peak RSS, and that of any worker it
    starts, is measured apart), its output strict UTF-8 as on a terminal."""
    cases, paths, _verdicts = fuzzed
    chosen = [p for m, p in zip(cases, paths) if m.kind in BOMBS | {"name_bytes"}]
    chosen += [p for m, p in zip(cases, paths) if m.kind not in BOMBS | {"name_bytes"}][:CLI_SAMPLE]
    out, err, figures = tmp_path / "out.json", tmp_path / "err.txt", tmp_path / "rc"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env["PYTHONIOENCODING"] = "utf-8"
    subprocess.run(
        [sys.executable, "-c", _MEASURE, out, err, figures, *zvhsign_argv(),
         "-w", str(approved.ws.root), "verify", "--json", "--offline", *map(str, chosen)],
        env=env, check=True, timeout=900,
    )
    rc, peak_mb = (int(x) for x in figures.read_text().split())
    stderr = err.read_text("utf-8")
    assert rc in (1, 3), stderr  # findings; 3 when a file could not be examined
    assert "Traceback" not in stderr and "Warning" not in stderr and "qpdf" not in stderr.lower(), stderr
    assert len(stderr.splitlines()) <= 2, stderr
    doc = json.loads(out.read_text("utf-8"))
    assert [f["path"] for f in doc["files"]] == [str(p) for p in chosen]
    assert {f["status"] for f in doc["files"]} <= STATUSES
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"
