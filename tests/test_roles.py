"""Roles on the server: who may change which organisation and person, with which fields; own profiles;
the members' directory; the coordinator's review feed with reverts; profile confirmation and reminders."""

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.auth.permissions import can_edit_organisation, can_edit_person
from forum_crm.consents import consent_history
from forum_crm.extensions import db
from forum_crm.models import (
    AreaOfWork,
    ChangeLogEntry,
    ConsentSource,
    Organisation,
    OrganisationLanguage,
    Person,
    Role,
    Sector,
    User,
)
from forum_crm.people.services import save_person
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def network(app):
    """Organisations A and B, a person at each (and one who left A), their editors, a member, a coordinator."""
    with app.app_context():
        lublin = factories.locality()
        org_a = factories.organisation("Fundacja Alfa", locality=lublin, forum_member_since=date(2023, 5, 18),
                                       phone="+48 500 100 100")
        org_b = factories.organisation("Fundacja Beta", forum_member_since=date(2023, 5, 18))
        anna = factories.person("Anna", "Alfowa", email="anna@example.org", phone="+48 600 000 001", locality=lublin,
                                notes="tajna notatka", directory_consent_at=factories.datetime_now())
        bartek = factories.person("Bartek", "Betowy", email="bartek@example.org")
        former = factories.person("Fryderyk", "Dawny")
        factories.affiliation(anna, org_a)
        factories.affiliation(bartek, org_b)
        factories.affiliation(former, org_a, started_on=date(2019, 1, 1), ended_on=date(2020, 1, 1))
        maria = factories.person("Maria", "Członkini", email="maria@example.org")
        users = {
            "editor_a": factories.user(Role.ORG_EDITOR, email="a@example.org", organisation=org_a),
            "editor_b": factories.user(Role.ORG_EDITOR, email="b@example.org", organisation=org_b),
            "member": factories.user(Role.MEMBER, email="maria.konto@example.org", person=maria),
            "coordinator": factories.user(Role.COORDINATOR, email="k@example.org"),
        }
        factories.committed(org_a, org_b, anna, bartek, former, maria, *users.values())
        return {"org_a": org_a.id, "org_b": org_b.id, "anna": anna.id, "bartek": bartek.id, "former": former.id,
                "maria": maria.id, **{name: user.email for name, user in users.items()}}


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def english(client):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/login")})


def version_of(app, model, id) -> str:
    with app.app_context():
        return str(db.session.get(model, id).version)


def profile_data(**values):
    data = {"name": "Fundacja Alfa", "short_name": "", "town": "Lublin", "town_voivodeship": "", "krs": "",
            "nip": "", "website": "", "email": "", "phone": "", "description": "", "areas": ""}
    data.update(values)
    return data


def contact_data(**values):
    data = {"first_name": "Anna", "last_name": "Alfowa", "email": "anna@example.org", "phone": "", "town": "",
            "town_voivodeship": "", "expertise": ""}
    data.update(values)
    return data


# Per-object permissions

def test_permission_functions(app, network):
    with app.app_context():
        users = {name: db.session.scalar(sa.select(User).where(User.email == network[name]))
                 for name in ("editor_a", "editor_b", "member", "coordinator")}
        org_a, org_b = db.session.get(Organisation, network["org_a"]), db.session.get(Organisation, network["org_b"])
        anna, former, maria = (db.session.get(Person, network[name]) for name in ("anna", "former", "maria"))
        assert can_edit_organisation(users["editor_a"], org_a) and not can_edit_organisation(users["editor_a"], org_b)
        assert can_edit_organisation(users["coordinator"], org_b)
        assert not can_edit_organisation(users["member"], org_a)
        assert can_edit_person(users["editor_a"], anna) and not can_edit_person(users["editor_b"], anna)
        assert not can_edit_person(users["editor_a"], former)  # left the organisation
        assert can_edit_person(users["member"], maria) and not can_edit_person(users["member"], anna)
        org_a.archived_at = datetime.now(UTC)
        assert not can_edit_organisation(users["editor_a"], org_a) and not can_edit_person(users["editor_a"], anna)
        maria.anonymised_at = datetime.now(UTC)
        assert not can_edit_person(users["member"], maria)
        db.session.rollback()


