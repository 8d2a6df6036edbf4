"""``python -m zvhsign.cli``: the same as the ``zvhsign`` command."""

from . import main

main()
