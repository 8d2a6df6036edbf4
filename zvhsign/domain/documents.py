"""The documents partners sign, and their approved versions."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from .digests import Sha256


class DocumentKind(str, enum.Enum):
    """The two documents of the ZVH. The value is the document id used everywhere."""

    CONVENANT = "convenant"
    PROTOCOL = "protocol"

    @property
    def title(self) -> str:
        return _TITLES[self]

    @classmethod
    def parse(cls, value: str) -> "DocumentKind":
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown document {value!r}; expected one of: "
                + ", ".join(k.value for k in cls)
            ) from None


_TITLES = {
    DocumentKind.CONVENANT: "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland",
    DocumentKind.PROTOCOL: "Privacy Protocol Zorg&Veiligheidshuis Kennemerland",
}

_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,3}$")


def check_version_label(version: str) -> str:
    """A version is dotted numbers (``1.0``, ``2.1.3``): printable and sortable."""
    if not _VERSION.match(version):
        raise ValueError(f"version {version!r} must look like 1.0 or 2.1.3")
    return version


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version label: 1.2 < 1.10 < 2.0."""
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (-1,)


@dataclass(frozen=True)
class StampInfo:
    """What ``stamp`` writes into a PDF: the identity of one version of a document."""

    document: DocumentKind
    version: str
    source_sha256: Sha256


@dataclass(frozen=True)
class ApprovedVersion:
    """A version the secretariat certified: the exact bytes partners must sign."""

    document: DocumentKind
    version: str
    source_sha256: Sha256
    approved_sha256: Sha256
    approved_size: int
    decided_on: date
    approved_at: datetime
    approver_fingerprint: str
    superseded_by: str | None = None

    @property
    def label(self) -> str:
        return f"{self.document.value} {self.version}"


class PadesLevel(str, enum.Enum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def rank(self) -> int:
        return list(PadesLevel).index(self)

    @property
    def timestamped(self) -> bool:
        return self.rank >= PadesLevel.B_T.rank

    @classmethod
    def parse(cls, value: str) -> "PadesLevel":
        v = value.strip().upper().replace("_", "-")
        if not v.startswith("B-"):
            v = "B-" + v
        try:
            return cls(v)
        except ValueError:
            raise ValueError(
                f"unknown PAdES level {value!r}; expected B-B, B-T, B-LT or B-LTA"
            ) from None
