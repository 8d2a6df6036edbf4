"""zvhsign/pdf/responder_once.py: an OCSP responder's authorisation (``ocsp-nocheck``) is
checked by pyHanko once per batch instead of at every OCSP response -- with the same facts
as pyHanko's own check run every time, a changed input asked again, and a failed check
never kept. Real certificates of the test PKI, pyHanko's real check."""

from __future__ import annotations

import asyncio
import datetime
from collections import Counter

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator._state import ValProcState
from pyhanko_certvalidator.authority import AuthorityWithCert, CertTrustAnchor
from pyhanko_certvalidator.errors import OCSPValidationError
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.revinfo import validate_ocsp
from pyhanko_certvalidator.util import ConsList

from zvhsign.pdf import responder_once, speedups
from zvhsign.testpki import certs_dir

NAME = "_validate_delegated_ocsp_provenance"
MOMENT = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.timezone.utc)


def _cert(name: str):
    return load_cert_from_pemder(str(certs_dir() / "out" / f"{name}.cert.pem"))


def _original():
    fn = getattr(validate_ocsp, NAME)
    return getattr(fn, "__wrapped__", fn)


def _counted(calls: Counter):
    original = _original()

    async def counted(*args, **kwargs):
        calls["checked"] += 1
        return await original(*args, **kwargs)

    return counted


@pytest.fixture
def pki():
    root, ca = _cert("zvh-root"), _cert("zvh-ca")
    responder = _cert("ocsp-responder")
    assert responder.ocsp_no_check_value is not None  # the case this module keeps
    ee_path = ValidationPath(trust_anchor=CertTrustAnchor(root), interm=[ca], leaf=_cert("tsa"))
    return root, ca, responder, ee_path


def _ask(check, pki, *, moment=MOMENT, issuer=None, context=None):
    """One check of the responder as pyHanko's OCSP validation asks it; the calling context."""
    root, ca, responder, ee_path = pki
    vc = context or ValidationContext(trust_roots=[root], moment=moment, allow_fetching=False)
    state = ValProcState(cert_path_stack=ConsList.sing(ee_path))
    asyncio.run(check(responder, issuer or AuthorityWithCert(ca), vc, ee_path, state))
    return vc


def test_kept_once_and_recorded_on_every_context(pki):
    responder_once.forget()
    calls: Counter = Counter()
    check = responder_once._provenance_once(_counted(calls), validate_ocsp._delegated_ocsp_response_path)
    first = _ask(check, pki)
    second = _ask(check, pki)
    assert calls["checked"] == 1
    # pyHanko's side effect on the calling context made on a kept answer too
    for vc in (first, second):
        path = vc.check_validation(pki[2])
        assert path is not None and path.leaf.dump() == pki[2].dump()


def test_another_moment_or_policy_is_asked_again(pki):
    responder_once.forget()
    calls: Counter = Counter()
    check = responder_once._provenance_once(_counted(calls), validate_ocsp._delegated_ocsp_response_path)
    _ask(check, pki)
    _ask(check, pki, moment=MOMENT + datetime.timedelta(seconds=1))
    assert calls["checked"] == 2
    # the responder is not valid in 2040: pyHanko's error, and nothing kept for that moment
    later = MOMENT.replace(year=2040)
    for _ in range(2):
        with pytest.raises(OCSPValidationError):
            _ask(check, pki, moment=later)
    assert calls["checked"] == 4


def test_a_failed_check_is_never_kept(pki):
    responder_once.forget()
    calls: Counter = Counter()
    check = responder_once._provenance_once(_counted(calls), validate_ocsp._delegated_ocsp_response_path)
    rogue = AuthorityWithCert(_cert("rogue-root"))  # did not issue the responder's certificate
    for _ in range(3):
        with pytest.raises(OCSPValidationError):
            _ask(check, pki, issuer=rogue)
    assert calls["checked"] == 3
    _ask(check, pki)  # the real issuer: its own answer, asked once
    _ask(check, pki)
    assert calls["checked"] == 4


def test_the_kept_set_is_bounded(pki, monkeypatch):
    responder_once.forget()
    monkeypatch.setattr(responder_once, "_KEEP", 3)
    check = responder_once._provenance_once(_original(), validate_ocsp._delegated_ocsp_response_path)
    for i in range(5):
        _ask(check, pki, moment=MOMENT + datetime.timedelta(seconds=i))
    assert len(responder_once._passed) == 3


def _judged(evidence) -> list:
    return [(s.field_name, s.kind, s.indication, s.subindication, s.intact, s.valid, s.trusted,
             s.pades_level, s.modification_level, s.best_signature_time,
             s.signature_timestamp is not None and s.signature_timestamp.ok,
             s.content_timestamp is not None and s.content_timestamp.ok,
             [(r.source, r.sha256) for r in s.revocation_used if r.source == "file"])
            for s in evidence.signatures]


def _examined(ws, path, monkeypatch, *, once: bool) -> tuple[list, Counter]:
    from zvhsign.pdf.examine import examine
    from zvhsign.services.runtime import open_runtime

    responder_once.forget()
    calls: Counter = Counter()
    counted = _counted(calls)
    monkeypatch.setattr(validate_ocsp, NAME, responder_once._provenance_once(
        counted, validate_ocsp._delegated_ocsp_response_path) if once else counted)
    # the examination keeps what is set here
    monkeypatch.setattr(speedups, "_installed", speedups._installed | {"responder_once"})

    async def run():
        async with open_runtime(ws, trusted_lists="lazy") as rt:
            return await examine(str(path), path.read_bytes(), rt.env, lambda _n: [], spec=rt.signature_spec())

    return _judged(asyncio.run(run())), calls


def test_a_copy_judged_the_same_with_the_responder_checked_once(approved, signed_convenant, monkeypatch):
    every, every_calls = _examined(approved.ws, signed_convenant, monkeypatch, once=False)
    once, once_calls = _examined(approved.ws, signed_convenant, monkeypatch, once=True)
    assert once == every
    assert all(s[2].name == "TOTAL_PASSED" for s in once)
    assert sum(1 for s in once if s[11]) >= 1  # a content timestamp validated too
    # the signatures' validations share the file's validation time: the responder is checked
    # once for all of them (timestamps judged on their own are validated at their own moment)
    assert every_calls["checked"] - once_calls["checked"] >= 8
