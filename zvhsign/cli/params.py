"""Click parameter types of zvhsign's own."""

from __future__ import annotations

from datetime import datetime

import click

#: the moments ``verify --at`` accepts: no certificate or signature predates the first, and the
#: last leaves room for ``--renew-within`` (at most 36,500 days) before the calendar's end
#: (9999-12-31, where Python's dates stop)
EARLIEST_MOMENT = datetime(1970, 1, 1)
LATEST_MOMENT = datetime(9899, 12, 31, 23, 59, 59)


class ValidationMoment(click.DateTime):
    """``verify --at``: a (UTC) date or date-time, ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``,
    from :data:`EARLIEST_MOMENT` to :data:`LATEST_MOMENT`; anything else is a usage error
    (exit 2) naming that range."""

    name = "datetime"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        moment = super().convert(value, param, ctx)
        if not EARLIEST_MOMENT <= moment <= LATEST_MOMENT:
            self.fail(
                f"{value!r} is out of range: give a moment from {EARLIEST_MOMENT:%Y-%m-%d} "
                f"to {LATEST_MOMENT:%Y-%m-%d} (UTC)", param, ctx,
            )
        return moment
