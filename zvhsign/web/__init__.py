"""``zvhsign serve``: a Dutch web page for intake, verification and status.

A thin layer over the services: every verdict is the one verification pipeline's
(``services/pipeline.py``), the status matrix ``services.governance.status``'s and
the audit report ``services.reporting``'s, rendered by ``zvhsign.reports``.
"""

from .app import create_app

__all__ = ["create_app"]
