"""The file of an import between preview and confirmation is kept in the database: only for the account that
uploaded it, for a day, and removed by `flask import cleanup`."""

from datetime import timedelta

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import KeptUpload, Person
from forum_crm.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token
from tests.test_imports import confirm, upload

PEOPLE = "Imię;Nazwisko\nAnna;Wiśniewska\n".encode()


def kept() -> list[KeptUpload]:
    return list(db.session.scalars(sa.select(KeptUpload)))


def test_the_file_is_kept_in_the_database_for_the_uploader_only(app, client, login):
    with app.app_context():
        first, second = factories.user(email="a@example.org"), factories.user(email="b@example.org")
        factories.committed(first, second)
    login(first)
    assert upload(client, "/imports/people", PEOPLE, "osoby.csv").status_code == 200
    with app.app_context():
        (row,) = kept()
        assert row.user_id == first.id and row.scope == "people" and row.filename == "osoby.csv"
        assert row.data == PEOPLE
        # the same token in another account's session finds nothing
        db.session.execute(sa.update(KeptUpload).values(user_id=second.id))
        db.session.commit()
    assert confirm(client, "/imports/people/confirm").location == "/imports/people"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_a_new_upload_replaces_the_previous_and_a_day_old_file_is_gone(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    upload(client, "/imports/people", PEOPLE, "pierwszy.csv")
    upload(client, "/imports/people", PEOPLE, "drugi.csv")
    with app.app_context():
        assert [row.filename for row in kept()] == ["drugi.csv"]
        db.session.execute(sa.update(KeptUpload).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
        db.session.commit()
    response = client.post("/imports/people/confirm", data={"csrf_token": csrf_token(client), "action": "run"})
    assert response.location == "/imports/people"  # too old to confirm
    result = app.test_cli_runner().invoke(args=["import", "cleanup"])
    assert result.exit_code == 0 and "Removed 1 file(s)" in result.output
    with app.app_context():
        assert kept() == []
