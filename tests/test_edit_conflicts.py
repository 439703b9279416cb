"""save_form when a save collides at commit time: someone else saves the same record (or a record with the
same name) after the form was checked and before it is written. Their save runs in its own session and
commits between the two, as a second request would."""

import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_login import login_user

from forum_crm.extensions import db
from forum_crm.me import routes as me_routes
from forum_crm.models import ChangeLogEntry, Organisation, Person, Role, User
from forum_crm.organisations import routes as organisation_routes
from forum_crm.organisations.services import save_organisation
from forum_crm.people.services import save_person
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def people(app):
    """A coordinator, an organisation with its editor, and a member with her own profile."""
    with app.app_context():
        organisation = factories.organisation("Fundacja Wersja", phone="+48 500 100 100")
        maria = factories.person("Maria", "Członkini", email="maria@example.org")
        users = [factories.user(email="k@example.org"),
                 factories.user(Role.ORG_EDITOR, email="editor@example.org", organisation=organisation),
                 factories.user(Role.MEMBER, email="maria.konto@example.org", person=maria)]
        factories.committed(organisation, maria, *users)
        return {"organisation": organisation.id, "maria": maria.id}


@contextmanager
def as_someone_else(app, email: str):
    """A second request's session, logged in as `email`, that commits when the block ends."""
    with app.app_context(), app.test_request_context():
        login_user(db.session.scalar(sa.select(User).where(User.email == email)))
        yield
        db.session.commit()


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def organisation_data(**values):
    data = {"name": "Fundacja Wersja", "sector": "ngo", "town": "", "town_voivodeship": "", "krs": "", "nip": "",
            "website": "", "email": "", "phone": "+48 500 100 100", "description": "", "areas": "",
            "forum_member_since": "", "short_name": ""}
    data.update(values)
    return data


def version_field(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def test_a_save_that_loses_the_race_at_commit_is_refused_and_shows_what_changed(app, client, login, people,
                                                                                 monkeypatch):
    def editor_saves_first_then(organisation, data):
        with as_someone_else(app, "editor@example.org"):
            theirs = db.session.get(Organisation, organisation.id)
            save_organisation(theirs, {"phone": "+48 600 700 800", "description": "Ich opis.", "town": None,
                                       "areas": [], "languages": []})
        return save_organisation(organisation, data)

    monkeypatch.setattr(organisation_routes, "save_organisation", editor_saves_first_then)
    login(SimpleNamespace(email="k@example.org"))
    url = f"/organisations/{people['organisation']}/edit"
    version = version_field(client.get(url).text)
    response = post(client, url, organisation_data(name="Fundacja Moja", website="https://moja.example.org",
                                                   version=version))
    assert response.status_code == 409
    assert "Ktoś inny zapisał ten rekord" in response.text and "Zapisano." not in response.text
    changed = re.search(r'<section class="card conflict".*?</section>', response.text, re.S).group(0)
    assert "editor@example.org" in changed and "+48 600 700 800" in changed and "Ich opis." in changed
    assert 'value="Fundacja Moja"' in response.text and 'value="https://moja.example.org"' in response.text
    assert version_field(response.text) == str(int(version) + 1)  # saving again now overwrites, knowingly
    with app.app_context():
        organisation = db.session.get(Organisation, people["organisation"])
        assert (organisation.name, organisation.phone, organisation.website) == (
            "Fundacja Wersja", "+48 600 700 800", None)
        assert db.session.scalars(sa.select(ChangeLogEntry.changes)).all() == [
            {"phone": ["+48 500 100 100", "+48 600 700 800"], "description": [None, "Ich opis."]}]

    monkeypatch.setattr(organisation_routes, "save_organisation", save_organisation)
    again = post(client, url, organisation_data(name="Fundacja Moja", version=version_field(response.text)))
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, people["organisation"]).name == "Fundacja Moja"


def test_own_profile_saved_elsewhere_meanwhile_is_not_overwritten(app, client, login, people, monkeypatch):
    def coordinator_saves_first_then(person, data):
        with as_someone_else(app, "k@example.org"):
            save_person(db.session.get(Person, person.id), {"phone": "+48 601 601 601", "town": None})
        return save_person(person, data)

    monkeypatch.setattr(me_routes, "save_person", coordinator_saves_first_then)
    login(SimpleNamespace(email="maria.konto@example.org"))
    version = version_field(client.get("/me").text)
    response = post(client, "/me", {"first_name": "Marysia", "last_name": "Członkini", "email": "maria@example.org",
                                    "phone": "", "town": "", "town_voivodeship": "", "expertise": "",
                                    "version": version})
    assert response.status_code == 409
    assert "k@example.org" in response.text and "+48 601 601 601" in response.text
    assert 'value="Marysia"' in response.text
    with app.app_context():
        maria = db.session.get(Person, people["maria"])
        assert (maria.first_name, maria.phone, maria.version) == ("Maria", "+48 601 601 601", int(version) + 1)


def test_a_name_taken_meanwhile_is_a_message_not_a_server_error(app, client, login, people, monkeypatch):
    def someone_adds_the_same_name_then(organisation, data):
        with as_someone_else(app, "k@example.org"):
            save_organisation(Organisation(), {"name": "Fundacja Łąka", "town": None, "areas": [], "languages": []})
        return save_organisation(organisation, data)

    monkeypatch.setattr(organisation_routes, "save_organisation", someone_adds_the_same_name_then)
    # The service's own check would see the other name (422); this is the race past it, caught at commit.
    monkeypatch.setattr("forum_crm.organisations.services.clashing_organisation", lambda *_args: None)
    login(SimpleNamespace(email="k@example.org"))
    response = post(client, "/organisations/new", organisation_data(name="Fundacja Laka", phone=""))
    assert response.status_code == 409
    assert "W międzyczasie ktoś zapisał rekord o tej samej nazwie" in response.text
    assert 'value="Fundacja Laka"' in response.text
    with app.app_context():
        assert db.session.scalars(sa.select(Organisation.name).order_by(Organisation.id)).all() == [
            "Fundacja Wersja", "Fundacja Łąka"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry)) == 1  # theirs only
