"""EU trusted lists (ETSI TS 119 612): verify, read, and use as a trust source.

pyHanko does the work: XAdES signature verification of a list (signxml), parsing
the list of trusted lists (LOTL) and a national list into a ``TSPRegistry`` of
qualified services with their status history. Here: which certificates may sign
which list, what a list says about itself (territory, sequence number, issue and
next-update dates) read from the *signed* XML only, and a trust manager that
trusts the workspace's roots and the listed qualified CAs.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from ..errors import RefusedError

_NS = {"tsl": "http://uri.etsi.org/02231/v2#"}
_LOTL_TYPE = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"


class TrustedListError(RefusedError):
    """A trusted list that can't be used: its signature does not verify, it is not a
    trusted list, or it is not the one expected."""


@dataclass(frozen=True)
class ListInfo:
    """What a verified trusted list says about itself (from its signed scheme information)."""

    territory: str  # "EU" for the list of the lists, else the country code
    is_lotl: bool
    sequence_number: int | None
    issued_at: datetime | None
    next_update: datetime | None  # None: the scheme is closed (no next update)
    operator: str | None  # the scheme operator's name
    sha256: str  # of the list's bytes as loaded
    signer: str  # subject of the certificate that verified its signature
    services: int = 0  # qualified services read from it (national lists)

    def stale_at(self, moment: datetime) -> bool:
        """Past its next update at ``moment``: a newer list should exist."""
        return self.next_update is not None and moment > self.next_update

    def to_json(self) -> dict:
        return {
            "territory": self.territory,
            "lotl": self.is_lotl,
            "sequence_number": self.sequence_number,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "next_update": self.next_update.isoformat() if self.next_update else None,
            "operator": self.operator,
            "sha256": self.sha256,
            "signer": self.signer,
            "services": self.services,
        }


def _quiet() -> None:
    for name in ("pyhanko.sign.validation.qualified", "signxml", "xsdata"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _dt(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def _verified_xml(xml: str, signer_certs: list, what: str) -> tuple[str, str]:
    """The signed part of ``xml`` (the TrustServiceStatusList the XAdES signature covers)
    and the subject of the certificate that verified it."""
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.qualified import eutl_parse

    if not signer_certs:
        raise TrustedListError(f"{what}: no certificate is configured that may sign it")
    _quiet()
    last = None
    # newest first, as pyHanko does; pyHanko has no public call returning the signed part
    for cert in sorted(signer_certs, key=lambda c: c.not_valid_before, reverse=True):
        try:
            return eutl_parse._validate_and_extract_tl_data(xml, cert, None), cert.subject.human_friendly
        except SignatureValidationError as exc:
            last = exc
        except Exception as exc:  # malformed XML, no signature at all
            last = exc
    detail = getattr(last, "failure_message", None) or str(last) or type(last).__name__
    raise TrustedListError(
        f"{what}: its XML signature does not verify against the {len(signer_certs)} "
        f"certificate(s) that may sign it ({detail.splitlines()[0][:200]})",
        hint="get the list again from its official source; a changed or re-signed list is refused",
    )


def _info(signed_xml: str, raw: bytes, signer: str, services: int = 0) -> ListInfo:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(signed_xml.encode("utf-8"), parser)

    def text(path: str) -> str | None:
        found = root.find(path, _NS)
        return found.text if found is not None and found.text else None

    si = "tsl:SchemeInformation/"
    seq = text(si + "tsl:TSLSequenceNumber")
    list_type = text(si + "tsl:TSLType") or ""
    return ListInfo(
        territory=(text(si + "tsl:SchemeTerritory") or "?").upper(),
        is_lotl=list_type.endswith("EUlistofthelists") or list_type.endswith("listofthelists"),
        sequence_number=int(seq) if seq and seq.isdigit() else None,
        issued_at=_dt(text(si + "tsl:ListIssueDateTime")),
        next_update=_dt(text(si + "tsl:NextUpdate/tsl:dateTime")),
        operator=text(si + "tsl:SchemeOperatorName/tsl:Name"),
        sha256=hashlib.sha256(raw).hexdigest(),
        signer=signer,
        services=services,
    )


@dataclass(frozen=True)
class Lotl:
    info: ListInfo
    #: {territory: (where the list is published, certificates that may sign it)}
    pointers: dict


def read_lotl(data: bytes, signer_certs: list) -> Lotl:
    """Verify and read the list of trusted lists."""
    from pyhanko.sign.validation.qualified.eutl_parse import parse_lotl_unsafe

    xml = _text(data, "the list of trusted lists")
    signed, signer = _verified_xml(xml, signer_certs, "the list of trusted lists")
    info = _info(signed, data, signer)
    if not info.is_lotl:
        raise TrustedListError(
            f"this is the trusted list of {info.territory}, not the EU list of trusted lists",
            hint="give the list of trusted lists (LOTL) first; national lists are read through it",
        )
    try:
        parsed = parse_lotl_unsafe(signed)
    except Exception as exc:
        raise TrustedListError(f"the list of trusted lists could not be read: {exc}") from None
    pointers = {ref.territory.upper(): (ref.location_uri, list(ref.tlso_certs)) for ref in parsed.references}
    return Lotl(info, pointers)


def read_national_list(data: bytes, lotl: Lotl, territory: str, registry=None):
    """Verify a national trusted list with the certificates the LOTL names for its
    territory and add its qualified services to ``registry`` (a new one if None).
    Returns (registry, ListInfo)."""
    from pyhanko.sign.validation.qualified.eutl_parse import trust_list_to_registry_unsafe
    from pyhanko.sign.validation.qualified.tsp import TSPRegistry

    territory = territory.upper()
    if territory not in lotl.pointers:
        raise TrustedListError(f"the list of trusted lists does not point to a list for {territory}")
    what = f"the trusted list of {territory}"
    xml = _text(data, what)
    signed, signer = _verified_xml(xml, lotl.pointers[territory][1], what)
    info = _info(signed, data, signer)
    if info.territory != territory:
        raise TrustedListError(f"{what}: the file is the list of {info.territory}")
    registry = registry if registry is not None else TSPRegistry()
    before = len(registry.known_certificate_authorities)
    try:
        registry, _errors = trust_list_to_registry_unsafe(signed, registry)
    except Exception as exc:
        raise TrustedListError(f"{what} could not be read: {exc}") from None
    services = len(registry.known_certificate_authorities) - before
    return registry, ListInfo(**{**info.__dict__, "services": services})


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TrustedListError(f"{what}: not an XML trusted list (not UTF-8 text)") from None


def lotl_signers_bundled() -> list:
    """The LOTL signing certificates pyHanko knows (published in the Official Journal)."""
    from pyhanko.sign.validation.qualified.eutl_parse import latest_known_lotl_tlso_certs

    return latest_known_lotl_tlso_certs()


@functools.cache
def _trust_manager_class():
    from pyhanko.sign.validation.qualified.tsp import TSPTrustManager
    from pyhanko_certvalidator.authority import TrustAnchor, TrustQualifiers
    from pyhanko_certvalidator.registry import SimpleTrustManager

    class RootsAndLists(TSPTrustManager):
        """The workspace's trust roots, and the qualified CAs of the loaded trusted lists."""

        def __init__(self, tsp_registry, roots) -> None:
            super().__init__(tsp_registry)
            self._roots = SimpleTrustManager.build(trust_roots=roots)
            # answers depend only on the roots, the loaded lists and the certificate asked
            # about, so they are kept: each question costs pyHanko a walk over the lists'
            # services with asn1crypto's (uncached) name normalisation, and one batch asks
            # about the same few CAs for every signature and timestamp
            self._anchors: dict = {}
            self._issuers: dict = {}

        def as_trust_anchor(self, authority):
            key = _authority_key(authority)
            if key not in self._anchors:
                self._anchors[key] = self._as_trust_anchor(authority)
            return self._anchors[key]

        def _as_trust_anchor(self, authority):
            anchor = self._roots.as_trust_anchor(authority)
            if anchor is not None:
                return anchor
            listed = super().as_trust_anchor(authority)
            if listed is None:
                return None
            # a listed CA is a trust anchor whatever its status now (as in the EU DSS
            # validator): a withdrawn service's certificates stay valid signatures; whether
            # they are *qualified* at the signing time is the qualification's question
            # (pyHanko's anchor would expire with the service's last granted period)
            return TrustAnchor(authority, quals=TrustQualifiers(
                trusted_service_type=listed.trust_qualifiers.trusted_service_type))

        def find_potential_issuers(self, cert):
            key = cert.dump()
            if key not in self._issuers:
                self._issuers[key] = (
                    *self._roots.find_potential_issuers(cert), *super().find_potential_issuers(cert)
                )
            yield from self._issuers[key]

    return RootsAndLists


def _authority_key(authority) -> tuple:
    """What identifies ``authority`` exactly: its certificate's DER when it has one, else
    its name's DER and public key (equal keys: the same authority; the converse need not
    hold, which only costs a repeated question)."""
    cert = getattr(authority, "certificate", None)
    if cert is not None:
        return ("cert", cert.dump())
    return ("key", authority.name.dump(), authority.public_key.dump())


def RootsAndListsTrustManager(tsp_registry, roots):  # noqa: N802 -- a class, built lazily
    return _trust_manager_class()(tsp_registry, roots)
