"""The registry: approved versions, their PDFs (content-addressed) and the audit log.

This package is the only place that imports SQLAlchemy and Alembic; it returns
domain objects (``zvhsign.domain``), never ORM rows. Errors are
:class:`zvhsign.errors.RegistryError` (or its subclasses below) with one human
line, e.g. when the database can't be reached, is locked, has no schema
("run `zvhsign init`") or an older one ("run `zvhsign db upgrade`").
"""

from __future__ import annotations

from ._cache import EvidenceCache
from ._db import ConflictError, DuplicateError, NotFoundError
from ._registry import Registry, WriteTx, current_os_user

__all__ = [
    "EvidenceCache",
    "Registry",
    "WriteTx",
    "DuplicateError",
    "NotFoundError",
    "ConflictError",
    "current_os_user",
]
