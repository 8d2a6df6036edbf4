"""Partners of the ZVH and the people who sign for them.

A municipality signs through its burgemeester (with the College's mandate, see
``mandates.py``); other partners through a director or the role they register.
A signatory can be retired from a date on: signatures proven to exist before
then stay authorised, later ones are not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from .digests import Sha256

GEMEENTE = "gemeente"
PARTNER_KINDS = (
    GEMEENTE,
    "om",
    "politie",
    "rvdk",
    "jeugdzorg",
    "ggz",
    "reclassering",
    "veilig-thuis",
    "overig",
)

BURGEMEESTER = "burgemeester"
GEMEENTESECRETARIS = "gemeentesecretaris"

#: Roles that sign the documents for a partner of a kind, unless the partner lists its own.
#: A municipality signs through its burgemeester (with the College's mandate); the
#: gemeentesecretaris co-signs the mandate but does not sign the documents.
DEFAULT_SIGNING_ROLES: dict[str, tuple[str, ...]] = {
    GEMEENTE: (BURGEMEESTER,),
    "om": ("hoofdofficier van justitie",),
    "politie": ("politiechef",),
}
_OTHER_SIGNING_ROLES = (
    "directeur",
    "regiodirecteur",
    "bestuurder",
    "voorzitter raad van bestuur",
    "directeur-bestuurder",
)

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_OIN = re.compile(r"^[0-9]{20}$")
_KVK = re.compile(r"^[0-9]{8}$")


def normalise_name(name: str) -> str:
    """Names compared the forgiving way: case, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def normalise_role(role: str) -> str:
    return " ".join(role.strip().casefold().split())


def check_fingerprint(fp: str) -> str:
    """A certificate's SHA-256 fingerprint in lowercase hex (colons and spaces allowed on input)."""
    hex_ = re.sub(r"[\s:]", "", fp).lower()
    return Sha256(hex_).hex


@dataclass(frozen=True)
class Partner:
    """A partner of the ZVH: a municipality or another organisation."""

    key: str  # short id, e.g. "haarlem", "om"
    name: str  # e.g. "Gemeente Haarlem"
    kind: str  # "gemeente" or another of PARTNER_KINDS
    oin: str | None = None  # 20 digits
    kvk: str | None = None  # 8 digits; certificates carry organizationIdentifier NTRNL-<kvk>
    signing_roles: tuple[str, ...] = ()  # empty: the defaults of its kind

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(
                f"partner key {self.key!r} must be lowercase letters, digits and dashes (e.g. haarlem)"
            )
        if not self.name.strip():
            raise ValueError("a partner needs a name")
        if self.kind not in PARTNER_KINDS:
            raise ValueError(
                f"unknown partner kind {self.kind!r}; expected one of: {', '.join(PARTNER_KINDS)}"
            )
        if self.oin is not None and not _OIN.match(self.oin):
            raise ValueError(f"OIN {self.oin!r} must be 20 digits")
        if self.kvk is not None and not _KVK.match(self.kvk):
            raise ValueError(f"KvK number {self.kvk!r} must be 8 digits")
        object.__setattr__(
            self, "signing_roles", tuple(normalise_role(r) for r in self.signing_roles)
        )

    @property
    def is_municipality(self) -> bool:
        return self.kind == GEMEENTE

    @property
    def municipality_name(self) -> str:
        """"Haarlem" for "Gemeente Haarlem"."""
        n = self.name.strip()
        return n[len("gemeente ") :].strip() if n.casefold().startswith("gemeente ") else n

    @property
    def organisation_identifier(self) -> str | None:
        return f"NTRNL-{self.kvk}" if self.kvk else None

    @property
    def effective_signing_roles(self) -> tuple[str, ...]:
        if self.signing_roles:
            return self.signing_roles
        return DEFAULT_SIGNING_ROLES.get(self.kind, _OTHER_SIGNING_ROLES)

    def may_sign(self, role: str) -> bool:
        return normalise_role(role) in self.effective_signing_roles

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "oin": self.oin,
            "kvk": self.kvk,
            "organisation_identifier": self.organisation_identifier,
            "signing_roles": list(self.effective_signing_roles),
        }


@dataclass(frozen=True)
class Signatory:
    """A person who signs for a partner, in a role, with one or more certificates."""

    partner_key: str
    name: str
    role: str
    fingerprints: tuple[str, ...] = ()
    #: from this moment the person no longer signs for the partner (``signatory retire``)
    retired_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a signatory needs a name")
        if not self.role.strip():
            raise ValueError("a signatory needs a role (e.g. burgemeester)")
        object.__setattr__(self, "role", normalise_role(self.role))
        object.__setattr__(
            self, "fingerprints", tuple(dict.fromkeys(check_fingerprint(f) for f in self.fingerprints))
        )

    def to_json(self) -> dict:
        return {
            "partner": self.partner_key,
            "name": self.name,
            "role": self.role,
            "certificate_fingerprints": list(self.fingerprints),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
        }


