"""The migrations build exactly the models' schema, and can be undone and redone."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from forum_crm.extensions import db
from forum_crm.models import Affiliation, Organisation, Participation, Person, RowCount
from forum_crm.search import is_search_index, models_only
from forum_crm.seeding.demo import generate_demo_network
from forum_crm.seeding.report import seed_report


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


def test_downgrade_and_upgrade_keep_the_rows_that_refer_to_rebuilt_tables(migration_app):
    """On SQLite, undoing a migration rebuilds tables (organisation, person...) that other tables' rows refer to:
    with foreign keys enforced, dropping such a table failed (or would cascade) as soon as there were data."""
    upgrade()
    seed_report()
    generate_demo_network(40, 8, editions=2, seed=3)
    db.session.commit()
    counted = (Person, Organisation, Affiliation, Participation)
    before = {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in counted}
    assert before["Affiliation"] > 0 and before["Participation"] > 0
    db.session.remove()
    downgrade(revision="0006")
    upgrade()
    assert {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in counted} == before
    assert db.session.scalar(sa.select(RowCount.records)) == before["Organisation"]  # counted as 0023 was made
    assert schema_drift() == []
