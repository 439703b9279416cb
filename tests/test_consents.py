"""Consents per purpose: the current state on the person's row and the history in consent_event change together."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import upgrade
from markupsafe import escape

from forum_crm.consents import WORDING_VERSIONS, WORDINGS, consent_history, has_consent, record_consent
from forum_crm.extensions import db
from forum_crm.imports.parsing import read_table
from forum_crm.imports.plan import PEOPLE
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.services import import_people
from forum_crm.models import ConsentEvent, ConsentPurpose, ConsentSource, Person, Role
from tests import factories
from tests.conftest import csrf_token

PAPER = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def history(person):
    return db.session.scalars(consent_history(person.id)).all()


def test_giving_and_withdrawing_keeps_each_step(ctx):
    person = factories.person("Ołena", "Szewczenko")
    given = record_consent(person, ConsentPurpose.MAP, True, ConsentSource.COORDINATOR, note="formularz Forum III",
                           at=PAPER)
    assert person.map_consent_at == PAPER and person.is_on_map
    withdrawn = record_consent(person, ConsentPurpose.MAP, False, ConsentSource.FORM)
    assert person.map_consent_at is None and not person.is_on_map
    assert [event.id for event in history(person)] == [withdrawn.id, given.id]
    assert (given.given, given.source, given.note, given.wording_version) == (
        True, ConsentSource.COORDINATOR, "formularz Forum III", WORDING_VERSIONS[ConsentPurpose.MAP])
    assert (withdrawn.given, withdrawn.source, withdrawn.recorded_by_id) == (False, ConsentSource.FORM, None)


def test_recording_the_state_it_already_has_adds_nothing(ctx):
    person = factories.person(directory_consent_at=PAPER)
    assert record_consent(person, ConsentPurpose.DIRECTORY, True, ConsentSource.FORM) is None
    assert person.directory_consent_at == PAPER and history(person) == []


def test_photographs_need_a_consent(ctx):
    person = factories.person()
    assert not has_consent(person, ConsentPurpose.PHOTOGRAPHS)
    record_consent(person, ConsentPurpose.PHOTOGRAPHS, True, ConsentSource.REGISTRATION)
    assert has_consent(person, ConsentPurpose.PHOTOGRAPHS) and person.photo_consent_at is not None


def test_mailings_go_until_the_person_withdraws(ctx):
    staying, leaving, archived = (factories.person(last_name=name) for name in ("Zostaje", "Wypisana", "Archiwalna"))
    archived.archived_at = PAPER
    assert has_consent(leaving, ConsentPurpose.NEWSLETTER)
    record_consent(leaving, ConsentPurpose.NEWSLETTER, False, ConsentSource.UNSUBSCRIBE)
    assert leaving.newsletter_withdrawn_at is not None and not leaving.accepts_newsletter
    receiving = db.session.scalars(sa.select(Person.last_name).where(Person.accepts_newsletter)).all()
    assert receiving == ["Zostaje"]
    record_consent(leaving, ConsentPurpose.NEWSLETTER, True, ConsentSource.FORM)
    assert leaving.newsletter_withdrawn_at is None and leaving.accepts_newsletter


def test_the_history_goes_with_the_person(ctx):
    person = factories.person()
    record_consent(person, ConsentPurpose.DIRECTORY, True, ConsentSource.FORM)
    db.session.delete(person)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentEvent)) == 0


def test_the_migration_keeps_earlier_consents_as_the_first_history(migration_app):
    upgrade(revision="0006")
    db.session.execute(sa.text(
        "INSERT INTO person (id, first_name, last_name, forum_member, leader, directory_consent_at, map_consent_at,"
        " consent_source, share_contact, origin, created_at, updated_at, version, search_text, name_sort)"
        " VALUES (7, 'Anna', 'Nowak', false, false, :at, NULL, 'formularz Forum I', false, 'manual', :at, :at, 1,"
        " 'anna nowak', 'nowak anna')"), {"at": PAPER})
    db.session.commit()
    upgrade()
    rows = db.session.execute(sa.text(
        "SELECT person_id, purpose, given, source, note, wording_version FROM consent_event")).all()
    assert [tuple(row) for row in rows] == [(7, "directory", True, "earlier", "formularz Forum I", None)]


def test_the_person_changes_all_four_consents_on_me_and_sees_their_history(app, client, login):
    with app.app_context():
        person = factories.person("Ołena", "Szewczenko", email="olena@example.org")
        account = factories.committed(factories.user(Role.MEMBER, email="olena@example.org", person=person))
        version = person.version
    login(account)
    page = client.get("/me").text
    with app.test_request_context():  # each consent in the wording its history keeps the version of
        assert all(str(escape(str(wording))) in page for wording in WORDINGS.values())
    response = client.post("/me", data={
        "first_name": "Ołena", "last_name": "Szewczenko", "email": "olena@example.org", "phone": "", "town": "",
        "town_voivodeship": "", "expertise": "", "version": str(version), "map_consent": "y", "photo_consent": "y",
        "csrf_token": csrf_token(client, "/me")})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Person, person.id)
        events = {(event.purpose, event.given, event.source) for event in history(person)}
    assert events == {(ConsentPurpose.MAP, True, ConsentSource.FORM), (ConsentPurpose.PHOTOGRAPHS, True,
                      ConsentSource.FORM), (ConsentPurpose.NEWSLETTER, False, ConsentSource.FORM)}
    assert person.map_consent_at and person.photo_consent_at and person.newsletter_withdrawn_at
    assert "Historia moich zgód" in client.get("/me").text and "własny profil" in client.get("/me").text


def test_an_import_records_its_consents_with_the_file_s_note(ctx):
    table = read_table("Imię;Nazwisko;E-mail;Zgoda na katalog;Data zgody;Źródło zgody\r\n"
                       "Iryna;Bondar;iryna@example.org;tak;2024-02-01;lista z Forum II\r\n".encode())
    plan = plan_people(table, PEOPLE.guess(table))
    import_people(plan)
    person = db.session.scalar(sa.select(Person))
    [event] = history(person)
    assert (event.purpose, event.given, event.source, event.note, event.decided_at.date()) == (
        ConsentPurpose.DIRECTORY, True, ConsentSource.IMPORT, "lista z Forum II", date(2024, 2, 1))


def test_demo_people_get_the_history_of_their_consents(app):
    assert app.test_cli_runner().invoke(args=["demo-data", "--people", "12", "--organisations", "3",
                                              "--editions", "0"]).exit_code == 0
    with app.app_context():
        given = db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
            Person.directory_consent_at.is_not(None)))
        events = db.session.scalars(sa.select(ConsentEvent).where(
            ConsentEvent.purpose == ConsentPurpose.DIRECTORY)).all()
        assert given and len(events) == given
        assert {(event.source, event.note) for event in events} == {
            (ConsentSource.REGISTRATION, "formularz zgłoszeniowy (dane demonstracyjne)")}
        assert app.test_cli_runner().invoke(args=["demo-data", "--remove"]).exit_code == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentEvent)) == 0
