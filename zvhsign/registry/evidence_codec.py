"""The typed facts of an examined copy (:class:`FileEvidence`) as JSON, and back.

``verify --record`` stores them with the copy, so ``status`` re-judges them against
the current registry with the same rules as ``verify`` without reading the PDF again.
cattrs does the (un)structuring of the frozen dataclasses; only the leaf types
(times, digests) are named here.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import cattrs

from zvhsign.domain.digests import Sha256
from zvhsign.domain.evidence import FileEvidence

#: the shape of the stored facts; evidence stored by another schema is examined again
#: (its key in the evidence cache holds the schema too: services/pipeline.py).
#: 2: a qualification's reasons are QualificationReason facts (msgid, params), not strings
SCHEMA = "zvhsign.evidence/2"

_conv = cattrs.Converter()
_conv.register_unstructure_hook(datetime, lambda d: d.isoformat())
_conv.register_structure_hook(datetime, lambda v, _t: datetime.fromisoformat(v))
_conv.register_unstructure_hook(date, lambda d: d.isoformat())
_conv.register_structure_hook(date, lambda v, _t: date.fromisoformat(v))
_conv.register_unstructure_hook(Sha256, lambda d: d.hex)
_conv.register_structure_hook(Sha256, lambda v, _t: Sha256(v))


def dumps(ev: FileEvidence) -> str:
    return json.dumps({"schema": SCHEMA, "evidence": _conv.unstructure(ev)}, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> FileEvidence | None:
    """The stored evidence, or None when it was stored by another schema (examine again)."""
    doc = json.loads(text)
    if doc.get("schema") != SCHEMA:
        return None
    try:
        return _conv.structure(doc["evidence"], FileEvidence)
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError):
        return None