def test_editor_edits_own_organisation_and_change_is_logged_as_theirs(app, client, login, network):
    login(SimpleNamespace(email=network["editor_a"]))
    page = client.get(f"/organisations/{network['org_a']}/edit")
    assert page.status_code == 200
    assert 'name="forum_member_since"' not in page.text and 'name="sector"' not in page.text
    assert 'name="consortium_member"' not in page.text
    response = post(client, f"/organisations/{network['org_a']}/edit", profile_data(
        description="Pomagamy od 2015 roku.", version=version_of(app, Organisation, network["org_a"])))
    assert response.status_code == 302 and response.location == "/me/organisation"
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        assert organisation.description == "Pomagamy od 2015 roku."
        entry = db.session.scalar(sa.select(ChangeLogEntry))
        assert entry.user.email == network["editor_a"] and entry.changes == {
            "description": [None, "Pomagamy od 2015 roku."], "phone": ["+48 500 100 100", None]}


def test_smuggled_fields_are_not_applied(app, client, login, network):
    login(SimpleNamespace(email=network["editor_a"]))
    response = post(client, f"/organisations/{network['org_a']}/edit", profile_data(
        phone="+48 500 100 100", forum_member_since="", consortium_member="y", sector="donor",
        notes="smuggled", version=version_of(app, Organisation, network["org_a"])))
    assert response.status_code == 302
    response = post(client, f"/people/{network['anna']}/edit", contact_data(
        phone="+48 600 000 001", town="Lublin", notes="nadpisane", forum_member="y", leader="y",
        directory_consent="", map_consent="y",
        version=version_of(app, Person, network["anna"])))
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        assert organisation.forum_member_since == date(2023, 5, 18)
        assert not organisation.consortium_member and organisation.sector == Sector.NGO
        anna = db.session.get(Person, network["anna"])
        assert anna.notes == "tajna notatka" and not anna.forum_member and not anna.leader
        assert anna.directory_consent_at is not None and anna.map_consent_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry)) == 0  # nothing changed


@pytest.mark.parametrize("who", ["editor_b", "member"])
def test_others_cannot_change_organisation_a_or_its_people(app, client, login, network, who):
    login(SimpleNamespace(email=network[who]))
    for url, data in ((f"/organisations/{network['org_a']}/edit", profile_data(name="Przejęta", version="1")),
                      (f"/organisations/{network['org_a']}/confirm", {}),
                      (f"/people/{network['anna']}/edit", contact_data(first_name="Przejęta", version="1"))):
        assert client.get(url).status_code in (403, 405)
        assert post(client, url, data).status_code == 403, url
    with app.app_context():
        assert db.session.get(Organisation, network["org_a"]).name == "Fundacja Alfa"
        assert db.session.get(Organisation, network["org_a"]).profile_confirmed_at is None
        assert db.session.get(Person, network["anna"]).first_name == "Anna"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry)) == 0


def test_editor_cannot_edit_former_staff_or_see_the_coordinators_pages(client, login, network):
    login(SimpleNamespace(email=network["editor_a"]))
    assert client.get(f"/people/{network['former']}/edit").status_code == 403
    for url in ("/organisations", "/people", f"/organisations/{network['org_a']}", f"/people/{network['anna']}",
                "/changes/review", "/changes", "/accounts"):
        assert client.get(url).status_code == 403, url


def test_editor_edits_a_person_of_their_organisation_without_seeing_notes(app, client, login, network):
    login(SimpleNamespace(email=network["editor_a"]))
    page = client.get(f"/people/{network['anna']}/edit").text
    assert "tajna notatka" not in page and 'name="notes"' not in page and 'name="directory_consent"' not in page
    response = post(client, f"/people/{network['anna']}/edit", contact_data(
        phone="+48 600 000 002", version=version_of(app, Person, network["anna"])))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, network["anna"]).phone == "+48 600 000 002"


def test_edit_conflict_shows_an_editor_only_their_fields(app, client, login, network):
    with app.app_context():
        anna = db.session.get(Person, network["anna"])
        old_version = str(anna.version)
        with app.test_request_context():
            save_person(anna, {"town": None, "notes": "nowa tajna notatka", "expertise": "prawo"})
            db.session.commit()
    login(SimpleNamespace(email=network["editor_a"]))
    response = post(client, f"/people/{network['anna']}/edit", contact_data(version=old_version))
    assert response.status_code == 409
    assert "prawo" in response.text and "tajna notatka" not in response.text


