"""Times a person reads are Dutch local time with the zone named (issue 12 item 2):
``verify -v`` and ``log show`` show ``2026-11-30 17:34:12 CET``; ``--json`` keeps UTC
ISO-8601 with its offset. A real signed copy, a real registry."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from zvhsign.cli.main import cli

AMS = ZoneInfo("Europe/Amsterdam")
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def _shown(iso: str) -> tuple[datetime, str]:
    moment = datetime.fromisoformat(iso)
    assert moment.utcoffset().total_seconds() == 0, iso  # JSON: UTC, with its offset
    assert iso.endswith("+00:00"), iso
    local = moment.astimezone(AMS)
    return moment, local.strftime("%Y-%m-%d %H:%M:%S ") + ("CEST" if local.dst() else "CET")


def test_verify_shows_amsterdam_time_and_json_keeps_utc(approved, signed_convenant):
    run = CliRunner()
    ws = ["-w", str(approved.ws.root)]
    r = run.invoke(cli, [*ws, "verify", "--json", str(signed_convenant)], env=ENV)
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(r.stdout)
    (f,) = doc["files"]
    sig = next(s for s in f["signatures"] if s["field"].startswith("ZVH_Handtekening"))
    ts_moment, ts_shown = _shown(sig["signature_timestamp"]["time"])
    _, claimed_shown = _shown(sig["claimed_signing_time"])
    assert "CET" not in json.dumps(doc) and "CEST" not in json.dumps(doc)

    human = run.invoke(cli, [*ws, "verify", "-v", str(signed_convenant)], env=ENV)
    assert human.exit_code in (0, 1), human.output
    assert ts_shown in human.stdout, (ts_shown, human.stdout)
    assert claimed_shown in human.stdout, (claimed_shown, human.stdout)
    # the UTC spelling is gone from what people read (unless Amsterdam happened to be UTC: never)
    assert ts_moment.strftime("%Y-%m-%d %H:%M:%SZ") not in human.stdout
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T", human.stdout)


def test_log_show_in_amsterdam_time_json_in_utc(approved):
    run = CliRunner()
    ws = ["-w", str(approved.ws.root)]
    r = run.invoke(cli, [*ws, "log", "show", "--json"])
    assert r.exit_code == 0, r.output
    events = json.loads(r.stdout)["events"]
    first = events[0]
    _, shown = _shown(first["at"])
    human = run.invoke(cli, [*ws, "log", "show"], env=ENV)
    assert human.exit_code == 0, human.output
    line = next(ln for ln in human.stdout.splitlines() if ln.startswith(f"#{first['seq']} "))
    assert shown in line, (shown, line)
    assert not re.search(r"\d\d:\d\d:\d\dZ", human.stdout)
    assert datetime.fromisoformat(first["at"]).tzinfo is not None
    assert datetime.fromisoformat(first["at"]).utcoffset() == timezone.utc.utcoffset(None)
