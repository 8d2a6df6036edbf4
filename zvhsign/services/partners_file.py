"""Reading a partners file (``zvhsign partner import FILE``; docs/partners-import.md).

TOML is checked like ``zvhsign.toml`` (:mod:`.workspace`): every key known, every value
of its type, an unknown key answered with the closest valid one. CSV is read by Python's
``csv`` module (quoted fields, doubled quotes, line breaks inside quotes) with the
delimiter of its header line, ``;`` (Excel with Dutch settings) or ``,``. Both must be
UTF-8 (a BOM is allowed): a file in another encoding is refused, naming the line and
the byte, never guessed -- the names read are registered in the audit log and matched
against certificates, and a wrong guess would register a wrong name.
"""

from __future__ import annotations

import codecs
import csv
import io
import tomllib
from collections.abc import Callable
from pathlib import Path

from ..domain.parties import Partner, Signatory
from ..errors import InputError, UsageError
from .files import display_path, read_input
from .workspace import _check_list, _check_str, _closest, _type_name

DOCS = "see docs/partners-import.md"
_STRINGS = "strings"  # a list of strings (roles, fingerprints)
_TABLES = "tables"  # a list of [[partner.signatory]] tables

PARTNER_KEYS: dict[str, object] = {
    "key": str, "name": str, "kind": str, "oin": str, "kvk": str, "signing_roles": _STRINGS, "signatory": _TABLES,
}
SIGNATORY_KEYS: dict[str, object] = {"name": str, "role": str, "certificates": list, "fingerprints": _STRINGS}
CSV_COLUMNS = ("partner_key", "partner_name", "kind", "oin", "kvk", "signing_roles",
               "signatory_name", "role", "certificate", "fingerprint")
"""Every key (column) a partners file may hold, and what each value must be."""

_UTF8_HINT = {
    ".csv": 'save it as UTF-8: in Excel "Save As" > "CSV UTF-8 (Comma delimited)" '
            "(Dutch Excel: \"CSV UTF-8 (door komma's gescheiden)\")",
    ".toml": "save it as UTF-8 (a TOML file is always UTF-8)",
}


# --------------------------------------------------------------------- the text


def decode(path: Path, data: bytes) -> str:
    """The text of a partners file: UTF-8, with or without BOM; anything else is refused
    (:class:`InputError`) with the line, the byte and what it would be in Windows-1252
    (what Excel writes for "CSV" with Dutch settings)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)  # after the BOM
        bad = data[start]
        line = data.count(b"\n", 0, start) + 1
        try:
            as_cp1252 = f', "{bytes([bad]).decode("cp1252")}" in Windows-1252'
        except UnicodeDecodeError:
            as_cp1252 = ""
        raise InputError(
            f"{display_path(path)}: not UTF-8 text (line {line}: byte 0x{bad:02X}{as_cp1252}); refused, "
            "nothing was imported",
            hint=_UTF8_HINT.get(Path(path).suffix.lower(), _UTF8_HINT[".toml"]),
        ) from None


# ------------------------------------------------------------------------- TOML


def _check_strings(where: str, value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        example = f'["{value}"]' if isinstance(value, str) else '["…"]'
        raise ValueError(f"{where} must be a list of strings, e.g. {example}, not {_type_name(value)}")


def _check_tables(where: str, value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{where} must be [[partner.signatory]] tables (two brackets, one per person), "
                         f"not {_type_name(value)}")


_CHECKS: dict[object, Callable[[str, object], None]] = {
    str: _check_str, list: _check_list, _STRINGS: _check_strings, _TABLES: _check_tables,
}


def _check_entry(where: str, entry: dict, schema: dict[str, object], required: tuple[str, ...]) -> None:
    """``entry`` holds only keys of ``schema``, each of its type, and every ``required`` one."""
    for key, value in entry.items():
        if key not in schema:
            near = _closest(key, schema)
            hint = f"; did you mean {near}?" if near else f"; valid keys: {', '.join(schema)}"
            raise ValueError(f"{where}: unknown key {key!r}{hint}")
        _CHECKS[schema[key]](f"{where}: {key}", value)
    for key in required:
        if key not in entry:
            raise ValueError(f"{where}: missing key {key!r}")


def _partner_tables(doc: dict) -> list:
    for key in doc:
        if key != "partner":
            near = _closest(key, ["partner"]) or _closest(key, PARTNER_KEYS)
            hint = "; did you mean [[partner]]?" if near else "; a partners file holds [[partner]] tables"
            raise ValueError(f"unknown key {key!r} at the top of the file{hint}")
    tables = doc.get("partner", [])
    if isinstance(tables, dict):
        raise ValueError("[partner] must be written [[partner]] (two brackets), once for each partner")
    if not isinstance(tables, list) or not all(isinstance(p, dict) for p in tables):
        raise ValueError(f"partner must be [[partner]] tables (two brackets, one per partner), not {_type_name(tables)}")
    return tables


def _read_toml(text: str, base: Path, show: str) -> tuple[list[Partner], list[Signatory]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{show}: not valid TOML: {exc}") from None
    partners: list[Partner] = []
    sigs: list[Signatory] = []
    try:
        for i, p in enumerate(_partner_tables(doc), start=1):
            where = f"partner {i}" + (f" ({p['key']})" if isinstance(p.get("key"), str) else "")
            _check_entry(where, p, PARTNER_KEYS, ("key", "name", "kind"))
            partners.append(_made(show, where, _partner, p["key"], p["name"], p["kind"], p.get("oin"),
                                  p.get("kvk"), p.get("signing_roles", ())))
            for j, s in enumerate(p.get("signatory", []), start=1):
                at = f"{where}, signatory {j}"
                _check_entry(at, s, SIGNATORY_KEYS, ("name", "role"))
                certs = [base / c for c in s.get("certificates", [])]
                sigs.append(_made(show, at, _signatory, p["key"], s["name"], s["role"],
                                  s.get("fingerprints", ()), certs))
    except ValueError as exc:
        raise UsageError(f"{show}: {exc}") from None
    return partners, sigs


# -------------------------------------------------------------------------- CSV


def _delimiter(text: str) -> str:
    """The header line's delimiter: ``;`` (Excel with Dutch settings) or ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _check_header(fields, show: str) -> None:
    if not fields:
        raise UsageError(f"{show}: empty file; the first line names the columns")
    for name in fields:
        name = (name or "").strip()
        if name and name not in CSV_COLUMNS:
            near = _closest(name, CSV_COLUMNS)
            hint = f"; did you mean {near}?" if near else f"; valid columns: {', '.join(CSV_COLUMNS)}"
            raise UsageError(f"{show}: unknown column {name!r} in the header{hint}")
    for name in ("partner_key", "partner_name", "kind"):
        if name not in {(f or "").strip() for f in fields}:
            raise UsageError(f"{show}: missing column {name!r} in the header")


