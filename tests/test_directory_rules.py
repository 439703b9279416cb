"""The directory's rules live in its services: called directly, they refuse bad data with a FieldProblem naming
the field (in the reader's language: Polish here) and change nothing; the pages show that problem next to the
field (HTTP 422)."""

from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.localities.services import save_locality
from forum_crm.models import Affiliation, ChangeLogEntry, Locality, Organisation, Person, Role, Voivodeship
from forum_crm.organisations.services import save_organisation
from forum_crm.people.services import add_affiliation, end_affiliation, remove_affiliation, save_person
from tests import factories
from tests.conftest import csrf_token


def organisation_data(**values) -> dict:
    return {"name": "Fundacja Łąka", "town": None, "areas": [], "languages": [], **values}


def person_data(**values) -> dict:
    return {"first_name": "Anna", "last_name": "Nowak", "email": None, "town": None, **values}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def refused(call) -> FieldProblem:
    with pytest.raises(FieldProblem) as problem:
        call()
    return problem.value


# Organisations

@pytest.mark.parametrize("duplicate", ["fundacja laka", "FUNDACJA ŁĄKA", "  Fundacja   Łąka "])
def test_save_organisation_refuses_a_name_taken_whatever_its_case_and_polish_letters(ctx, duplicate):
    factories.organisation("Fundacja Łąka")
    problem = refused(lambda: save_organisation(Organisation(), organisation_data(name=duplicate)))
    assert (problem.field, problem.message) == ("name", "Organizacja o tej nazwie już istnieje: Fundacja Łąka.")
    assert count(Organisation) == 1


def test_save_organisation_refuses_a_krs_and_nip_taken_and_names_both(ctx):
    factories.organisation("A", krs="0000123456", nip="1234563218")
    problem = refused(lambda: save_organisation(Organisation(), organisation_data(
        name="B", krs="0000123456", nip="1234563218")))
    assert problem.problems == (("krs", "Inna organizacja ma ten numer KRS."),
                                ("nip", "Inna organizacja ma ten NIP."))
    assert count(Organisation) == 1


def test_an_organisation_keeps_its_own_name_and_numbers_and_nothing_is_changed_when_refused(ctx):
    own = factories.organisation("Fundacja Łąka", krs="0000123456", nip="1234563218")
    other = factories.organisation("Fundacja Most")
    save_organisation(own, organisation_data(name="FUNDACJA ŁĄKA", krs="0000123456", nip="1234563218"))
    assert own.name == "FUNDACJA ŁĄKA"
    refused(lambda: save_organisation(other, organisation_data(name="Fundacja Most", krs="0000123456")))
    assert other.krs is None
    assert not db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.entity_id == other.id)).all()


# People and their affiliations

def test_save_person_refuses_an_email_taken_whatever_its_case(ctx):
    anna = factories.person(email="anna@example.org")
    problem = refused(lambda: save_person(Person(), person_data(email="ANNA@example.org")))
    assert (problem.field, problem.message) == ("email", "Inna osoba ma ten adres e-mail.")
    assert count(Person) == 1
    save_person(anna, person_data(email="Anna@Example.org"))  # one's own address is no clash
    assert anna.email == "anna@example.org"


def test_add_affiliation_refuses_an_end_before_the_start(ctx):
    person, organisation = factories.person(), factories.organisation()
    problem = refused(lambda: add_affiliation(person, organisation, None, date(2024, 1, 1), date(2023, 1, 1),
                                              is_primary=True, replaces_current=False))
    assert (problem.field, problem.message) == ("ended_on", "Data końcowa nie może być wcześniejsza niż początkowa.")
    assert count(Affiliation) == 0


def test_a_move_needs_its_date_and_ends_nothing_without_it(ctx):
    person = factories.person()
    current = factories.affiliation(person, factories.organisation(), started_on=date(2020, 1, 1), is_primary=True)
    problem = refused(lambda: add_affiliation(person, factories.organisation(), None, None, None,
                                              is_primary=True, replaces_current=True))
    assert (problem.field, problem.message) == (
        "replaces_current", "Podaj datę przejścia (Od), aby zakończyć obecne afiliacje.")
    assert current.ended_on is None and current.is_primary and count(Affiliation) == 1


def test_end_affiliation_refuses_a_date_before_its_start(ctx):
    affiliation = factories.affiliation(factories.person(), factories.organisation(), started_on=date(2020, 1, 1))
    problem = refused(lambda: end_affiliation(affiliation, date(2019, 12, 31)))
    assert problem.field == "ended_on" and affiliation.ended_on is None
    end_affiliation(affiliation, date(2020, 1, 1))
    assert affiliation.ended_on == date(2020, 1, 1)


