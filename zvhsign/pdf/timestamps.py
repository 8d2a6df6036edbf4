"""RFC 3161 timestamps over a digest (not a PDF): obtain and validate tokens with pyHanko.

Used to anchor the audit log: the token's message imprint is the chain head hash.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from ..errors import ServiceError
from .trust import TrustEnv


@dataclass(frozen=True)
class TokenCheck:
    """What validating a token established; ``problems`` is empty when it is good."""

    gen_time: datetime | None
    tsa: str | None
    problems: tuple[str, ...]
    #: what could not be checked here, though nothing is wrong with the token: offline, the
    #: revocation status of the TSA's certificate (its chain to a trusted root is checked)
    unchecked: str | None = None


async def timestamp_digest(env: TrustEnv, digest: bytes) -> tuple[bytes, datetime, str | None]:
    """A token over a SHA-256 ``digest``: (DER, genTime, TSA subject)."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    if env.timestamper is None:
        raise ServiceError("no timestamp authority is configured", hint="set [tsa] url in zvhsign.toml")
    try:
        token = await env.timestamper.async_timestamp(digest, "sha256")
    except TimestampRequestError as exc:
        raise ServiceError(f"the timestamp authority did not answer: {exc}") from None
    except (OSError, asyncio.TimeoutError) as exc:
        raise ServiceError(f"the timestamp authority can't be reached: {exc}") from None
    signed_data = token["content"]
    tst = signed_data["encap_content_info"]["content"].parsed
    return token.dump(), tst["gen_time"].native, _tsa_name(signed_data)


def _tsa_name(signed_data) -> str | None:
    sid = signed_data["signer_infos"][0]["sid"]
    for c in signed_data["certificates"] or ():
        cert = c.chosen
        if sid.name == "issuer_and_serial_number" and cert.serial_number == sid.chosen["serial_number"].native:
            return cert.subject.human_friendly
    return None


async def check_token(env: TrustEnv, der: bytes, expected_digest: bytes) -> TokenCheck:
    """Validate a stored token: intact, signature valid, TSA trusted, imprint = ``expected_digest``."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    try:
        signed_data = cms.ContentInfo.load(der)["content"]
        gen_time = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception as exc:  # any decoding failure means: not a token
        return TokenCheck(None, None, (f"the stored token is not an RFC 3161 token ({exc})",))

    def imprint(algo: str) -> bytes:
        return expected_digest if algo == "sha256" else b""

    try:
        status = await validate_tst_signed_data(signed_data, env.validation_context(), imprint)
    except Exception as exc:  # pyHanko reports malformed tokens as exceptions
        return TokenCheck(gen_time, None, (f"the token can't be validated: {exc}",))
    cert = status.get("signing_cert")
    problems = []
    if not status.get("intact"):
        problems.append("its message imprint is not the anchored chain hash (or the token was altered)")
    if not status.get("valid"):
        problems.append("its signature does not verify")
    unchecked = None
    if status.get("trust_problem_indic") is not None:
        if not env.online and await _trusted_but_for_revocation(env, signed_data, imprint):
            # offline there is no revocation data for the TSA (a token carries none):
            # not established, and not a sign of tampering either
            unchecked = "the revocation status of its TSA's certificate (offline)"
        else:
            problems.append(f"its TSA is not trusted ({_indication_name(status['trust_problem_indic'])})")
    return TokenCheck(gen_time, cert.subject.human_friendly if cert is not None else None, tuple(problems),
                      unchecked)


async def _trusted_but_for_revocation(env: TrustEnv, signed_data, imprint) -> bool:  # noqa: ANN001
    """Whether the token's TSA chains to a trusted root when an unknown revocation status
    is allowed (pyHanko's soft-fail mode)."""
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    try:
        status = await validate_tst_signed_data(
            signed_data, env.validation_context(revocation_mode="soft-fail"), imprint)
    except Exception:  # noqa: BLE001 - as above: a token pyHanko can't validate
        return False
    return status.get("trust_problem_indic") is None and bool(status.get("valid"))


def _indication_name(indication) -> str:  # noqa: ANN001
    """An ETSI indication as ETSI names it (``CERTIFICATE_CHAIN_GENERAL_FAILURE``), not as
    Python shows the enum member."""
    return getattr(indication, "name", None) or str(indication)
