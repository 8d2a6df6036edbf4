"""One trust manager per environment, its look-ups kept: the same answers as a fresh one.

Every validation context of a batch shares the environment's trust manager (roots and
the trusted lists' qualified services); what it has looked up is kept. These tests use
the real test LOTL and Dutch list of test_qualification.py and the test PKI's certificates.
"""

from __future__ import annotations

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator.authority import AuthorityWithCert

from tests.qualification.test_qualification import PKI, setup  # noqa: F401 -- the module fixture
from zvhsign.pdf.trust import TrustEnv
from zvhsign.pdf.trustlists import RootsAndListsTrustManager

CERTS = ["politie", "reclassering", "nonqualified-signer", "om", "zvh-ca", "zvh-root", "tsa", "rogue-root"]


@pytest.fixture(scope="module")
def registry(setup):  # noqa: F811
    from zvhsign.services.trustlists import load_lists

    return load_lists(setup.approved.ws).registry


def _certs():
    return [load_cert_from_pemder(str(PKI / "out" / f"{name}.cert.pem")) for name in CERTS]


def _env() -> TrustEnv:
    return TrustEnv(trust_roots=[load_cert_from_pemder(str(PKI / "out" / "zvh-root.cert.pem"))])


def _answers(manager, certs) -> list:
    out = []
    for cert in certs:
        anchor = manager.as_trust_anchor(AuthorityWithCert(cert))
        issuers = list(manager.find_potential_issuers(cert))
        out.append((
            None if anchor is None else (anchor.authority, anchor.trust_qualifiers.trusted_service_type),
            [(a.authority, a.trust_qualifiers.trusted_service_type) for a in issuers],
        ))
    return out


def test_one_manager_per_environment_and_per_loaded_lists(registry):
    env = _env()
    roots_only = env.trust_manager()
    assert env.trust_manager() is roots_only
    assert env.validation_context().path_builder.trust_manager is roots_only
    env.tsp_registry = registry  # the lists are loaded on first need (Runtime.ensure_trusted_lists)
    with_lists = env.trust_manager()
    assert with_lists is not roots_only and env.trust_manager() is with_lists
    assert env.trust_manager(lists=False) is env.trust_manager(lists=False) is not with_lists
    assert env.validation_context(for_signing=True).path_builder.trust_manager is env.trust_manager(lists=False)


def test_kept_answers_equal_a_fresh_managers(registry):
    certs = _certs()
    env = _env()
    env.tsp_registry = registry
    shared = env.trust_manager()
    first = _answers(shared, certs)
    # asked again with other objects for the same certificates (as every file parses its own)
    again = _answers(shared, _certs())
    fresh = _answers(RootsAndListsTrustManager(registry, list(env.trust_roots)), certs)
    assert first == again == fresh
    # the answers are not trivial: the root is an anchor, a listed qualified CA is one, a rogue root is not
    by_name = dict(zip(CERTS, first))
    assert by_name["zvh-root"][0] is not None
    assert by_name["rogue-root"][0] is None
    assert any(issuers for _anchor, issuers in first)
