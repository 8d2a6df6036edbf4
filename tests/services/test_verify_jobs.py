"""`verify --jobs N`: files examined by N worker processes, the same verdicts in the same order."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.services.operations import verify


def _mixed_batch(signed, tmp_path):
    files = []
    for i in range(4):
        files.append(tmp_path / f"valid-{i}.pdf")
        shutil.copyfile(signed, files[-1])
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01  # inside the signed range
    for i in range(2):
        files.append(tmp_path / f"tampered-{i}.pdf")
        files[-1].write_bytes(bytes(data))
    for i in range(2):  # read, and not a PDF: FAILED, FILE_DAMAGED
        files.append(tmp_path / f"not-a-pdf-{i}.pdf")
        files[-1].write_bytes(b"not a pdf at all")
    for i in range(2):  # can't be read at all: ERROR
        files.append(tmp_path / f"missing-{i}.pdf")
    return files


def _verdicts(doc: dict) -> list:
    """Everything but what differs between any two runs: the evidence each validation fetched
    itself (which OCSP response), and a best signature time that is the validation time
    (nothing proves an earlier one, e.g. on a tampered copy)."""
    for f in doc["files"]:
        for s in f.get("signatures", []):
            s.pop("evidence_used", None)
            if s["indication"] != "TOTAL-PASSED":
                s.pop("best_signature_time", None)
    return doc["files"]


def _flat(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _flat(v, f"{path}.{k}")
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _flat(v, f"{path}[{i}]")
    else:
        yield path, o


def test_jobs_2_gives_the_verdicts_of_one_process(approved, signed_convenant, tmp_path):
    files = _mixed_batch(signed_convenant, tmp_path)
    one = verify(approved.ws, files, jobs=1)
    two = verify(approved.ws, files, jobs=2)
    assert [f.path for f in two.files] == [str(f) for f in files]
    a, b = dict(_flat(_verdicts(one.to_json()))), dict(_flat(_verdicts(two.to_json())))
    assert {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)} == {}
    assert [f.status for f in two.files] == ["VERIFIED"] * 4 + ["FAILED"] * 4 + ["ERROR"] * 2
    assert [f.findings[0].code for f in two.files[6:8]] == ["FILE_DAMAGED"] * 2


def test_cli_jobs_option(approved, signed_convenant, tmp_path):
    files = _mixed_batch(signed_convenant, tmp_path)
    r = CliRunner().invoke(cli, ["-w", str(approved.ws.root), "verify", "--json", "--jobs", "2", *map(str, files)])
    assert r.exit_code == 3, r.output  # some files could not be read
    doc = json.loads(r.stdout)
    assert [f["status"] for f in doc["files"]] == ["VERIFIED"] * 4 + ["FAILED"] * 4 + ["ERROR"] * 2


def test_an_etsi_report_from_worker_processes_is_the_one_of_one_process(approved, signed_convenant, tmp_path,
                                                                         monkeypatch):
    """``--etsi-report`` no longer keeps a large batch in one process: the workers return each
    file's report parts, and the report states the same verdicts, objects and order."""
    import importlib.util
    from pathlib import Path

    from zvhsign.services import parallel

    spec = importlib.util.spec_from_file_location("zvh_jobs_etsi_xml", Path(__file__).parents[1] / "etsi_xml.py")
    etsi_xml = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(etsi_xml)
    pooled = []
    original = parallel.examine_in_pool

    def counted(*args, **kwargs):
        pooled.append(kwargs.get("etsi"))
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "examine_in_pool", counted)
    files = _mixed_batch(signed_convenant, tmp_path)
    xml = {}
    for jobs in (1, 2):
        out = tmp_path / f"etsi-{jobs}.xml"
        # offline: each worker would fetch revocation data of its own (other OCSP responses)
        verify(approved.ws, files, jobs=jobs, etsi_report=out, online=False)
        xml[jobs] = out.read_text("utf-8")
    assert pooled == [True]  # jobs=2 examined in the pool, with the parts
    for read in (etsi_xml.reported, etsi_xml.reported_timestamps):
        assert read(xml[2]) == read(xml[1])
    assert len(etsi_xml.reported(xml[2])) == 12  # two signatures of each of the six readable copies
    assert xml[2].count("<vr:ValidationObject ") == xml[1].count("<vr:ValidationObject ") > 0


def test_the_recorded_copies_of_a_report_are_examined_by_the_workers_alike(approved_workspace_factory, passphrase,
                                                                           signed_convenant, tmp_path, monkeypatch):
    """The audit report examines every recorded copy again from the bytes the registry keeps:
    with several workers (the bytes sent to them), the same verdicts in the same order."""
    from zvhsign.services import parallel
    from zvhsign.services.reporting import gather

    own = approved_workspace_factory(tmp_path / "own", passphrase)
    from zvhsign.services.signing import sign

    signed = tmp_path / "signed.pdf"
    sign(own.ws, own.convenant, own.key("om", passphrase), signed)
    files = []
    for i, source in enumerate(_mixed_batch(signed, tmp_path)[:6] * 2):  # valid and tampered copies
        files.append(tmp_path / f"distinct-{i}.pdf")  # each of its own bytes (whitespace after %%EOF)
        files[-1].write_bytes(source.read_bytes() + b" " * (i + 1) + b"\n")
    assert len(verify(own.ws, files, record=True).files) == 12
    pooled = []
    original = parallel.examine_in_pool

    def counted(ws, copies, **kwargs):
        pooled.append([c.data is not None and c.path is None for c in copies])
        return original(ws, copies, **kwargs)

    monkeypatch.setattr(parallel, "examine_in_pool", counted)
    one = gather(own.ws, responsible="J. de Vries", jobs=1)
    two = gather(own.ws, responsible="J. de Vries", jobs=2)
    assert pooled and all(all(sent) for sent in pooled)  # the registry's bytes, sent to the workers
    assert [f.path for f in two.copies.files] == [f.path for f in one.copies.files]
    a, b = dict(_flat(_verdicts(one.copies.to_json()))), dict(_flat(_verdicts(two.copies.to_json())))
    assert {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)} == {}
