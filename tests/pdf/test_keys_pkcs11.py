"""PKCS#11 keys on a real SoftHSM2 token: found, loaded, and each failure one clear line."""

from __future__ import annotations

import pytest

from zvhsign.errors import SigningKeyError


def test_token_key_loads_certificate_key_and_chain(softhsm_token):
    with softhsm_token.key().open() as signer:
        cert = signer.signing_cert
        assert cert.subject.native["common_name"] == "Saskia Terpstra"
        chain = {c.subject.native.get("common_name") for c in signer.cert_registry}
        assert "ZVH Test Issuing CA - TEST ONLY" in chain


def test_wrong_pin_is_one_line_without_the_pin(softhsm_token):
    with pytest.raises(SigningKeyError) as err:
        with softhsm_token.key(pin="wrong-pin-0000").open():
            pass
    assert "PIN" in err.value.message and "wrong" in err.value.message
    assert "wrong-pin-0000" not in err.value.diagnostic()
    assert "\n" not in err.value.message


def test_token_not_present(softhsm_token):
    with pytest.raises(SigningKeyError, match="token 'no-such-card' is not present"):
        with softhsm_token.key(token_label="no-such-card").open():
            pass


def test_key_not_found(softhsm_token):
    with pytest.raises(SigningKeyError, match="no certificate labelled 'nobody'"):
        with softhsm_token.key(key_label="nobody").open():
            pass


def test_missing_module_is_a_key_error(softhsm_token, tmp_path):
    with pytest.raises(SigningKeyError, match="does not exist"):
        with softhsm_token.key(pkcs11_module=tmp_path / "nope.so").open():
            pass


def test_secret_never_in_repr(softhsm_token):
    key = softhsm_token.key()
    assert softhsm_token.pin not in repr(key)
    assert softhsm_token.pin not in key.describe()
