"""Reverting changes from the coordinator's review feed (/review), field by field: text, e-mail, town,
areas of work and languages, dates and yes/no fields; affiliations (never reverted); and reverts that are
refused because the record changed since or the old value can no longer be set."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.consents import consent_history
from forum_crm.extensions import db
from forum_crm.models import (
    AreaOfWork,
    ChangeLogEntry,
    ConsentSource,
    Locality,
    Organisation,
    OrganisationLanguage,
    Person,
    ReviewState,
    Role,
    Sector,
    Voivodeship,
)
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def network(app):
    """Fundacja Alfa in Lublin (education; Polish) with Anna and its editor; a member, Maria; a coordinator."""
    with app.app_context():
        lublin = factories.locality("Lublin", Voivodeship.LUBELSKIE)
        factories.locality("Kraków", Voivodeship.MALOPOLSKIE, latitude=50.06, longitude=19.94)
        alfa = factories.organisation("Fundacja Alfa", locality=lublin, email="biuro@alfa.example.org",
                                      forum_member_since=date(2023, 5, 18), areas=[AreaOfWork(name="edukacja")],
                                      languages=[OrganisationLanguage(code="pl")])
        anna = factories.person("Anna", "Alfowa", email="anna@example.org", expertise="prawo pracy", locality=lublin,
                                forum_member=True)
        factories.affiliation(anna, alfa)
        maria = factories.person("Maria", "Członkini", email="maria@example.org")
        factories.user(Role.ORG_EDITOR, email="editor@example.org", organisation=alfa)
        factories.user(Role.MEMBER, email="member@example.org", person=maria)
        factories.user(Role.COORDINATOR, email="k@example.org")
        factories.committed(alfa, anna, maria)
        return {"alfa": alfa.id, "anna": anna.id, "maria": maria.id}


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def version_of(app, model, id) -> str:
    with app.app_context():
        return str(db.session.get(model, id).version)


def as_user(client, login, email):
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(SimpleNamespace(email=email))


def as_coordinator(client, login):
    """Log in as the coordinator, in English."""
    as_user(client, login, "k@example.org")
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})


def edits(app) -> list[int]:
    """Ids of the logged edits, oldest first."""
    with app.app_context():
        return db.session.scalars(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.action == "updated")
                                  .order_by(ChangeLogEntry.id)).all()


def reverted(app) -> list[dict]:
    with app.app_context():
        return db.session.scalars(sa.select(ChangeLogEntry.changes).where(ChangeLogEntry.action == "reverted")
                                  .order_by(ChangeLogEntry.id)).all()


def revert(client, entry_id: int) -> str:
    """Press "Revert this change" on the review feed; the feed shown afterwards."""
    feed = client.get("/changes/review").text
    assert f'action="/changes/review/{entry_id}/revert"' in feed
    response = post(client, f"/changes/review/{entry_id}/revert")
    assert response.status_code == 302 and response.location == "/changes/review"
    return client.get(response.location).text


def profile_data(**values):
    data = {"name": "Fundacja Alfa", "short_name": "", "town": "Lublin", "town_voivodeship": "", "krs": "",
            "nip": "", "website": "", "email": "biuro@alfa.example.org", "phone": "", "description": "",
            "areas": "edukacja", "languages": ["pl"]}
    data.update(values)
    return data


def contact_data(**values):
    data = {"first_name": "Anna", "last_name": "Alfowa", "email": "anna@example.org", "phone": "", "town": "Lublin",
            "town_voivodeship": "", "expertise": "prawo pracy"}
    data.update(values)
    return data


def edit_organisation(app, client, login, network, **values):
    as_user(client, login, "editor@example.org")
    response = post(client, f"/organisations/{network['alfa']}/edit", profile_data(
        version=version_of(app, Organisation, network["alfa"]), **values))
    assert response.status_code == 302


def edit_anna(app, client, login, network, **values):
    as_user(client, login, "editor@example.org")
    response = post(client, f"/people/{network['anna']}/edit", contact_data(
        version=version_of(app, Person, network["anna"]), **values))
    assert response.status_code == 302


# Each kind of field

def test_text_and_email_are_reverted(app, client, login, network):
    edit_anna(app, client, login, network, first_name="Hanna", email="hanna@example.org", expertise="prawo rodzinne",
              phone="+48 600 000 002")
    as_coordinator(client, login)
    [entry] = edits(app)
    feed = revert(client, entry)
    assert "Reverted: Anna Alfowa." in feed
    with app.app_context():
        anna = db.session.get(Person, network["anna"])
        assert (anna.first_name, anna.email, anna.expertise, anna.phone) == (
            "Anna", "anna@example.org", "prawo pracy", None)
    assert reverted(app) == [{"first_name": ["Hanna", "Anna"], "email": ["hanna@example.org", "anna@example.org"],
                              "expertise": ["prawo rodzinne", "prawo pracy"], "phone": ["+48 600 000 002", None]}]


def test_town_is_reverted_to_the_same_stored_locality(app, client, login, network):
    edit_anna(app, client, login, network, town="Kraków")
    as_coordinator(client, login)
    revert(client, edits(app)[0])
    with app.app_context():
        anna = db.session.get(Person, network["anna"])
        assert anna.locality.name == "Lublin"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Locality)) == 2  # no new town made up
    assert reverted(app) == [{"locality": ["Kraków (małopolskie)", "Lublin (lubelskie)"]}]


def test_areas_of_work_and_languages_are_reverted_to_the_old_sets(app, client, login, network):
    edit_organisation(app, client, login, network, areas="mieszkalnictwo, prawo", languages=["uk", "pl", "en"])
    as_coordinator(client, login)
    revert(client, edits(app)[0])
    with app.app_context():
        alfa = db.session.get(Organisation, network["alfa"])
        assert [area.name for area in alfa.areas] == ["edukacja"]
        assert [language.code for language in alfa.languages] == ["pl"]
    assert reverted(app) == [{"areas": [["mieszkalnictwo", "prawo"], ["edukacja"]],
                              "languages": [["en", "pl", "uk"], ["pl"]]}]


def test_dates_yes_no_fields_and_sectors_are_reverted(app, client, login, network):
    """Editors' and members' forms have no such fields (consents aside): these come from a coordinator's account,
    and the changes are put in the feed by hand."""
    with app.app_context():
        factories.committed(factories.user(Role.COORDINATOR, email="was.coordinator@example.org"))
    as_user(client, login, "was.coordinator@example.org")
    post(client, f"/organisations/{network['alfa']}/edit", profile_data(
        sector="donor", forum_member_since="2024-01-10", consortium_member="y",
        version=version_of(app, Organisation, network["alfa"])))
    post(client, f"/people/{network['anna']}/edit", contact_data(
        leader="y", consent_source="", notes="", consent_given_on="", version=version_of(app, Person, network["anna"])))
    with app.app_context():
        db.session.execute(sa.update(ChangeLogEntry).values(review_state=ReviewState.TO_REVIEW))
        db.session.commit()
    as_coordinator(client, login)
    organisation_edit, person_edit = edits(app)
    revert(client, organisation_edit)
    revert(client, person_edit)
    with app.app_context():
        alfa = db.session.get(Organisation, network["alfa"])
        assert (alfa.sector, alfa.forum_member_since, alfa.consortium_member) == (Sector.NGO, date(2023, 5, 18), False)
        anna = db.session.get(Person, network["anna"])
        assert (anna.forum_member, anna.leader) == (True, False)
    assert reverted(app) == [
        {"sector": ["donor", "ngo"], "forum_member_since": ["2024-01-10", "2023-05-18"],
         "consortium_member": [True, False]},
        {"forum_member": [False, True], "leader": [True, False]}]


def test_a_members_own_edit_is_reverted_but_not_their_consents(app, client, login, network):
    as_user(client, login, "member@example.org")
    post(client, "/me", contact_data(first_name="Marysia", last_name="Członkini", email="maria@example.org",
                                     town="", expertise="", directory_consent="y", share_contact="y",
                                     version=version_of(app, Person, network["maria"])))
    as_coordinator(client, login)
    revert(client, edits(app)[0])
    with app.app_context():
        maria = db.session.get(Person, network["maria"])
        assert maria.first_name == "Maria" and maria.share_contact and maria.directory_consent_at is not None
        # the consent and its history stay as the member gave it
        assert {event.source for event in db.session.scalars(consent_history(maria.id))} == {ConsentSource.FORM}
    assert reverted(app) == [{"first_name": ["Marysia", "Maria"]}]


def test_affiliation_changes_are_listed_but_never_reverted(app, client, login, network):
    """Only the coordinator adds, ends and removes affiliations: the feed lists them (here: put in the feed by
    hand) without a revert, and a revert is refused."""
    with app.app_context():
        factories.committed(factories.user(Role.COORDINATOR, email="was.coordinator@example.org"))
    as_user(client, login, "was.coordinator@example.org")
    post(client, f"/people/{network['anna']}/affiliations", {"organisation": "Fundacja Alfa", "role_title": "prezeska"})
    with app.app_context():
        db.session.execute(sa.update(ChangeLogEntry).values(review_state=ReviewState.TO_REVIEW))
        entry_id = db.session.scalar(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.action == "affiliation_added"))
        db.session.commit()
    as_coordinator(client, login)
    feed = client.get("/changes/review").text
    assert "affiliation added" in feed and "prezeska" in feed
    assert f"/changes/review/{entry_id}/revert" not in feed
    response = post(client, f"/changes/review/{entry_id}/revert")
    assert ("This change cannot be reverted: the record changed again since, or cannot be restored."
            in client.get(response.location).text)
    with app.app_context():
        assert len(db.session.get(Person, network["anna"]).affiliations) == 2
    assert reverted(app) == []


# Refused reverts: the message says why, and nothing changes

def refusal(feed: str) -> str:
    return re.search(r'<p class="flash flash-error"[^>]*>([^<]+)</p>', feed).group(1)


def test_refused_when_a_collection_changed_again_since(app, client, login, network):
    edit_organisation(app, client, login, network, areas="mieszkalnictwo", name="Fundacja Alfa i Omega")
    edit_organisation(app, client, login, network, areas="mieszkalnictwo, prawo", name="Fundacja Alfa i Omega")
    as_coordinator(client, login)
    feed = revert(client, edits(app)[0])
    assert refusal(feed) == ("This change cannot be reverted: Areas of work changed again since, or cannot be "
                             "restored. Edit the record instead.")
    with app.app_context():
        alfa = db.session.get(Organisation, network["alfa"])
        assert alfa.name == "Fundacja Alfa i Omega" and [area.name for area in alfa.areas] == [
            "mieszkalnictwo", "prawo"]
    assert reverted(app) == []


def test_refused_the_second_time(app, client, login, network):
    edit_anna(app, client, login, network, expertise="prawo rodzinne")
    as_coordinator(client, login)
    [entry] = edits(app)
    assert "Reverted: Anna Alfowa." in revert(client, entry)
    reverted_feed = client.get("/changes/review?state=reverted").text
    assert "Reverted by k@example.org" in reverted_feed and f"/changes/review/{entry}/revert" not in reverted_feed
    response = post(client, f"/changes/review/{entry}/revert")
    assert refusal(client.get(response.location).text).startswith(
        "This change is already reverted (by k@example.org, ")
    assert len(reverted(app)) == 1


def test_refused_when_the_old_town_no_longer_exists_under_its_name(app, client, login, network):
    edit_anna(app, client, login, network, town="Kraków")
    with app.app_context():
        db.session.execute(sa.update(Locality).where(Locality.name == "Lublin").values(name="Lublin-Miasto"))
        db.session.commit()
    as_coordinator(client, login)
    feed = revert(client, edits(app)[0])
    assert refusal(feed).startswith("This change cannot be reverted: Town changed again since, or cannot be restored.")
    with app.app_context():
        assert db.session.get(Person, network["anna"]).locality.name == "Kraków"
    assert reverted(app) == []


def test_refused_when_another_record_now_has_the_old_email(app, client, login, network):
    edit_anna(app, client, login, network, email="hanna@example.org", expertise="prawo rodzinne")
    with app.app_context():
        factories.committed(factories.person("Inna", "Osoba", email="anna@example.org"))
    as_coordinator(client, login)
    feed = revert(client, edits(app)[0])
    assert refusal(feed) == ("This change cannot be reverted: another record now has the old name, number or e-mail "
                             "address. Edit the record instead.")
    with app.app_context():
        anna = db.session.get(Person, network["anna"])
        assert (anna.email, anna.expertise) == ("hanna@example.org", "prawo rodzinne")  # all or nothing
    assert reverted(app) == []


def test_refused_when_another_organisation_now_has_the_old_name(app, client, login, network):
    edit_organisation(app, client, login, network, name="Fundacja Alfa Nowa")
    with app.app_context():
        factories.committed(factories.organisation("Fundacja Alfa"))
    as_coordinator(client, login)
    feed = revert(client, edits(app)[0])
    assert "another record now has the old name" in refusal(feed)
    with app.app_context():
        assert db.session.get(Organisation, network["alfa"]).name == "Fundacja Alfa Nowa"
