"""Opening the workspace's registry (lazy SQLAlchemy import).

Opening it also keeps the audit log honest about trust: when the workspace's trust
settings (the trust roots, secretariat and other certificates by their SHA-256, and
the TSA) differ from the last ones logged, a ``config`` event records the new ones
before anything else happens. Editing ``zvhsign.toml`` or swapping a certificate
file in ``trust/`` therefore shows in the log the privacy officers read.
"""

from __future__ import annotations

import hashlib
import json

from .workspace import Workspace, load_workspace

# (database url, trust_sha256) pairs already checked in this process
_checked: set[tuple[str, str]] = set()


def trust_snapshot(ws: Workspace) -> dict:
    """The trust settings of the workspace as its files on disk hold them now."""
    from ..pdf.trust import certificate_names

    cfg = load_workspace(ws.root).config
    names = {}
    snap = {}
    for key, paths in (("trust_roots", cfg.trust_roots), ("secretariat", cfg.secretariat_certs),
                       ("other_certs", cfg.other_certs)):
        found = certificate_names(paths)
        snap[key] = sorted(found)
        names.update(found)
    snap["tsa_url"] = cfg.tsa_url
    # EU trusted lists (a trust source) and the qualification policy: only when used, so a
    # workspace without them keeps the trust hash it always had
    if cfg.lotl_signers:
        found = certificate_names(cfg.lotl_signers)
        snap["lotl_signers"] = sorted(found)
        names.update(found)
    from .trustlists import stored_digests

    lists = stored_digests(ws)
    if lists:
        snap["trusted_lists"] = lists
    if cfg.require_qualified:
        snap["require_qualified"] = cfg.not_qualified
    canonical = json.dumps(snap, sort_keys=True, separators=(",", ":")).encode()
    # the subjects are for people reading the log; the hash covers what decides trust
    return {"trust_sha256": hashlib.sha256(canonical).hexdigest(), **snap, "subjects": names}


def open_registry(ws: Workspace, *, snapshot: dict | None = None):
    """The workspace's registry, with the trust settings on disk now logged when they
    changed (``snapshot``: the caller's :func:`trust_snapshot`, taken just before). The
    caller owns it: ``with open_registry(ws) as registry:`` closes its connections."""
    from ..registry import Registry, current_os_user

    registry = Registry.open(ws.config.database_url)
    try:
        snap = snapshot or trust_snapshot(ws)
        key = (ws.config.database_url, snap["trust_sha256"])
        if key not in _checked:
            registry.record_trust_settings(snap, actor=current_os_user())
            _checked.add(key)
    except BaseException:
        registry.close()
        raise
    return registry
