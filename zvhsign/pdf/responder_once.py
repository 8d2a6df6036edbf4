"""An OCSP responder's authorisation, checked once per batch rather than at every response.

Every OCSP response in a copy is signed by the test PKI's (or a real CA's) delegated OCSP
responder, and pyHanko checks that responder's authorisation anew for each response it
validates: it builds a new ``ValidationContext`` (the issuing CA as the only trust anchor,
no revocation checking -- the responder's certificate carries ``id-pkix-ocsp-nocheck``) and
validates the two-certificate path. A demo copy's timestamps and signatures are validated
~10 times over (pyHanko's AdES process validates a signature timestamp at the current time
and again for the proof of existence; zvhsign validates content and document timestamps),
so the same responder was checked ~15 times per copy: ~5 % of a copy's CPU (py-spy, 60
new copies). pyHanko itself notes the opportunity (``validate_ocsp.py``: "maybe have an
(issuer, [verified_responder]) cache?").

For a responder certificate with ``ocsp-nocheck``, pyHanko's check is a function of what
it is given only: the responder's certificate, the issuing authority, and the validation
context's validation time, time tolerance and algorithm policy (the new context is made
of those alone; nothing is fetched, no revocation data is read). So a *passed* check is
kept under exactly those (the certificate and authority by their encodings, pyHanko's
default algorithm policy by its settings -- every context makes its own -- and any other
policy by identity, the object kept with the entry so that its identity stays its own),
and on a later identical question pyHanko's one side effect on the calling context is
made as it makes it: the responder's path recorded as validated. A responder without
``ocsp-nocheck`` (its revocation is checked with the caller's context and data), a check
that fails (asked again, it fails again the same way, with pyHanko's own error) and the
recursion guard are pyHanko's, unchanged.

Installed by the examination (:func:`zvhsign.pdf.examine.examine`), once per process;
``tests/pdf/test_responder_once.py`` shows the same facts with and without, and that a
changed input is asked again.
"""

from __future__ import annotations

import collections
import threading

from . import speedups

_KEEP = 256  # passed checks kept: a batch has a few responders at a few validation times

_lock = threading.Lock()
_passed: collections.OrderedDict = collections.OrderedDict()  # key -> the algorithm policy


def install() -> None:
    """Put the once-per-batch check in place of pyHanko's (once per process)."""
    speedups.install_once("responder_once", _put_in_place)


def _put_in_place() -> None:
    from pyhanko_certvalidator.revinfo import validate_ocsp

    validate_ocsp._validate_delegated_ocsp_provenance = _provenance_once(
        validate_ocsp._validate_delegated_ocsp_provenance, validate_ocsp._delegated_ocsp_response_path
    )


def _authority_key(issuer) -> tuple:  # noqa: ANN001
    """The authority as what the check uses of it: its name and key, and its certificate
    when it has one (a trust anchor made of a certificate may take constraints from it)."""
    cert = getattr(issuer, "certificate", None)
    return (
        type(issuer).__qualname__,
        issuer.name.dump(),
        issuer.public_key.dump(),
        cert.dump() if cert is not None else None,
    )


def _policy_key(policy) -> tuple:  # noqa: ANN001
    """pyHanko's default algorithm policy (a new object in every validation context) by what
    it holds; any other policy by identity (kept with the entry, so the identity stays its own)."""
    from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

    if type(policy) is DisallowWeakAlgorithmsPolicy:
        return ("weak", frozenset(policy.weak_hash_algos), frozenset(policy.weak_signature_algos),
                policy.rsa_key_size_threshold, policy.dsa_key_size_threshold)
    return ("object", id(policy))


def _key(responder_cert, issuer, validation_context) -> tuple:  # noqa: ANN001
    return (
        responder_cert.dump(),
        _authority_key(issuer),
        validation_context.moment,
        validation_context.time_tolerance,
        _policy_key(validation_context.algorithm_policy),
    )


def forget() -> None:
    """Drop every kept check (tests)."""
    with _lock:
        _passed.clear()


def _provenance_once(original, response_path):  # noqa: ANN001, ANN202
    async def _validate_delegated_ocsp_provenance(responder_cert, issuer, validation_context, ee_path, proc_state):  # noqa: ANN001, ANN202
        if responder_cert.ocsp_no_check_value is None or proc_state.check_path_verif_recursion(responder_cert):
            return await original(responder_cert, issuer, validation_context, ee_path, proc_state)
        try:
            key = _key(responder_cert, issuer, validation_context)
        except Exception:  # an authority or context this module does not know how to key
            return await original(responder_cert, issuer, validation_context, ee_path, proc_state)
        with _lock:
            hit = key in _passed and (key[-1][0] == "weak" or _passed[key] is validation_context.algorithm_policy)
            if hit:
                _passed.move_to_end(key)
        if not hit:
            # raises pyHanko's OCSPValidationError when the responder is not authorised
            await original(responder_cert, issuer, validation_context, ee_path, proc_state)
            with _lock:
                _passed[key] = validation_context.algorithm_policy
                while len(_passed) > _KEEP:
                    _passed.popitem(last=False)
            return None
        # what pyHanko does on the calling context after a passed check
        validation_context.record_validation(responder_cert, response_path(responder_cert, issuer, ee_path))
        return None

    _validate_delegated_ocsp_provenance.__wrapped__ = original
    return _validate_delegated_ocsp_provenance