def test_adding_and_removing_an_affiliation_is_logged_on_the_person(ctx):
    person, organisation = factories.person(), factories.organisation("Fundacja Most")
    affiliation = add_affiliation(person, organisation, "prezeska", date(2024, 2, 1), None, is_primary=True,
                                  replaces_current=False)
    remove_affiliation(affiliation)
    entries = db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.entity_type == "person")
                                 .order_by(ChangeLogEntry.id)).all()
    assert [(entry.entity_id, entry.action, entry.changes) for entry in entries] == [
        (person.id, "affiliation_added", {"organisation": [None, "Fundacja Most"], "role_title": [None, "prezeska"],
                                          "started_on": [None, "2024-02-01"], "is_primary": [None, True]}),
        (person.id, "affiliation_removed", {"organisation": ["Fundacja Most", None], "role_title": ["prezeska", None],
                                            "started_on": ["2024-02-01", None], "is_primary": [True, None]})]
    assert count(Affiliation) == 0


# Towns

def test_save_locality_refuses_a_town_already_in_the_voivodeship(ctx):
    factories.locality("Kamionka", Voivodeship.LUBELSKIE)
    data = {"name": "Kamionka", "voivodeship": Voivodeship.LUBELSKIE, "latitude": 51.4, "longitude": 22.5}
    assert refused(lambda: save_locality(Locality(), data)).field == "name"
    save_locality(Locality(), {**data, "voivodeship": Voivodeship.PODKARPACKIE})
    assert count(Locality) == 2


# The pages show the services' refusals next to the field

@pytest.fixture
def coordinator(app, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def test_ending_an_affiliation_before_its_start_is_shown_on_the_field(app, client, coordinator):
    with app.app_context():
        affiliation = factories.committed(
            factories.affiliation(factories.person(), factories.organisation(), started_on=date(2020, 1, 1)))
    url = f"/people/{affiliation.person_id}/affiliations/{affiliation.id}/end"
    response = post(client, url, {"ended_on": "2019-12-31"})
    assert response.status_code == 422 and "Data końcowa nie może być wcześniejsza niż początkowa." in response.text
    with app.app_context():
        assert db.session.get(Affiliation, affiliation.id).ended_on is None


def test_a_move_without_its_date_is_shown_on_the_field(app, client, coordinator):
    with app.app_context():
        person = factories.person()
        factories.organisation("Fundacja Most")
        factories.committed(person)
    response = post(client, f"/people/{person.id}/affiliations", {"organisation": "Fundacja Most",
                                                                  "replaces_current": "y"})
    assert response.status_code == 422 and "Podaj datę przejścia (Od), aby zakończyć obecne afiliacje." in response.text
    with app.app_context():
        assert count(Affiliation) == 0


def test_a_member_cannot_take_someone_elses_email_on_their_own_profile(app, client, login):
    with app.app_context():
        factories.person("Anna", email="anna@example.org")
        maria = factories.person("Maria", "Członkini", email="maria@example.org")
        member = factories.committed(factories.user(Role.MEMBER, person=maria))
        maria_id, version = maria.id, maria.version
    login(member)
    response = post(client, "/me", {"first_name": "Maria", "last_name": "Członkini", "email": "ANNA@example.org",
                                     "phone": "", "town": "", "town_voivodeship": "", "expertise": "",
                                     "version": str(version)})
    assert response.status_code == 422 and "Inna osoba ma ten adres e-mail." in response.text
    with app.app_context():
        assert db.session.get(Person, maria_id).email == "maria@example.org"


def test_a_town_already_on_the_list_is_refused_on_the_page(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.locality("Kamionka", Voivodeship.LUBELSKIE))
    response = post(client, "/localities/new", {"name": "Kamionka", "voivodeship": "lubelskie",
                                                "latitude": "51.4", "longitude": "22.5"})
    assert response.status_code == 422 and "Ta miejscowość jest już na liście w tym województwie." in response.text


def test_filtering_people_by_an_ambiguous_organisation_lists_nobody_and_names_the_candidates(app, client, coordinator):
    with app.app_context():
        anna = factories.person("Anna", "Mostowa")
        factories.affiliation(anna, factories.organisation("Fundacja Most"))
        factories.organisation("Fundacja Mostek")
        factories.committed(anna)
    page = client.get("/people?organisation=most").text
    assert "Fundacja Most; Fundacja Mostek" in page and "Mostowa Anna" not in page
    assert "Mostowa Anna" in client.get("/people?organisation=fundacja most").text
