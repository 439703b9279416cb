"""Upgrading a database that holds data: the previous release's schema (the revision before head, whatever
it is now), filled with a demo network through its own tables, upgraded to head; every row survives and the
app serves it. And `db upgrade` leaves a database of a newer release alone, with a clear message."""

import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm.extensions import db
from forum_crm.schema import code_heads, previous_revision
from tests import factories
from tests.conftest import csrf_token
from tests.old_revision_data import COORDINATOR_EMAIL, insert_network, read_all

# Columns a migration deliberately rewrites, by table: none so far. A migration that transforms data
# names its columns here and tests the transformation in its own test.
REWRITTEN: dict[str, set[str]] = {}


def test_the_previous_releases_data_survives_the_upgrade_and_is_served(migration_app):
    upgrade(revision=previous_revision())
    with db.engine.begin() as connection:
        insert_network(connection)
    with db.engine.connect() as connection:
        before = read_all(connection)
    assert before["person"] and before["participation"] and before["day_attendance"]

    upgrade()

    with db.engine.connect() as connection:
        after = read_all(connection)
        assert {row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))} == \
            set(code_heads())
    for table, rows in before.items():
        assert table in after, f"table {table} is gone"
        assert set(after[table]) == set(rows), f"rows of {table} changed"
        for key, row in rows.items():
            kept = {name: value for name, value in after[table][key].items()
                    if name in row and name not in REWRITTEN.get(table, set())}
            assert kept == {name: row[name] for name in kept}, f"{table} {key}"

    client = migration_app.test_client()
    response = client.post("/login", data={"email": COORDINATOR_EMAIL, "password": factories.PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    people = client.get("/people")
    assert people.status_code == 200 and "Kowalska" in people.text
    assert client.get("/editions").status_code == 200


def test_db_upgrade_refuses_a_database_of_a_newer_release(migration_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    result = migration_app.test_cli_runner().invoke(args=["db", "upgrade"])  # its log goes to the runner's stderr
    assert result.exit_code == 1
    assert "revision 9999_from_the_future, which this version of forum-crm does not know" in result.output
    with db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == "9999_from_the_future"
        assert "kept_upload" in sa.inspect(connection).get_table_names()  # nothing was dropped or redone
