"""Issue 12 item 4 / issue 15 item 7: zvhsign.toml is validated (a schema), written by
a TOML library, and `init` without a TSA says what that means."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from tests.conftest import copy_workspace

from zvhsign.errors import RegistryError, WorkspaceError
from zvhsign.services.workspace import CONFIG_NAME, load_workspace, render_config

TRUST = {"roots": ["trust/root.pem"], "secretariat": ["trust/sec.pem"], "other_certs": []}


@pytest.fixture
def ws_dir(approved, tmp_path) -> Path:
    """A copy of the approved test workspace whose zvhsign.toml a test may edit."""
    root = tmp_path / "ws"
    copy_workspace(approved.ws.root, root)
    return root


def _edit(root: Path, old: str, new: str) -> None:
    cfg = root / CONFIG_NAME
    text = cfg.read_text(encoding="utf-8")
    assert old in text, text
    cfg.write_text(text.replace(old, new, 1), encoding="utf-8")


def _one_line_error(root: Path) -> str:
    with pytest.raises(WorkspaceError) as info:
        load_workspace(root)
    msg = info.value.message
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def test_the_written_config_loads_and_is_toml(ws_dir):
    doc = tomllib.loads((ws_dir / CONFIG_NAME).read_text(encoding="utf-8"))
    # the sections every workspace has (init also writes [policy], [report], [trusted_lists]);
    # load_workspace refuses any section or key the schema doesn't know
    assert {"database", "trust", "tsa", "testpki"} <= set(doc)
    assert load_workspace(ws_dir).config.tsa_url


def test_misspelled_key_ulr_is_refused_naming_url(ws_dir):
    _edit(ws_dir, "\nurl = \"http://", "\nulr = \"http://")
    msg = _one_line_error(ws_dir)
    assert "unknown key 'ulr' in [tsa]" in msg and "did you mean url?" in msg


def test_misspelled_section_is_refused_naming_the_section(ws_dir):
    _edit(ws_dir, "[tsa]", "[tss]")
    assert "did you mean [tsa]?" in _one_line_error(ws_dir)


def test_key_outside_its_section_is_named(ws_dir):
    cfg = ws_dir / CONFIG_NAME
    cfg.write_text("timeout = 5\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    assert "did you mean [tsa] timeout" in _one_line_error(ws_dir)


@pytest.mark.parametrize("value", ["0", "-5", "nan", "1e9"])
def test_timeout_zero_negative_or_absurd_is_refused(ws_dir, value):
    _edit(ws_dir, "timeout = 10", f"timeout = {value}")
    msg = _one_line_error(ws_dir)
    assert "[tsa] timeout" in msg and "greater than 0" in msg


def test_timeout_of_the_wrong_type_is_named(ws_dir):
    _edit(ws_dir, "timeout = 10", 'timeout = "10"')
    assert "[tsa] timeout must be a number of seconds, not a string" in _one_line_error(ws_dir)


def test_roots_as_a_string_is_refused_not_read_letter_by_letter(ws_dir):
    text = (ws_dir / CONFIG_NAME).read_text(encoding="utf-8")
    first_root = tomllib.loads(text)["trust"]["roots"][0]
    line = next(x for x in text.splitlines() if x.startswith("roots ="))
    _edit(ws_dir, line, f'roots = "{first_root}"')
    msg = _one_line_error(ws_dir)
    assert "[trust] roots must be a list of file names" in msg and f'["{first_root}"]' in msg


def test_wrong_type_for_serve_is_named(ws_dir):
    _edit(ws_dir, "serve = true", 'serve = "yes"')
    assert "[testpki] serve must be true or false, not a string" in _one_line_error(ws_dir)


def test_config_that_is_a_directory_or_unreadable_is_one_line(ws_dir):
    cfg = ws_dir / CONFIG_NAME
    text = cfg.read_text(encoding="utf-8")
    cfg.unlink()
    cfg.mkdir()
    assert "is a directory" in _one_line_error(ws_dir)
    cfg.rmdir()
    cfg.write_text(text, encoding="utf-8")
    if os.geteuid() != 0:  # root reads anything
        cfg.chmod(0)
        assert "can't read" in _one_line_error(ws_dir)
        cfg.chmod(0o644)
    cfg.write_bytes(b"[tsa]\nurl = \"\xff\"\n")
    assert "not UTF-8" in _one_line_error(ws_dir)


def test_database_url_with_a_non_numeric_port_is_one_line(ws_dir):
    text = (ws_dir / CONFIG_NAME).read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith('url = "sqlite'))
    _edit(ws_dir, line, 'url = "postgresql+psycopg://zvh:geheim@db.example:abc/zvhsign"')
    msg = _one_line_error(ws_dir)
    assert "port that is not a number" in msg and "geheim" not in msg


def test_registry_parse_url_non_numeric_port_is_a_registry_error():
    from zvhsign.registry._db import parse_url

    with pytest.raises(RegistryError, match="port that is not a number"):
        parse_url("postgresql+psycopg://zvh:geheim@db.example:abc/zvhsign")


def test_the_cli_shows_one_line_for_a_bad_setting(ws_dir):
    from ._util import run

    _edit(ws_dir, "\nurl = \"http://", "\nulr = \"http://")
    result = run(["-w", ws_dir, "versions"], timeout=120)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "did you mean url?" in err and "Traceback" not in err


def test_render_config_escapes_values_and_validates():
    text = render_config(
        database_url="sqlite:///zvhsign.db", trust_roots=['trust/a "quoted" \\ name.pem'],
        secretariat=["trust/s.pem"], other_certs=[], tsa_url=None, test_pki=False,
    )
    doc = tomllib.loads(text)
    assert doc["trust"]["roots"] == ['trust/a "quoted" \\ name.pem']
    assert doc["tsa"] == {"url": "", "timeout": 10}
    assert "PAdES B-B" in text  # the no-TSA consequence is written next to the setting


def test_init_without_a_tsa_says_what_that_means(tmp_path):
    from zvhsign.services.setup import init_workspace, workspace_notes
    from zvhsign.testpki import certs_dir

    out = certs_dir() / "out"
    ws = init_workspace(
        tmp_path / "ws", trust_roots=[out / "zvh-root.cert.pem"],
        secretariat=[out / "secretariaat.cert.pem"], other_certs=[out / "zvh-ca.cert.pem"],
    )
    (note,) = workspace_notes(ws)
    assert "B-B" in note and "undecided" in note and "[tsa] url" in note
