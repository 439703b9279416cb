"""The migrations build exactly the models' schema, and can be undone and redone."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum_crm.extensions import db
from forum_crm.search import is_search_index, models_only


def schema_drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True,
                                                                  "include_object": models_only})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    names = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_search_index(name)}


def test_upgrade_head_builds_exactly_the_models(migration_app):
    upgrade()
    assert table_names() == set(db.metadata.tables)
    assert schema_drift() == []


def test_downgrade_to_base_and_upgrade_again(migration_app):
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_drift() == []
