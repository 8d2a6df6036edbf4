"""Secrets (key passphrases, token PINs): never printed, never logged."""

from __future__ import annotations


class Secret:
    """Holds a secret value; ``repr``/``str`` never reveal it."""

    __slots__ = ("_value", "source")

    def __init__(self, value: bytes | str, source: str = "unknown") -> None:
        self._value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        self.source = source  # e.g. "prompt", "file", "environment": safe to show

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(***, source={self.source!r})"

    __str__ = __repr__

    def __reduce__(self):  # never pickle a secret into another process or a file
        raise TypeError("secrets can't be pickled")
