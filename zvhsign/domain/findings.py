"""Findings: named, levelled statements a check makes about a file or a signature."""

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
    """One named result. ``code`` is stable (scripts match on it), ``message`` is for people."""

    code: str
    level: Level
    message: str
    details: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        out = {"code": self.code, "level": self.level.value, "message": self.message}
        if self.details:
            out["details"] = list(self.details)
        return out


def fail(code: str, message: str, *details: str) -> Finding:
    return Finding(code, Level.FAIL, message, tuple(details))


def warn(code: str, message: str, *details: str) -> Finding:
    return Finding(code, Level.WARN, message, tuple(details))


def info(code: str, message: str, *details: str) -> Finding:
    return Finding(code, Level.INFO, message, tuple(details))
