"""Accounts of the web page: who may log in, in which role, with an argon2 password hash.

The accounts file is TOML (``zvhsign serve --accounts FILE``)::

    [[account]]
    name = "secretariaat"
    role = "secretariaat"
    password_hash = "$argon2id$v=19$..."      # zvhsign serve --hash-password

    [[account]]
    name = "politie"
    role = "partner"
    partner = "politie"                     # the partner key in the registry
    password_hash = "$argon2id$v=19$..."

Passwords are never stored: only argon2id hashes (argon2-cffi). The role decides what
an account may do: ``secretariaat`` sees every intake, records accepted copies, the
whole status matrix and the audit report; ``partner`` sees only its own intakes and
its own row of the matrix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

SECRETARIAT = "secretariaat"
PARTNER = "partner"
ROLES = (SECRETARIAT, PARTNER)


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str = ""
    partner: str | None = None  # the partner key, for role "partner"

    @property
    def is_secretariat(self) -> bool:
        return self.role == SECRETARIAT

    @property
    def actor(self) -> str:
        """How the audit log names this web user."""
        return f"web:{self.name}"


#: the user of a page bound to the loopback address without accounts: whoever can reach
#: 127.0.0.1 on this machine can also run the CLI on the workspace
LOCAL = Account("lokaal", SECRETARIAT)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise UsageError("a web password has at least 12 characters")
    return _hasher().hash(password)


def check_password(account: Account, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: str | None = None


def spend_time() -> None:
    """As much work as a password check, for a name that has no account (no user enumeration
    by timing)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher().hash("zvhsign-no-such-account")
    try:
        _hasher().verify(_DUMMY, "wrong")
    except Exception:  # noqa: BLE001
        pass


def load_accounts(path: Path) -> dict[str, Account]:
    """Read and check an accounts file; every mistake is one UsageError naming it."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"accounts file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"accounts file {path} can't be read: {exc}") from None
    unknown = set(raw) - {"account"}
    if unknown:
        raise UsageError(f"accounts file {path}: unknown key {sorted(unknown)[0]!r} (only [[account]])")
    out: dict[str, Account] = {}
    for i, entry in enumerate(raw.get("account", []), start=1):
        where = f"accounts file {path}, account {i}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: not a table")
        extra = set(entry) - {"name", "role", "partner", "password_hash"}
        if extra:
            raise UsageError(f"{where}: unknown key {sorted(extra)[0]!r}")
        name, role = entry.get("name"), entry.get("role")
        pw, partner = entry.get("password_hash"), entry.get("partner")
        if not isinstance(name, str) or not name.strip():
            raise UsageError(f"{where}: name missing")
        if role not in ROLES:
            raise UsageError(f"{where}: role must be one of {', '.join(ROLES)}")
        if not isinstance(pw, str) or not pw.startswith("$argon2"):
            raise UsageError(f"{where}: password_hash must be an argon2 hash",
                             hint="make one with `zvhsign serve --hash-password`")
        if role == PARTNER and (not isinstance(partner, str) or not partner.strip()):
            raise UsageError(f"{where}: a partner account names its partner (partner = \"politie\")")
        if role == SECRETARIAT and partner is not None:
            raise UsageError(f"{where}: a secretariat account has no partner")
        if name in out:
            raise UsageError(f"{where}: the name {name!r} is used twice")
        out[name] = Account(name, role, pw, partner)
    return out