def test_editor_page_shows_their_organisation_and_current_people(client, login, network):
    login(SimpleNamespace(email=network["editor_a"]))
    assert "/me/organisation" in client.get("/").text
    page = client.get("/me/organisation").text
    assert "Fundacja Alfa" in page and "Anna Alfowa" in page
    assert "Fryderyk" not in page and "Bartek" not in page
    assert f"/organisations/{network['org_a']}/edit" in page


# Own profile

def test_member_edits_own_profile_and_consents(app, client, login, network):
    login(SimpleNamespace(email=network["member"]))
    page = client.get("/me")
    assert page.status_code == 200 and 'value="Maria"' in page.text and 'name="notes"' not in page.text
    response = post(client, "/me", contact_data(
        first_name="Maria", last_name="Członkini", email="maria@example.org", expertise="mediacje",
        directory_consent="y", share_contact="y", forum_member="y", notes="x",
        version=version_of(app, Person, network["maria"])))
    assert response.status_code == 302 and response.location == "/me"
    with app.app_context():
        maria = db.session.get(Person, network["maria"])
        assert maria.expertise == "mediacje" and maria.share_contact and maria.directory_consent_at is not None
        # each consent changed on the form is in the history: the directory given, mailings (not ticked) objected to
        assert {(event.purpose, event.given, event.source) for event in db.session.scalars(
            consent_history(maria.id))} == {("directory", True, ConsentSource.FORM),
                                            ("newsletter", False, ConsentSource.FORM)}
        assert not maria.forum_member and maria.notes is None and maria.map_consent_at is None
    post(client, "/me", contact_data(first_name="Maria", last_name="Członkini", email="maria@example.org",
                                     version=version_of(app, Person, network["maria"])))
    with app.app_context():
        maria = db.session.get(Person, network["maria"])
        assert maria.directory_consent_at is None and not maria.share_contact  # withdrawn


def test_account_without_a_person_record_gets_an_explanation(client, login, network):
    login(SimpleNamespace(email=network["editor_b"]))
    english(client)
    page = client.get("/me")
    assert page.status_code == 200 and "not linked to an entry in the directory" in page.text
    assert post(client, "/me", contact_data()).status_code == 200


# The members' directory

def test_directory_lists_only_consenting_people_and_member_organisations(app, client, login, network):
    with app.app_context():
        factories.organisation("Nie członek")
        factories.committed(factories.organisation("Zarchiwizowana", forum_member_since=date(2023, 1, 1),
                                                   archived_at=datetime.now(UTC)))
        factories.committed(factories.person("Zofia", "Ukryta", archived_at=datetime.now(UTC),
                                             directory_consent_at=datetime.now(UTC)))
    login(SimpleNamespace(email=network["member"]))
    people = client.get("/directory").text
    assert "Alfowa Anna" in people and "Betowy" not in people and "Ukryta" not in people
    assert "tajna notatka" not in people and "+48 600 000 001" not in people and "anna@example.org" not in people
    organisations = client.get("/directory/organisations").text
    assert "Fundacja Alfa" in organisations and "Fundacja Beta" in organisations
    assert "Nie członek" not in organisations and "Zarchiwizowana" not in organisations
    assert client.get(f"/directory/people/{network['bartek']}").status_code == 404
    anna = client.get(f"/directory/people/{network['anna']}").text
    assert "Fundacja Alfa" in anna and "anna@example.org" not in anna and "+48 600 000 001" not in anna
    organisation = client.get(f"/directory/organisations/{network['org_a']}").text
    assert "Anna Alfowa" in organisation and "+48 500 100 100" not in organisation
    with app.app_context():
        db.session.get(Person, network["anna"]).share_contact = True
        db.session.commit()
    anna = client.get(f"/directory/people/{network['anna']}").text
    assert "anna@example.org" in anna and "+48 600 000 001" in anna


