"""Findings: named, levelled statements a check makes about a file or a signature.

Every finding is made from a :class:`Code` of the catalogue (``catalogue.py``):
the code fixes the name, the level, what it means and what to do about it;
the rule that finds it adds the message about this file or signature.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Level(str, enum.Enum):
    FAIL = "FAIL"
    WARN = "WARN"
    INFO = "INFO"

    @property
    def blocks(self) -> bool:
        """FAIL and WARN findings make verification fail (exit 1); INFO does not."""
        return self is not Level.INFO


@dataclass(frozen=True)
class Finding:
    """One named result. ``code`` is stable (scripts match on it), ``message`` is for people,
    ``hint`` says what to do about it (from the catalogue unless the rule knows better)."""

    code: str
    level: Level
    message: str
    details: tuple[str, ...] = field(default=())
    hint: str | None = None

    def __post_init__(self) -> None:
        if not self.message.strip():
            raise ValueError(f"finding {self.code} without a message")

    def to_json(self) -> dict:
        out = {"code": self.code, "level": self.level.value, "message": self.message}
        if self.details:
            out["details"] = list(self.details)
        if self.hint:
            out["hint"] = self.hint
        return out


@dataclass(frozen=True)
class Code:
    """One entry of the finding catalogue: a stable name, its level, what it means and
    (for blocking codes) what to do. Calling it makes a finding with this file's message."""

    name: str
    level: Level
    meaning: str
    hint: str | None = None
    #: what it is said about: "file", "signature" (integrity, trust), "partner" (who signed,
    #: mandate, order) or "mandate" (a mandate itself, at registration)
    scope: str = "signature"

    def __call__(self, message: str, *details: str, hint: str | None = None) -> Finding:
        text = message if message.strip() else self.meaning  # a finding never says nothing
        return Finding(self.name, self.level, text, tuple(details), hint or self.hint)
