"""The migrations build exactly the models' schema, and can be undone and redone."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum_crm import create_app
from forum_crm.extensions import db
from tests.conftest import TEST_SECRET, create_postgres_database, drop_postgres_database, postgres_url


@pytest.fixture
def empty_database_url(tmp_path):
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = create_postgres_database(base, "migrations")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def migration_app(empty_database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_head_builds_exactly_the_models(migration_app):
    upgrade()
    assert table_names() == set(db.metadata.tables)
    assert schema_drift() == []


def test_downgrade_to_base_and_upgrade_again(migration_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() == set()
    upgrade()
    assert schema_drift() == []