def _row(raw: dict, where: str) -> dict[str, str]:
    extra = raw.get(None)
    if extra and any((v or "").strip() for v in extra):
        raise ValueError(f"{where}: more fields than the header has columns "
                         "(a field holding the delimiter needs \"quotes\")")
    return {k.strip(): (v or "").strip() for k, v in raw.items() if k and k.strip()}


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _read_csv(text: str, base: Path, show: str) -> tuple[list[Partner], list[Signatory]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    _check_header(reader.fieldnames, show)
    seen: dict[str, Partner] = {}
    partners: list[Partner] = []
    sigs: list[Signatory] = []
    try:
        for raw in reader:
            where = f"line {reader.line_num}"
            row = _row(raw, where)
            key = row.get("partner_key", "")
            if key not in seen:
                seen[key] = _made(show, where, _partner, key, row.get("partner_name", ""), row.get("kind", ""),
                                  row.get("oin"), row.get("kvk"), _split(row.get("signing_roles", "")))
                partners.append(seen[key])
            if row.get("signatory_name"):
                certs = [base / c for c in _split(row.get("certificate", ""))]
                sigs.append(_made(show, where, _signatory, key, row["signatory_name"], row.get("role", ""),
                                  _split(row.get("fingerprint", "")), certs))
    except csv.Error as exc:
        raise InputError(f"{show}: not valid CSV (line {reader.line_num}): {exc}") from None
    except ValueError as exc:
        raise UsageError(f"{show}: {exc}") from None
    return partners, sigs


# ------------------------------------------------------------------------ both


def _partner(key, name, kind, oin=None, kvk=None, signing_roles=()) -> Partner:
    from .partners import make_partner

    return make_partner(key, name, kind, oin, kvk, signing_roles)


def _signatory(partner_key, name, role, fingerprints=(), cert_files=()) -> Signatory:
    from .partners import make_signatory

    return make_signatory(partner_key, name, role, fingerprints, cert_files)


def _made(show: str, where: str, make, *args):  # noqa: ANN001, ANN202
    """``make(*args)``, a refusal of it said with the file and the entry it is about."""
    try:
        return make(*args)
    except (UsageError, InputError) as exc:
        raise type(exc)(f"{show}: {where}: {exc.message}", hint=exc.hint) from None


def parse_import(path: Path) -> tuple[list[Partner], list[Signatory]]:
    """Read a partners file (TOML or CSV; see docs/partners-import.md): the partners and
    signatories it holds, or one error naming the file, the entry and the key."""
    path = Path(path)
    show = display_path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".csv"):
        raise UsageError(f"{show}: use a .toml or .csv file ({DOCS})")
    text = decode(path, read_input(path))
    read = _read_toml if suffix == ".toml" else _read_csv
    return read(text, path.parent, show)
