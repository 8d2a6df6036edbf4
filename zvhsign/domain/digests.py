"""SHA-256 digests as values."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, order=True)
class Sha256:
    """A SHA-256 digest in lowercase hex."""

    hex: str

    def __post_init__(self) -> None:
        if not _HEX64.match(self.hex):
            raise ValueError(f"not a SHA-256 hex digest: {self.hex!r}")

    @classmethod
    def of(cls, data: bytes) -> "Sha256":
        return cls(hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: Path) -> "Sha256":
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return cls(h.hexdigest())

    @property
    def short(self) -> str:
        """First and last 8 hex digits, as printed on stamped pages."""
        return f"{self.hex[:8]}…{self.hex[-8:]}"

    def __str__(self) -> str:
        return self.hex
