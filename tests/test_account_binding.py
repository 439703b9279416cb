"""Logging out deletes the remember-me cookie; an account is bound to at most one person and vice versa."""

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm.auth.services import AccountError, invite, update_account
from forum_crm.extensions import db
from forum_crm.models import Person, Role, User
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def coordinator(app):
    with app.app_context():
        return factories.committed(factories.user(Role.COORDINATOR, email="koordynator@example.org"))


def test_logout_deletes_the_remember_me_cookie(client, login, coordinator):
    login(coordinator, remember=True)
    assert client.get_cookie("remember_token") is not None
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    expired = [header for header in response.headers.getlist("Set-Cookie") if header.startswith("remember_token=")]
    assert len(expired) == 1 and "Expires=Thu, 01 Jan 1970" in expired[0], response.headers.getlist("Set-Cookie")
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302


# One account per person

def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **data})


@pytest.fixture
def maria(app):
    """A person with a member account."""
    with app.app_context():
        person = factories.person("Maria", "Członkini", email="maria@example.org")
        account = factories.user(Role.MEMBER, email="maria@example.org", person=person)
        return factories.committed(person, account)


def test_the_database_refuses_a_second_account_for_a_person(app, maria):
    person, _account = maria
    with app.app_context():
        factories.user(Role.MEMBER, email="bez-osoby-1@example.org")
        factories.user(Role.MEMBER, email="bez-osoby-2@example.org")  # accounts bound to nobody are not limited
        with pytest.raises(sa.exc.IntegrityError):
            factories.user(Role.MEMBER, email="druga@example.org", person_id=person.id)
        db.session.rollback()


def test_inviting_a_person_who_has_an_account_is_refused_clearly(app, client, login, coordinator, maria):
    login(coordinator)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    response = post(client, "/accounts/invite", {"email": "maria.druga@example.org", "role": "member",
                                                 "organisation": "", "person": "maria@example.org"})
    assert response.status_code == 422
    assert ("Maria Członkini already has an account (maria@example.org); a person can have only one."
            in response.text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_binding_another_account_to_a_person_who_has_one_is_refused(app, client, login, coordinator, maria):
    login(coordinator)
    response = post(client, f"/accounts/{coordinator.id}/edit", {
        "role": "coordinator", "organisation": "", "person": "maria@example.org", "active": "y"})
    assert response.status_code == 422
    assert "Maria Członkini ma już konto (maria@example.org)" in response.text
    _person, account = maria
    keeps = post(client, f"/accounts/{account.id}/edit", {  # the person's own account keeps the person
        "role": "member", "organisation": "", "person": "maria@example.org", "active": "y"})
    assert keeps.status_code == 302


def test_the_services_refuse_too(app, maria):
    person, _account = maria
    with app.test_request_context():
        person = db.session.get(Person, person.id)
        with pytest.raises(AccountError, match="already has an account"):
            invite("inna@example.org", Role.MEMBER, None, person)
        other = factories.user(Role.MEMBER, email="inna@example.org")
        with pytest.raises(AccountError, match="already has an account"):
            update_account(other, Role.MEMBER, None, person, True)
        db.session.rollback()


def test_the_migration_unbinds_the_extra_accounts_of_a_person(migration_app):
    upgrade(revision="0002")
    # The person as the schema of 0002 has it (today's model has columns added later).
    person = sa.table("person", *(sa.column(name) for name in (
        "id", "first_name", "last_name", "forum_member", "leader", "share_contact", "origin", "created_at",
        "updated_at", "version", "search_text", "name_sort")))
    person_id = db.session.execute(sa.insert(person).values(
        first_name="Jan", last_name="Dwakonta", forum_member=False, leader=False, share_contact=False,
        origin="manual", created_at=factories.datetime_now(), updated_at=factories.datetime_now(), version=1,
        search_text="jan dwakonta", name_sort="dwakonta jan").returning(person.c.id)).scalar_one()
    # Accounts, too, with the columns of 0002 only.
    account = sa.table("user_account", *(sa.column(name) for name in (
        "id", "email", "password_hash", "role", "person_id", "active", "session_token", "created_at")))
    for email, active in (("stare@example.org", False), ("uzywane@example.org", True), ("nowsze@example.org", True)):
        db.session.execute(sa.insert(account).values(
            email=email, password_hash="x", role="member", person_id=person_id, active=active,
            session_token=email, created_at=factories.datetime_now()))
    db.session.commit()
    db.session.remove()  # no transaction left open: on PostgreSQL it would block the index change
    upgrade()
    bound = db.session.execute(sa.select(account.c.email, account.c.person_id).order_by(account.c.id)).all()
    assert bound == [("stare@example.org", None), ("uzywane@example.org", person_id), ("nowsze@example.org", None)]
    assert [index["unique"] for index in sa.inspect(db.engine).get_indexes("user_account")
            if index["column_names"] == ["person_id"]] == [True]
