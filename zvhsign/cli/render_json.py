"""Verdicts for scripts: ``--json``, the batch's ``to_json()`` as indented JSON.

Kept apart from the tables (``render.py``, rich): a command asked for JSON does not load
the table library."""

from __future__ import annotations

import json

from ..domain.text import valid_tree
from ..domain.verdicts import BatchVerdict

__all__ = ["iter_batch_json", "render_batch_json"]


def render_batch_json(batch: BatchVerdict) -> str:
    return "".join(iter_batch_json(batch))


def iter_batch_json(batch: BatchVerdict):  # noqa: ANN201
    """``batch.to_json()`` as indented JSON, in pieces: one file's verdict at a time is
    turned into JSON and written, so a batch of thousands never holds the whole document
    (the text is the same as ``json.dumps(batch.to_json(), indent=2)``). Every string is
    valid Unicode (:func:`~zvhsign.domain.text.valid_text`): the document is always JSON text
    that UTF-8 can carry, whatever bytes a file's names held."""
    head = valid_tree(batch.to_json_head())
    yield json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "files": ['
    for i, f in enumerate(batch.files):
        body = json.dumps(valid_tree(f.to_json()), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        yield ("," if i else "") + "\n    " + body
    yield "\n  ]\n}" if batch.files else "]\n}"
