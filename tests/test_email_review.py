"""A person's e-mail address changed by anyone but the coordinator is not trusted for account e-mails
(issue 11, item 8): an organisation's editor who changes a colleague's address does not receive the
invitation the coordinator sends for that person; password resets go to the account's own address."""

import re

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Person, Role, User
from tests import factories
from tests.conftest import csrf_token
from tests.test_account_security import post

ATTACKER = "attacker@example.org"


@pytest.fixture
def people(app):
    """A coordinator, an organisation with an editor, and the editor's colleague Anna."""
    with app.app_context():
        organisation = factories.organisation("Fundacja Alfa")
        anna = factories.person("Anna", "Kowalska", email="anna@example.org")
        factories.affiliation(anna, organisation)
        coordinator = factories.user(email="koordynator@example.org")
        editor = factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=organisation)
        factories.committed(organisation, anna, coordinator, editor)
        return {"anna": anna.id, "coordinator": coordinator, "editor": editor}


def change_email(app, client, login, user, person_id: int, new_email: str) -> None:
    """`user` changes the person's e-mail address on the person's edit page."""
    login(user)
    with app.app_context():
        person = db.session.get(Person, person_id)
        data = {"first_name": person.first_name, "last_name": person.last_name, "email": new_email, "phone": "",
                "town": "", "town_voivodeship": "", "expertise": "", "version": str(person.version),
                "consent_source": "", "notes": ""}
    response = post(client, f"/people/{person_id}/edit", data)
    assert response.status_code == 302, response.text
    client.post("/logout", data={"csrf_token": csrf_token(client)})


def email_offered(client, person_id: int) -> str:
    """The address the invitation form offers for ?person=ID."""
    page = client.get(f"/accounts/invite?person={person_id}").text
    field = re.search(r'<input[^>]*\bname="email"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', field).group(1)


def invite_anna(client, email_address: str):
    return post(client, "/accounts/invite", {"email": email_address, "role": "member", "person": "Anna Kowalska",
                                             "organisation": ""})


def account(app, email_address: str) -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email_address))


def test_an_editor_s_change_of_a_colleague_s_address_does_not_get_the_invitation(app, client, login, people, outbox):
    change_email(app, client, login, people["editor"], people["anna"], ATTACKER)
    login(people["coordinator"])

    assert email_offered(client, people["anna"]) == "anna@example.org"  # from before the editor's change
    warning = client.get(f"/accounts/invite?person={people['anna']}").text
    assert f"redaktor@example.org zmienił(a) adres e-mail tej osoby na {ATTACKER}" in warning

    refused = invite_anna(client, ATTACKER)
    assert refused.status_code == 422 and "nie zatwierdzono" in refused.text
    assert account(app, ATTACKER) is None and outbox() == []


def test_the_coordinator_sees_the_change_approves_it_and_then_may_invite(app, client, login, people, outbox):
    change_email(app, client, login, people["editor"], people["anna"], ATTACKER)
    login(people["coordinator"])
    review = client.get("/changes/review").text
    assert "Nowy adres e-mail, jeszcze niezatwierdzony" in review
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.entity_id == people["anna"]))
    approved = post(client, f"/changes/review/{entry_id}/approve-email")
    assert approved.status_code == 302
    assert "Nowy adres e-mail, jeszcze niezatwierdzony" not in client.get("/changes/review").text
    assert "adres e-mail zatwierdzony" in client.get(f"/people/{people['anna']}").text  # in the record's history

    assert email_offered(client, people["anna"]) == ATTACKER
    assert invite_anna(client, ATTACKER).status_code == 302
    assert [message["To"] for message in outbox()] == [ATTACKER]


def test_only_the_latest_unapproved_change_can_be_approved(app, client, login, people):
    change_email(app, client, login, people["editor"], people["anna"], "anna.nowa@example.org")
    change_email(app, client, login, people["editor"], people["anna"], ATTACKER)
    login(people["coordinator"])
    with app.app_context():
        first, _latest = db.session.scalars(sa.select(ChangeLogEntry.id).order_by(ChangeLogEntry.id)).all()
    post(client, f"/changes/review/{first}/approve-email")
    assert "Nowy adres e-mail, jeszcze niezatwierdzony" in client.get("/changes/review").text
    # The form offers the address the coordinator last set, from before both changes.
    assert email_offered(client, people["anna"]) == "anna@example.org"
    assert invite_anna(client, "anna.nowa@example.org").status_code == 302  # no longer anyone's address


def test_the_coordinator_s_own_change_is_trusted(app, client, login, people, outbox):
    change_email(app, client, login, people["editor"], people["anna"], ATTACKER)
    login(people["coordinator"])
    with app.app_context():
        person = db.session.get(Person, people["anna"])
        version = person.version
    post(client, f"/people/{people['anna']}/edit", {
        "first_name": "Anna", "last_name": "Kowalska", "email": "anna.k@example.org", "phone": "", "town": "",
        "town_voivodeship": "", "expertise": "", "version": str(version), "consent_source": "", "notes": "",
        "consent_given_on": ""})
    assert email_offered(client, people["anna"]) == "anna.k@example.org"
    assert invite_anna(client, "anna.k@example.org").status_code == 302
    assert [message["To"] for message in outbox()] == ["anna.k@example.org"]


def test_a_password_reset_goes_to_the_account_s_own_address(app, client, login, people, outbox):
    with app.app_context():
        anna = db.session.get(Person, people["anna"])
        factories.committed(factories.user(Role.MEMBER, email="anna.konto@example.org", person=anna))
    change_email(app, client, login, people["editor"], people["anna"], ATTACKER)

    post(client, "/password/forgot", {"email": ATTACKER})
    assert outbox() == []
    post(client, "/password/forgot", {"email": "anna.konto@example.org"})
    assert [message["To"] for message in outbox()] == ["anna.konto@example.org"]
