"""Messages for people from exceptions and library texts: no Python class names, module
paths or object reprs (they say nothing to a secretariat and leak internals)."""

from __future__ import annotations

import re

from ..domain.text import valid_text

_CLASS_NAME = re.compile(r"\b(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit)\b:?\s*")
_MODULE_PATH = re.compile(r"\b(?:[a-z_][a-z0-9_]*\.){1,}[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")
_ENUM_REPR = re.compile(r"\[?<?\b[A-Z][a-z]+[A-Z]\w*\.(?P<name>[A-Z][A-Z0-9_]+)\b(?::[^>\]]*)?>?\]?")
# pyHanko's LTA validation, when the signature fails now: said as what it means
_NOT_NOW = re.compile(r"Validation of signature at current time failed with indication (\w+)\. "
                      r"Past validation not applicable\.?")
_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>")
_PY_MODULES = ("pyhanko", "pikepdf", "asn1crypto", "cryptography", "zvhsign", "builtins", "oscrypto",
               "aiohttp", "asyncio", "xsdata", "certomancer", "io", "qpdf")


def plain_text(what: object, fallback: str = "damaged or unsupported structure") -> str:
    """A message for people from an exception or library text: no Python class names,
    module paths or object reprs (they say nothing to a secretariat and leak internals)."""
    text = valid_text(str(what)).strip() if what is not None else ""
    if "maximum recursion depth" in text or isinstance(what, RecursionError):
        # (nesting bombs are refused before parsing, bounds.py: what is left is a chain of
        # linked objects longer than zvhsign follows, deepstack.py)
        return "objects nested or linked too deeply to be followed (beyond zvhsign's bounds)"
    text = _OBJECT_REPR.sub("the file", text)
    text = re.sub(r"'[A-Z]\w*' object", "a value", text)
    text = _ENUM_REPR.sub(lambda m: m.group("name"), text)  # AdESIndeterminate.X: X, as ETSI names it
    text = _NOT_NOW.sub(r"the signature does not validate now (\1), and no earlier time can be proven for it", text)
    text = _CLASS_NAME.sub("", text)
    text = _MODULE_PATH.sub(
        lambda m: "" if m.group(0).split(".")[0] in _PY_MODULES else m.group(0), text
    )
    text = re.sub(r"\d{16,}", lambda m: f"[a {len(m.group(0))}-digit number]", text)  # a damaged length
    text = re.sub(r"\s{2,}", " ", text).strip(" :;,-")
    if text.startswith("'") and text.endswith("'") and text.count("'") == 2:  # a bare KeyError
        text = f"missing entry {text[1:-1]}"
    return text or fallback