def test_directory_search_never_matches_hidden_emails(app, client, login, network):
    login(SimpleNamespace(email=network["member"]))
    assert "Alfowa" in client.get("/directory?q=alfowa").text
    assert "Alfowa" in client.get("/directory?q=ANNA+ALF").text
    assert "Alfowa" not in client.get("/directory?q=example.org").text
    assert "Alfowa" in client.get("/directory?town=lublin").text
    assert "Alfowa" not in client.get("/directory?town=Łódź").text


def test_directory_search_of_organisations(app, client, login, network):
    with app.app_context():
        org_a = db.session.get(Organisation, network["org_a"])
        area = AreaOfWork(name="pomoc prawna")
        org_a.areas = [area]
        org_a.languages = [OrganisationLanguage(code="uk")]
        db.session.commit()
        area_id = area.id
    login(SimpleNamespace(email=network["member"]))

    def names(query):
        page = client.get(f"/directory/organisations?{query}").text
        return re.findall(r'/directory/organisations/\d+">([^<]+)<', page)

    assert names("") == ["Fundacja Alfa", "Fundacja Beta"]
    assert names("q=beta") == ["Fundacja Beta"]
    assert names(f"area={area_id}") == ["Fundacja Alfa"]
    assert names("language=uk") == ["Fundacja Alfa"]
    assert names("language=pl") == []
    assert names("town=Lublin") == ["Fundacja Alfa"]
    assert "Alfowa" in client.get(f"/directory?area={area_id}").text


def test_directory_is_in_polish_order_and_paginated(app, client, login, network):
    with app.app_context():
        for last_name in ("Żak", "Zając", "Łuk", "Lis", "Ślusarz", "Sowa"):
            factories.person("Ewa", last_name, directory_consent_at=datetime.now(UTC))
        for number in range(30):
            factories.person("Jan", f"Nowak{number:02d}", directory_consent_at=datetime.now(UTC))
        db.session.commit()
    login(SimpleNamespace(email=network["member"]))
    first = client.get("/directory").text
    names = re.findall(r'/directory/people/\d+">([^<]+)<', first)
    assert len(names) == 25
    everyone = names + re.findall(r'/directory/people/\d+">([^<]+)<', client.get("/directory?page=2").text)
    surnames = [name.split()[0] for name in everyone if not name.startswith("Nowak")]
    assert surnames == ["Alfowa", "Lis", "Łuk", "Sowa", "Ślusarz", "Zając", "Żak"]


# The review feed

def edit_as_editor(app, client, login, network, **values):
    login(SimpleNamespace(email=network["editor_a"]))
    response = post(client, f"/organisations/{network['org_a']}/edit", profile_data(
        phone="+48 500 100 100", version=version_of(app, Organisation, network["org_a"]), **values))
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client)})


def entry_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.action == "updated"))


def test_review_feed_shows_editor_changes_and_a_revert_restores_them(app, client, login, network):
    edit_as_editor(app, client, login, network, name="Fundacja Alfa Nowa", website="https://alfa.example.org")
    login(SimpleNamespace(email=network["coordinator"]))
    english(client)
    with app.app_context():
        factories.committed(factories.organisation("Zmiana koordynatora"))
    feed = client.get("/changes/review").text
    assert "Fundacja Alfa Nowa" in feed and "https://alfa.example.org" in feed and network["editor_a"] in feed
    assert "Zmiana koordynatora" not in feed
    assert "Revert this change" in feed
    response = post(client, f"/changes/review/{entry_id(app)}/revert")
    assert response.status_code == 302
    assert "Reverted: Fundacja Alfa." in client.get(response.location).text
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        assert organisation.name == "Fundacja Alfa" and organisation.website is None
        revert = db.session.scalar(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "reverted"))
        assert revert.user.email == network["coordinator"]
        assert revert.changes == {"name": ["Fundacja Alfa Nowa", "Fundacja Alfa"],
                                  "website": ["https://alfa.example.org", None]}


def test_revert_is_refused_when_the_record_changed_since(app, client, login, network):
    edit_as_editor(app, client, login, network, description="Pierwsza wersja")
    edit_as_editor(app, client, login, network, description="Druga wersja")
    login(SimpleNamespace(email=network["coordinator"]))
    english(client)
    response = post(client, f"/changes/review/{entry_id(app)}/revert")
    assert "cannot be reverted: Description changed again since" in client.get(response.location).text
    with app.app_context():
        assert db.session.get(Organisation, network["org_a"]).description == "Druga wersja"
        assert db.session.scalar(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "reverted")) is None


