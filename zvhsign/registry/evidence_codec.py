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
from zvhsign.domain.qualification import QualificationReason
from zvhsign.domain.text import valid_tree

#: the shape of the stored facts; evidence stored by an unknown schema is examined again
#: (its key in the evidence cache holds the schema too: services/pipeline.py).
#: 2: a qualification's reasons are QualificationReason facts (msgid, params), not strings
#: 3: a timestamp names its trust problem (``TimestampEvidence.trust_problem``)
SCHEMA = "zvhsign.evidence/3"
#: read too: schema 2 is schema 3 without the timestamps' trust problems (None: unknown)
SCHEMA_2 = "zvhsign.evidence/2"
#: read too: evidence recorded (``verify --record``) before schema 2, whose reasons are the
#: English sentences. Were it examined again instead, every command would re-examine every
#: covenant copy recorded before the upgrade (``Pipeline.prepare``), each time.
SCHEMA_1 = "zvhsign.evidence/1"

_conv = cattrs.Converter()
_conv.register_unstructure_hook(datetime, lambda d: d.isoformat())
_conv.register_structure_hook(datetime, lambda v, _t: datetime.fromisoformat(v))
_conv.register_unstructure_hook(date, lambda d: d.isoformat())
_conv.register_structure_hook(date, lambda v, _t: date.fromisoformat(v))
_conv.register_unstructure_hook(Sha256, lambda d: d.hex)
_conv.register_structure_hook(Sha256, lambda v, _t: Sha256(v))


def _reason(value, _t) -> QualificationReason:  # noqa: ANN001
    if isinstance(value, str):  # schema 1: the sentence itself, kept as it was (never re-worded)
        return QualificationReason(value.replace("{", "{{").replace("}", "}}"))
    return QualificationReason(value["msgid"], tuple((str(k), str(v)) for k, v in value["params"]))


_conv.register_structure_hook(QualificationReason, _reason)


def dumps(ev: FileEvidence) -> str:
    """The evidence as JSON text the database can store (bytes a parser could not decode as
    ``#XX``, as every output shows them)."""
    return json.dumps({"schema": SCHEMA, "evidence": valid_tree(_conv.unstructure(ev))},
                      ensure_ascii=False, sort_keys=True)


def loads(text: str) -> FileEvidence | None:
    """The stored evidence, or None when it was stored by an unknown schema (examine again).
    Schema-1 evidence is read as it is: its qualification reasons stay the English sentences."""
    doc = json.loads(text)
    if doc.get("schema") not in (SCHEMA, SCHEMA_2, SCHEMA_1):
        return None
    if doc.get("schema") in (SCHEMA, SCHEMA_2) and not _reasons_are_facts(doc["evidence"]):
        return None  # string reasons under the new schema: not written by zvhsign
    try:
        return _conv.structure(doc["evidence"], FileEvidence)
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError):
        return None


def _reasons_are_facts(evidence: dict) -> bool:
    return all(not isinstance(r, str) for sig in evidence.get("signatures", ())
               for r in (sig.get("qualification") or {}).get("reasons", ()))
