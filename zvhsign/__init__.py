"""zvhsign: stamp, approve, sign and verify the ZVH covenant and privacy protocol (PAdES).

The package is layered; dependencies point one way::

    errors <- domain <- {pdf, registry} <- services <- {reports, cli}

Heavy libraries (pyhanko, pikepdf, SQLAlchemy) are imported lazily inside the
functions that need them so that ``zvhsign --help`` answers at once.
"""

__version__ = "0.1.0"