def test_a_revert_never_touches_consent(app, client, login, network):
    login(SimpleNamespace(email=network["member"]))
    post(client, "/me", contact_data(first_name="Marysia", last_name="Członkini", email="maria@example.org",
                                     directory_consent="y", version=version_of(app, Person, network["maria"])))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(SimpleNamespace(email=network["coordinator"]))
    post(client, f"/changes/review/{entry_id(app)}/revert")
    with app.app_context():
        maria = db.session.get(Person, network["maria"])
        assert maria.first_name == "Maria" and maria.directory_consent_at is not None


def test_town_areas_and_languages_are_reverted_too(app, client, login, network):
    edit_as_editor(app, client, login, network, town="", areas="edukacja, mieszkalnictwo", languages=["uk", "pl"])
    login(SimpleNamespace(email=network["coordinator"]))
    post(client, f"/changes/review/{entry_id(app)}/revert")
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        assert organisation.locality.name == "Lublin" and organisation.areas == [] and organisation.languages == []


# Confirming the profile, and reminders

def test_editor_confirms_the_profile(app, client, login, network):
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        organisation.created_at = datetime.now(UTC) - timedelta(days=400)
        db.session.commit()
    login(SimpleNamespace(email=network["editor_a"]))
    english(client)
    assert "Not confirmed for over a year." in client.get("/").text
    assert "has not been confirmed for over a year" in client.get("/me/organisation").text
    response = post(client, f"/organisations/{network['org_a']}/confirm")
    assert response.status_code == 302 and response.location == "/me/organisation"
    assert "has not been confirmed for over a year" not in client.get("/me/organisation").text
    assert "Not confirmed for over a year." not in client.get("/").text
    with app.app_context():
        assert not db.session.get(Organisation, network["org_a"]).profile_is_stale
        entry = db.session.scalar(sa.select(ChangeLogEntry))
        assert entry.action == "confirmed" and entry.user.email == network["editor_a"]


def test_reminders_go_to_editors_of_stale_organisations_once_a_month(app, network, outbox):
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=400)
        for name in ("org_a", "org_b"):
            db.session.get(Organisation, network[name]).created_at = long_ago
        db.session.get(Organisation, network["org_b"]).profile_confirmed_at = datetime.now(UTC) - timedelta(days=3)
        org_a = db.session.get(Organisation, network["org_a"])
        factories.user(Role.ORG_EDITOR, email="a2@example.org", organisation=org_a, language="en")
        factories.user(Role.ORG_EDITOR, email="off@example.org", active=False, organisation=org_a)
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"], catch_exceptions=False)
    assert result.exit_code == 0 and "1 organisation" in result.output
    messages = outbox()
    assert sorted(message["To"] for message in messages) == ["a2@example.org", "a@example.org"]
    subjects = {message["To"]: message["Subject"] for message in messages}  # in each editor's language
    assert "is the profile of Fundacja Alfa up to date" in subjects["a2@example.org"]
    assert "czy profil organizacji Fundacja Alfa jest aktualny" in subjects["a@example.org"]
    text = messages[0].get_body(("plain",)).get_content()
    assert f"http://127.0.0.1:5000/organisations/{network['org_a']}/edit" in text
    assert runner.invoke(args=["send-reminders"], catch_exceptions=False).exit_code == 0
    assert len(outbox()) == 2  # not again within 30 days
    with app.app_context():
        organisation = db.session.get(Organisation, network["org_a"])
        assert organisation.profile_reminder_sent_at is not None
        organisation_version = organisation.version
        db.session.execute(sa.update(Organisation).values(
            profile_reminder_sent_at=datetime.now(UTC) - timedelta(days=31)))
        db.session.commit()
    runner.invoke(args=["send-reminders"], catch_exceptions=False)
    assert len(outbox()) == 4
    with app.app_context():
        assert db.session.get(Organisation, network["org_a"]).version == organisation_version  # not an edit
