"""Schema revisions: open refuses databases without, with an unknown, or an older schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from zvhsign.errors import RegistryError
from zvhsign.registry import Registry, _migrate

ACTOR = "secretariaat"

HEAD = Registry.head_revision()
LATER = "9000_test"

MIGRATION_LATER = '''"""test-only: a later migration on top of the real head.

Revision ID: 9000_test
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9000_test"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zz_test_later",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("zz_test_later")
'''.replace("{head}", HEAD)


def _run(url: str, fn) -> None:  # noqa: ANN001
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            fn(conn)
    finally:
        engine.dispose()


def test_head_revision_is_the_last_migration() -> None:
    revs = sorted(p.name.split("_")[0] for p in (Path(_migrate.script_location()) / "versions").glob("0*.py"))
    assert Registry.head_revision() == revs[-1]


def test_packaged_head_is_alembics_head() -> None:
    """Opening a registry skips Alembic when the packaged head is known without it: that
    constant must be the head Alembic computes from the migrations (a new migration
    updates it)."""
    assert _migrate.script_directory().get_current_head() == _migrate.PACKAGED_HEAD


def test_upgrade_from_the_previous_revision(registry_url: str) -> None:
    """A registry made by the previous zvhsign is refused, then upgraded, with its log intact."""
    sd = _migrate.script_directory()
    previous = sd.get_revision(HEAD).down_revision
    if previous is None:
        pytest.skip("only one migration exists")
    with Registry.create(registry_url, actor=ACTOR) as reg:
        reg.append_event("record-copy", "before the upgrade", actor=ACTOR)
    _run(registry_url, lambda conn: _migrate.downgrade(conn, previous))
    with pytest.raises(RegistryError, match="older than this zvhsign"):
        Registry.open(registry_url)
    assert Registry.upgrade(registry_url, actor="beheerder") == (previous, HEAD)
    with Registry.open(registry_url) as reg:
        assert [e.action for e in reg.events()] == ["init", "record-copy", "db-upgrade"]
        assert reg.verify_log() == []


def test_schema_dropped_to_base_says_init(registry_url: str) -> None:
    Registry.create(registry_url, actor=ACTOR).close()
    _run(registry_url, lambda conn: _migrate.downgrade(conn, "base"))
    with pytest.raises(RegistryError) as err:
        Registry.open(registry_url)
    assert "no zvhsign registry" in err.value.message
    assert "zvhsign init" in err.value.diagnostic()


def test_unknown_revision_is_refused(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    Registry.create(registry_url, actor=ACTOR).close()
    raw_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(RegistryError) as err:
        Registry.open(registry_url)
    assert "'9999_from_the_future', unknown to this zvhsign" in err.value.message
    with pytest.raises(RegistryError, match="unknown to this zvhsign"):
        Registry.upgrade(registry_url)


def test_upgrade_of_empty_database_says_init(registry_url: str, raw_sql) -> None:  # noqa: ANN001
    raw_sql("SELECT 1")
    with pytest.raises(RegistryError, match="no zvhsign registry"):
        Registry.upgrade(registry_url)


def test_upgrade_at_head_is_a_no_op(registry_url: str) -> None:
    Registry.create(registry_url, actor=ACTOR).close()
    assert Registry.upgrade(registry_url, actor=ACTOR) == (HEAD, HEAD)
    with Registry.open(registry_url) as reg:
        assert [e.action for e in reg.events()] == ["init"]


@pytest.fixture
def newer_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Switch on a copy of the migrations with a test-only revision on top of the real head."""
    src = Path(_migrate.script_location())
    dst = tmp_path / "migrations"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    (dst / "versions" / "9000_test_later.py").write_text(MIGRATION_LATER)

    def switch() -> None:
        monkeypatch.setattr(_migrate, "script_location", lambda: str(dst))

    return switch


def test_older_revision_is_refused_until_upgraded(
    registry_url: str, newer_migrations, raw_sql  # noqa: ANN001
) -> None:
    Registry.create(registry_url, actor=ACTOR).close()  # at HEAD
    newer_migrations()  # this "zvhsign" now knows LATER
    assert Registry.head_revision() == LATER
    with pytest.raises(RegistryError) as err:
        Registry.open(registry_url)
    assert f"older than this zvhsign's '{LATER}'" in err.value.message
    assert "zvhsign db upgrade" in err.value.diagnostic()

    assert Registry.upgrade(registry_url, actor="beheerder") == (HEAD, LATER)
    with Registry.open(registry_url) as reg:
        assert reg.current_revision() == LATER
        last = reg.events()[-1]
        assert (last.action, last.actor, last.details) == (
            "db-upgrade",
            "beheerder",
            {"from_revision": HEAD, "to_revision": LATER},
        )
        assert reg.verify_log() == []
    assert raw_sql("SELECT COUNT(*) FROM zz_test_later")[0][0] == 0


def test_newer_database_than_this_zvhsign_is_refused(
    registry_url: str, newer_migrations, monkeypatch  # noqa: ANN001
) -> None:
    real = _migrate.script_location
    newer_migrations()
    Registry.create(registry_url, actor=ACTOR).close()  # at LATER
    monkeypatch.setattr(_migrate, "script_location", real)  # back to a zvhsign knowing HEAD
    with pytest.raises(RegistryError, match=f"'{LATER}', unknown to this zvhsign"):
        Registry.open(registry_url)
