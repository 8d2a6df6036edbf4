"""Partners and the people who sign for them (``zvhsign partner|signatory``).

Registering, importing (TOML or CSV, docs/partners-import.md), listing and
retiring signatories; every change is logged in the registry's audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..domain.mandates import Mandate
from ..domain.parties import Partner, Signatory, normalise_name
from ..errors import InputError, UsageError
from .partners_file import parse_import
from .registry_access import open_registry
from .runtime import load_certs
from .workspace import Workspace


def _actor() -> str:
    from ..registry import current_os_user

    return current_os_user()


def _usage(exc: ValueError) -> UsageError:
    return UsageError(str(exc))


# ------------------------------------------------------------------------ partners


def add_partner(ws: Workspace, partner: Partner) -> Partner:
    with open_registry(ws) as reg:
        reg.governance.add_partner(partner, actor=_actor())
        return partner


def make_partner(key, name, kind, oin=None, kvk=None, signing_roles=()) -> Partner:
    try:
        return Partner(key=key, name=name, kind=kind, oin=oin or None, kvk=kvk or None,
                       signing_roles=tuple(signing_roles))
    except ValueError as exc:
        raise _usage(exc) from None


def list_partners(ws: Workspace) -> list[Partner]:
    with open_registry(ws) as reg:
        return reg.governance.partners()


def show_partner(ws: Workspace, key: str) -> tuple[Partner, list[Signatory], list[Mandate]]:
    with open_registry(ws) as reg:
        store = reg.governance
        p = store.find_partner(key)
        if p is None:
            raise UsageError(f"no partner {key!r}", hint="list them with `zvhsign partner list`")
        return p, store.signatories(p.key), store.mandates(p.key)


def fingerprints_of(cert_files: Sequence[Path]) -> tuple[str, ...]:
    """SHA-256 fingerprints of the certificates in PEM/DER files."""
    out = []
    for f in cert_files:
        if not Path(f).is_file():
            raise UsageError(f"certificate file {f} does not exist")
        certs = load_certs([f])
        if not certs:
            raise InputError(f"{f} holds no certificate")
        out.extend(c.sha256.hex() for c in certs[:1])  # the first certificate is the signer's
    return tuple(out)


def make_signatory(partner_key, name, role, fingerprints=(), cert_files=()) -> Signatory:
    try:
        return Signatory(partner_key, name, role, tuple(fingerprints) + fingerprints_of(cert_files))
    except ValueError as exc:
        raise _usage(exc) from None


def add_signatory(ws: Workspace, sig: Signatory) -> Signatory:
    with open_registry(ws) as reg:
        store = reg.governance
        p = store.find_partner(sig.partner_key)
        if p is None:
            raise UsageError(f"no partner {sig.partner_key!r}", hint="add it first with `zvhsign partner add`")
        sig = Signatory(p.key, sig.name, sig.role, sig.fingerprints)
        store.add_signatory(sig, actor=_actor())
        return sig


def list_signatories(ws: Workspace, partner: str | None = None) -> list[tuple[Partner, Signatory]]:
    with open_registry(ws) as reg:
        store = reg.governance
        partners = {p.key: p for p in store.partners()}
        key = None
        if partner:
            p = store.find_partner(partner)
            if p is None:
                raise UsageError(f"no partner {partner!r}")
            key = p.key
        return [(partners[s.partner_key], s) for s in store.signatories(key)]


@dataclass(frozen=True)
class ImportResult:
    partners: tuple[Partner, ...]
    signatories: tuple[Signatory, ...]
    skipped: tuple[str, ...]


def import_partners(ws: Workspace, path: Path) -> ImportResult:
    """Add the partners and signatories of a file, all or nothing (one transaction); those
    already registered are skipped."""
    partners, sigs = parse_import(path)
    with open_registry(ws) as reg:
        store = reg.governance
        have = {p.key for p in store.partners()}
        have_sigs = {(s.partner_key, normalise_name(s.name), s.role): s for s in store.signatories()}
        added_p, added_s, skipped = [], [], []
        for p in partners:
            if p.key in have:
                skipped.append(f"partner {p.key} (already registered)")
            else:
                added_p.append(p)
        for s in sigs:
            old = have_sigs.get((s.partner_key, normalise_name(s.name), s.role))
            if old is not None and set(s.fingerprints) <= set(old.fingerprints):
                skipped.append(f"signatory {s.name} (already registered)")
            else:
                added_s.append(s)
        store.add_all(added_p, added_s, actor=_actor())
        return ImportResult(tuple(added_p), tuple(added_s), tuple(skipped))


def retire_signatory(ws: Workspace, partner: str, name: str, effective: datetime, reason: str) -> Signatory:
    """Record that ``name`` no longer signs for ``partner`` from ``effective`` (a naive
    time is Dutch local time) on: signatures proven to exist before then stay
    authorised; later ones fail (SIGNER_RETIRED)."""
    if not reason.strip():
        raise UsageError("say why (--reason), e.g. a new burgemeester took office")
    with open_registry(ws) as reg:
        store = reg.governance
        p = store.find_partner(partner)
        if p is None:
            raise UsageError(f"no partner {partner!r}", hint="list them with `zvhsign partner list`")
        return store.retire_signatory(p.key, name, _dutch_time(effective).astimezone(UTC),
                                      reason=reason.strip(), actor=_actor())


def _dutch_time(local: datetime) -> datetime:
    from .mandates import dutch_time

    return dutch_time(local)


def rename_partner(ws: Workspace, key: str, name: str) -> Partner:
    """Give a registered partner a new name (logged)."""
    if not name.strip():
        raise UsageError("a partner needs a name")
    with open_registry(ws) as reg:
        return reg.governance.rename_partner(key, name.strip(), actor=_actor())


def remove_partner(ws: Workspace, key: str) -> Partner:
    """Remove a partner registered by mistake (logged); refused once it signed or has mandates."""
    with open_registry(ws) as reg:
        return reg.governance.remove_partner(key, actor=_actor())
