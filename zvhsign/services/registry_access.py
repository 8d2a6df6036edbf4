"""Opening the workspace's registry (lazy SQLAlchemy import)."""

from __future__ import annotations

from .workspace import Workspace


def open_registry(ws: Workspace):
    from ..registry import Registry

    return Registry.open(ws.config.database_url)
