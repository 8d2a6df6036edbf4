"""A file's embedded signatures whose integrity facts are computed once.

pyHanko's LTA validation of one signature first gathers the proof of existence the
document timestamps give, and for that computes the integrity facts (the digest over
the /ByteRange, the coverage, the difference analysis of every later revision) of
*every* signature in the file -- again for every signature it validates, and once more
for the signature itself ("in scenarios where we have to verify multiple signatures,
we're doing a lot of double work here", pyHanko's ``compute_integrity_info``). A copy
with a certification, a partner signature and a document timestamp paid for nine
difference analyses where three give the same facts.

Those facts depend on the file's bytes, the signature and the difference policy only --
never on the validation time or the trust settings -- so each signature object here
computes them once per policy and keeps them for the rest of the file's examination.

A document timestamp's facts are computed without the difference analysis. Nothing
zvhsign judges reads it (a timestamp's evidence is its coverage, digest and token; its
modification level is not part of it), and pyHanko's LTA process uses it only as
background facts of the timestamp's status, not for its indication. What changed after a
document timestamp is analysed all the same: by pyHanko for every signature before it
(each signature's analysis runs to the last revision) and by zvhsign's own revision
comparison from the approved version on. Half of a demo copy's analyses were a
timestamp's: 255 -> 125 for 60 copies, the same as pyHanko's own validation loop makes.
"""

from __future__ import annotations

import functools


@functools.cache
def _once_class():
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    from .deepstack import call_deep

    class OnceIntegrity(EmbeddedPdfSignature):
        """``EmbeddedPdfSignature`` computing its integrity facts once per difference policy."""

        _kept_for: tuple | None = None  # (the policy, whether the difference analysis was made)

        def compute_integrity_info(self, diff_policy=None, skip_diff=False):  # noqa: ANN001, ANN201
            if self.sig_object_type == "/DocTimeStamp":
                skip_diff = True  # (see the module's text)
            kept = self._kept_for
            # the same policy object, and the difference analysis made if it is wanted now
            if kept is not None and kept[0] is diff_policy and (kept[1] or skip_diff):
                return
            # (the difference analysis follows the object graph: a deep stack, deepstack.py)
            call_deep(super().compute_integrity_info, diff_policy, skip_diff=skip_diff)
            made_before = kept is not None and kept[0] is diff_policy and kept[1]
            self._kept_for = (diff_policy, not skip_diff or made_before)

    OnceIntegrity.__module__ = __name__
    return OnceIntegrity


def embedded_signature(reader, sig_field, fq_name: str):  # noqa: ANN001, ANN201
    """pyHanko's ``EmbeddedPdfSignature`` of a signature field, its integrity facts
    computed once (see the module's text)."""
    return _once_class()(reader, sig_field, fq_name)
