"""The decision which PostgreSQL the tests use (tests/pgurl.py), on real connections:
a port where nothing listens, the opt-out, and the server these machines run on
127.0.0.1:5432. Then the whole effect, in a pytest subprocess: skipped with the reason
when unreachable, not collected (and said so) when ``off``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pgurl

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def port():
    """A port on 127.0.0.1 that refuses connections: bound here and never listened on, held
    for the whole test (a port closed again could be taken by another test's server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_nothing_listening_is_not_usable_and_says_what_was_tried(monkeypatch, port):
    monkeypatch.delenv(pgurl.PG_ENV, raising=False)
    monkeypatch.setattr(pgurl, "DEFAULT_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    c = pgurl.decide()
    assert not c.usable and not c.opted_out
    assert f"PostgreSQL not usable at 127.0.0.1:{port} (Connection refused)" in c.reason, c.reason
    assert f"the default; {pgurl.PG_ENV} is not set" in c.reason, c.reason
    assert f"set {pgurl.PG_ENV} to a reachable server's URL, or to off" in c.reason, c.reason
    assert c.reason in c.header()
    # the empty string is "not set", not an opt-out
    monkeypatch.setenv(pgurl.PG_ENV, "")
    c = pgurl.decide()
    assert not c.usable and not c.opted_out and f"{pgurl.PG_ENV} is empty" in c.reason, c.reason
    assert pgurl.backends() == ["sqlite", "postgresql"]


def test_an_explicit_url_that_does_not_answer_is_named_without_its_password(monkeypatch, port):
    monkeypatch.setenv(pgurl.PG_ENV, f"postgresql+psycopg://zvh:geheim@127.0.0.1:{port}/zvh")
    c = pgurl.decide()
    assert not c.usable
    assert f"tried postgresql+psycopg://zvh:***@127.0.0.1:{port}/zvh (from {pgurl.PG_ENV})" in c.reason, c.reason
    assert "geheim" not in c.reason and "geheim" not in c.header()
    monkeypatch.setenv(pgurl.PG_ENV, "not a url")
    c = pgurl.decide()
    assert not c.usable and "is not a database URL" in c.reason, c.reason


@pytest.mark.parametrize("value", ["off", " OFF ", "Off"])
def test_off_is_an_explicit_opt_out(monkeypatch, value):
    monkeypatch.setenv(pgurl.PG_ENV, value)
    c = pgurl.decide()
    assert c.opted_out and not c.usable
    assert pgurl.opted_out() and pgurl.backends() == ["sqlite"]
    assert c.header() == (f"postgresql: none, left out by {pgurl.PG_ENV}=off "
                          "(the postgresql tests are not collected)")


def test_the_default_is_used_when_it_answers(monkeypatch):
    monkeypatch.delenv(pgurl.PG_ENV, raising=False)
    # whether something listens there at all, found out without psycopg
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        if s.connect_ex(("127.0.0.1", 5432)) != 0:
            pytest.skip("nothing listens on 127.0.0.1:5432 (start PostgreSQL there; .ci/run does)")
    c = pgurl.decide()
    assert c.usable, c.reason
    assert c.url == pgurl.DEFAULT_URL == "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    assert c.header() == (f"postgresql: postgresql+psycopg://postgres@127.0.0.1:5432/postgres "
                          f"(the default; {pgurl.PG_ENV} is not set)")


def test_choice_is_decided_once():
    assert pgurl.choice() is pgurl.choice()


def _pytest(value: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ZVHSIGN_STRICT_SKIPS"}  # a skip stays a skip
    env[pgurl.PG_ENV] = value
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=-ra",
         "--import-mode=importlib", "tests/registry/test_registry_basic.py", "-k", "create_then_open", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )


def test_unreachable_postgresql_is_skipped_with_the_reason_and_off_is_not_collected(port):
    r = _pytest(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "1 passed, 1 skipped" in out, out
    assert f"PostgreSQL not usable at 127.0.0.1:{port} (Connection refused)" in out, out
    assert "postgresql: none, the postgresql tests are skipped: PostgreSQL not usable" in out, out  # header

    r = _pytest("off", "-q")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "1 passed" in out and "skipped" not in out, out
    assert "[postgresql]" not in out, out
    assert f"PostgreSQL tests were left out by {pgurl.PG_ENV}=off (not collected)" in out, out
