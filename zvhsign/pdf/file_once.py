"""What pyHanko's AdES validation derives from a whole file, derived once per file.

pyHanko's LTA validation of *one* signature starts from the whole file: it reads the DSS
(every OCSP response, CRL and certificate in it parsed anew), gathers the proof of
existence the document timestamps give, and validates that chain of timestamps -- again
for every signature of the file it validates. zvhsign's own steps read the DSS once more
for each timestamp and each signature's evidence. A demo copy (a certification, a partner
signature, document timestamps) read its DSS ~8 times and validated its timestamp chain
twice.

Each of the three depends only on what this module keys it by, so the first answer is kept
with the file's reader (and goes with it once the file's verdict is made):

* the DSS's validation data (``_dss_to_local_knowledge``): the reader. Each caller gets
  lists of its own (the objects in them shared: pyHanko never changes them);
* the prima facie proofs of existence (``_build_prima_facie_poe_index_from_pdf_timestamps``):
  the reader, whether content timestamps count, the difference policy (the same object);
* the validated chain (``_validate_prima_facie_poe``): that list, the validation time and
  settings (every field of the specification the same object, the local knowledge the same
  objects in the same order). Each caller gets a copy of the resulting proof-of-existence
  manager, as pyHanko itself copies it before adding to it. A chain that fails to validate
  is validated again by the next caller (and fails the same way).

Installed by the examination (:func:`zvhsign.pdf.examine.examine`); ``tests/pdf/test_file_once.py``
shows the same verdicts with and without, and how often each is derived per file.
"""

from __future__ import annotations

import copy
import dataclasses

from . import speedups

_KEPT = "_zvhsign_once"  # the reader's attribute holding what was derived from it


class _ProofList(list):
    """pyHanko's list of a file's prima facie proofs of existence, with the validations
    made of it: ``[(timing, specification, key, resulting manager)]``."""

    __slots__ = ("validated",)


def _kept(reader) -> dict:  # noqa: ANN001
    kept = reader.__dict__.get(_KEPT)
    if kept is None:
        kept = reader.__dict__[_KEPT] = {}
    return kept


def install() -> None:
    """Put the once-per-file versions in place of pyHanko's functions (once per process)."""
    speedups.install_once("file_once", _put_in_place)


def _put_in_place() -> None:
    from pyhanko.sign.validation import ades

    ades._dss_to_local_knowledge = _dss_once(ades._dss_to_local_knowledge)
    ades._build_prima_facie_poe_index_from_pdf_timestamps = _proofs_once(
        ades._build_prima_facie_poe_index_from_pdf_timestamps)
    ades._validate_prima_facie_poe = _chain_once(ades._validate_prima_facie_poe)


def _fresh_lists(knowledge):  # noqa: ANN001, ANN202
    return dataclasses.replace(knowledge, **{
        f.name: list(getattr(knowledge, f.name)) for f in dataclasses.fields(knowledge)})


def _dss_once(original):  # noqa: ANN001, ANN202
    def _dss_to_local_knowledge(reader):  # noqa: ANN001, ANN202
        kept = _kept(reader)
        if "dss" not in kept:
            kept["dss"] = original(reader)
        return _fresh_lists(kept["dss"])

    _dss_to_local_knowledge.__wrapped__ = original
    return _dss_to_local_knowledge


def _proofs_once(original):  # noqa: ANN001, ANN202
    def _build_prima_facie_poe_index_from_pdf_timestamps(r, include_content_ts, diff_policy):  # noqa: ANN001, ANN202
        kept = _kept(r)
        key = ("proofs", bool(include_content_ts))
        hit = kept.get(key)
        if hit is not None and hit[0] is diff_policy:
            return hit[1]
        proofs = _ProofList(original(r, include_content_ts, diff_policy))
        proofs.validated = []
        kept[key] = (diff_policy, proofs)
        return proofs

    _build_prima_facie_poe_index_from_pdf_timestamps.__wrapped__ = original
    return _build_prima_facie_poe_index_from_pdf_timestamps


def _spec_key(spec) -> tuple:  # noqa: ANN001
    """The validation settings as identities: every field's object, the local knowledge's
    objects in order (a pinned fetcher backend is where answers come from, not what)."""
    key = []
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if f.name == "local_knowledge":
            key.append(tuple(tuple(map(id, getattr(value, g.name))) for g in dataclasses.fields(value)))
        elif f.name == "revinfo_gathering_policy":
            key.append(tuple(id(getattr(value, g.name)) for g in dataclasses.fields(value)
                             if g.name != "fetcher_backend"))
        else:
            key.append(id(value))
    return tuple(key)


def _chain_once(original):  # noqa: ANN001, ANN202
    async def _validate_prima_facie_poe(prima_facie_poe_sets, validation_spec, cur_timing_info=None):  # noqa: ANN001, ANN202
        if not isinstance(prima_facie_poe_sets, _ProofList) or cur_timing_info is None:
            return await original(prima_facie_poe_sets, validation_spec, cur_timing_info)
        key = _spec_key(validation_spec)
        for timing, _spec, spec_key, manager in prima_facie_poe_sets.validated:
            if timing == cur_timing_info and spec_key == key:
                return copy.copy(manager)
        manager = await original(prima_facie_poe_sets, validation_spec, cur_timing_info)
        # the specification is kept with its key, so the identities in the key stay its own
        prima_facie_poe_sets.validated.append((cur_timing_info, validation_spec, key, copy.copy(manager)))
        return manager

    _validate_prima_facie_poe.__wrapped__ = original
    return _validate_prima_facie_poe
