"""Examining a signed copy: revisions, approved prefix, signatures → FileEvidence.

Signature validation uses pyHanko's AdES API (ETSI EN 319 102-1 indications);
revision boundaries, trailing data and the structural comparison of revisions
are zvhsign's own, so the verdict never rests on a single library's view.

The parts: :mod:`.revisions` (where revisions end, opening the file), :mod:`.sigdicts`
(the signature fields and their /ByteRange), :mod:`.sigexamine` (one signature
validated), :mod:`.doctimestamps` (timestamps), :mod:`.structure` (the revisions
compared), :mod:`.plaintext` (messages for people).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..domain.digests import Sha256
from ..domain.documents import ApprovedVersion
from ..domain.evidence import FileEvidence
from ..errors import DamagedFileError, InputError, stop_if_interrupted
from .doctimestamps import require_archive_proof, with_document_timestamps, utcnow
from .etsi_parts import final_parts
from .byteview import MappedFile, prefix, prefix_stream, release
from .plaintext import plain_text
from .revisions import open_reader, revision_ends, trailing_kind
from .sigdicts import collect_signatures
from .sigexamine import examine_signature
from .trust import TrustEnv

__all__ = ["etsi_report_xml", "examine", "plain_text", "utcnow"]


async def examine(
    path: str,
    data: bytes,
    env: TrustEnv,
    approved_by_size: Callable[[int], list[ApprovedVersion]],
    spec=None,
    etsi: list | None = None,
    file_sha256: Sha256 | None = None,
) -> FileEvidence:
    """Establish the facts about one copy. Raises InputError if it can't be judged.

    ``etsi``: when a list, the ETSI TS 119 102-2 report parts of each signature and document
    timestamp are appended to it, with zvhsign's indication (see :func:`etsi_report_xml`). ``file_sha256``: the SHA-256 of ``data``
    when the caller has it already (a large file is not hashed twice)."""
    from . import file_once, responder_once
    from .deepstack import call_deep
    from .stamp import read_stamp
    from .structure import analyse_revisions

    file_once.install()
    responder_once.install()

    reader, complete_end, parse_notes, bounds = open_reader(data)
    problems = list(parse_notes)
    try:
        ends = revision_ends(prefix(data, complete_end), reader)
    except InputError:
        raise
    except Exception as exc:
        raise DamagedFileError(f"the PDF's revisions can't be read: {plain_text(exc)}") from None
    trailing = len(data) - ends[-1] if trailing_kind(data[ends[-1]:]) else 0

    approved: ApprovedVersion | None = None
    approved_rev: int | None = None
    file_sha256 = file_sha256 or Sha256.of(data)
    for i, end in enumerate(ends):
        candidates = approved_by_size(end)
        if candidates:  # each prefix hashed once (the whole file: already)
            prefix_sha256 = file_sha256 if end == len(data) else Sha256.of(memoryview(data)[:end])
        for candidate in candidates:
            if prefix_sha256 == candidate.approved_sha256:
                approved, approved_rev = candidate, i
    release(data)  # a mapped file's pages: the parsers read it with pread from here on
    stamp = None
    try:
        import pikepdf

        with pikepdf.open(prefix_stream(data, ends[approved_rev if approved_rev is not None else -1])) as pdf:
            stamp = read_stamp(pdf)
    except Exception:
        stamp = None

    spec = spec or env.signature_spec()
    timing = env.timing()  # one validation time for every signature of the file
    signatures = []
    embedded, unprocessable, sig_problems = collect_signatures(reader, ends, prefix(data, complete_end))
    reader._embedded_signatures = embedded  # later-timestamp lookups see the same list
    pyhanko_parts: dict | None = {} if etsi is not None else None
    embedded_of: dict = {}
    for embedded_sig in embedded:
        sig_ev = await examine_signature(embedded_sig, ends, reader, env, spec, pyhanko_parts, timing)
        if id(embedded_sig) in sig_problems:
            sig_ev = dataclasses.replace(sig_ev, byte_range_problem=sig_problems[id(embedded_sig)])
        signatures.append(sig_ev)
        embedded_of[(sig_ev.field_name, sig_ev.revision)] = embedded_sig
    signatures.extend(unprocessable)
    signatures.sort(key=lambda s: s.revision)
    signatures = require_archive_proof(with_document_timestamps(signatures))
    if etsi is not None:  # every signature, with the indication the verdict rests on
        etsi.extend(final_parts(signatures, pyhanko_parts, embedded_of, timing.validation_time, file_sha256.hex))

    # zvhsign's own revision analysis, from the approved version -- or, in a copy that
    # contains none, from the first signed revision: its findings never rest on the
    # approval check or on pyHanko's difference analysis
    base = approved_rev
    if base is None and signatures:
        base = min(s.revision for s in signatures)
    changes: list = []
    if base is not None and base < len(ends):
        last_signed = max((s.revision for s in signatures), default=None)
        base_sha256 = approved.approved_sha256 if approved is not None and base == approved_rev else None
        changes, more = call_deep(analyse_revisions, data, ends, base, last_signed, base_sha256)
        problems.extend(more)
    if isinstance(data, MappedFile) and not data.unchanged():
        raise InputError("the file changed while it was examined; verify it again")
    stop_if_interrupted()  # facts gathered while an interrupt was swallowed are not kept
    return FileEvidence(
        path=path,
        size=len(data),
        sha256=file_sha256,
        revision_ends=tuple(ends),
        trailing_bytes=trailing,
        stamp=stamp,
        approved=approved,
        approved_revision=approved_rev,
        changes=tuple(changes),
        signatures=tuple(signatures),
        structure_problems=tuple(problems),
        validated_at=env.moment or utcnow(),
        structure_base_revision=base,
        bounds_exceeded=tuple(bounds),
    )


def etsi_report_xml(parts: list) -> str:
    """Combine the parts collected by :func:`examine` (over any number of files) into one
    ETSI TS 119 102-2 ValidationReport, serialised as pyHanko's generator does."""
    from pyhanko.generated.etsi import ts_11910202
    from pyhanko.sign.validation.report.tools import NAMESPACES
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    parts = [p for p in parts if p is not None]
    # one object per identifier (a document timestamp's: one per file)
    seen: set = set()
    objects = []
    for _, objs in parts:
        for vo in objs:
            if vo.id not in seen:
                seen.add(vo.id)
                objects.append(vo)
    report = ts_11910202.ValidationReport(
        signature_validation_report=tuple(r for r, _ in parts if r is not None),
        signature_validation_objects=ts_11910202.ValidationObjectListType(tuple(objects)),
    )
    return XmlSerializer(config=SerializerConfig(indent="  ")).render(report, ns_map=NAMESPACES)
