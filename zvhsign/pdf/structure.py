"""Revision-by-revision structure analysis, independent of pyHanko's diff analysis.

Each revision after the approved one is opened on its own (the byte prefix
ending at that revision) with pikepdf/qpdf -- a second parser -- and reduced to
a canonical model of everything a reader renders or acts on: pages (content,
resources, boxes), annotations, form fields, catalog entries, the stamp
metadata. Two consecutive models may differ only by:

* signature fields that were empty becoming signed (value, appearance);
* new signature fields that are signed in the same revision (invisible ones; a
  visible one only in a document that is not certified; never an empty one);
* validation data added to the /DSS (never removed or replaced), extensions
  (/Extensions);
* in a revision that signs (a signature or document timestamp), document info or
  XMP entries other than the stamp's; in a revision that signs nothing, only the
  modification date and producer.

Anything else is reported as a :class:`~zvhsign.domain.evidence.Change`, whether
or not the copy contains an approved version and whatever pyHanko's difference
analysis says.

The model of a revision is in :mod:`.structure_model`, the comparison of two in
:mod:`.structure_diff`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..domain.digests import Sha256
from ..domain.evidence import Change
from .structure_diff import diff_models
from .structure_model import DocModel, doc_model

# The model of an approved version (its last revision), kept per SHA-256 of its bytes: every
# copy of one approved version starts with the same bytes, so a batch builds that model once
# (a few per worker: the versions a batch mixes; a model holds the objects' canonical forms,
# page contents as digests -- not the file's bytes).
_BASE_KEEP = 4
_base_models: OrderedDict[tuple[str, int], DocModel] = OrderedDict()
_base_lock = threading.Lock()


def _open(data: bytes, end: int):
    import pikepdf

    from .byteview import prefix_stream

    return pikepdf.open(prefix_stream(data, end), attempt_recovery=False, suppress_warnings=True)


def _why(exc: BaseException) -> str:
    from .plaintext import plain_text
    from .stamp import qpdf_text

    return plain_text(qpdf_text(exc))


def _base_model(data: bytes, end: int, base_sha256: Sha256 | None) -> DocModel:
    """The model of ``data[:end]``; kept when the caller names that prefix's SHA-256."""
    key = (base_sha256.hex, end) if base_sha256 is not None else None
    if key is not None:
        with _base_lock:
            found = _base_models.get(key)
            if found is not None:
                _base_models.move_to_end(key)
                return found
    with _open(data, end) as pdf:
        model = doc_model(pdf)
    if key is not None:
        with _base_lock:
            _base_models[key] = model
            while len(_base_models) > _BASE_KEEP:
                _base_models.popitem(last=False)
    return model


def analyse_revisions(
    data: bytes, ends: list[int], start: int, last_signed: int | None = None,
    base_sha256: Sha256 | None = None,
) -> tuple[list[Change], list[str]]:
    """Compare revision ``start`` with every later one, pairwise.

    ``last_signed``: the last revision that adds a signature or document timestamp;
    metadata may not change after it. ``base_sha256``: the SHA-256 of ``data[:ends[start]]``
    when the caller has checked it (an approved version): that revision's model is then
    built once for every copy that starts with those bytes. Returns (changes, problems):
    problems are revisions that can't be parsed on their own (a sign of a crafted or
    damaged update).
    """
    problems: list[str] = []
    try:
        models = [(start, _base_model(data, ends[start], base_sha256))]
    except Exception as exc:
        return [], [f"revision {start + 1} (the base of the comparison) can't be parsed independently: {_why(exc)}"]
    for rev in range(start + 1, len(ends)):
        if ends[rev] == ends[rev - 1]:
            continue  # one revision to readers (the two sections of a linearized file)
        try:
            with _open(data, ends[rev]) as pdf:
                models.append((rev, doc_model(pdf)))
        except Exception as exc:
            problems.append(f"revision {rev + 1} can't be parsed independently: {_why(exc)}")
    final = models[-1][1]
    changes: list[Change] = []
    for (_, prev), (rev, cur) in zip(models, models[1:]):
        after_signatures = last_signed is None or rev > last_signed
        changes.extend(diff_models(prev, cur, rev, final=final, metadata=after_signatures))
    return changes, problems
