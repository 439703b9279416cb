"""Imports of spreadsheets as people really write them: one column for the whole name, the usual Polish headers,
websites without https://, towns the database knows, towns several places share, and rows that name one record
but match another. Also picking the gazetteer place of a stored town without coordinates."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.imports.parsing import IGNORE, read_table
from forum_crm.imports.plan import ORGANISATIONS, PEOPLE
from forum_crm.imports.plan_organisations import plan_organisations
from forum_crm.localities.queries import AmbiguousTown, find_town, places_for
from forum_crm.models import ChangeLogEntry, Locality, Organisation, Person, Voivodeship
from forum_crm.validators import with_scheme
from tests import factories
from tests.conftest import csrf_token
from tests.test_imports import confirm, count, csv_bytes, run, upload

KAMIONKA_LUBELSKIE, KAMIONKA_MAZOWIECKIE = 769640, 7576785  # GeoNames ids in the shipped gazetteer


@pytest.fixture
def ctx(app):
    """A request context reading English."""
    with app.test_request_context(), force_locale("en"):
        yield
        db.session.rollback()


@pytest.fixture
def coordinator(app, client, login):
    """A coordinator logged in, reading English."""
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    return user


# One column for the whole name

def test_a_whole_name_column_is_split_first_word_first_and_the_preview_says_how(ctx):
    rows = [["Lp.", "Imię i nazwisko", "Adres e-mail", "Telefon komórkowy", "Zgoda RODO"],
            ["1", "Anna Nowak-Kowalska", "anna@example.org", "600 100 200", "tak"],
            ["2", " Ołena  Szewczenko Kowalska ", "olena@example.org", "", ""]]
    table = read_table(csv_bytes(rows))
    assert PEOPLE.guess(table) == [IGNORE, "full_name", "email", "phone", "directory_consent"]
    plan = run("people", csv_bytes(rows))
    assert plan.is_valid, plan.problems
    assert [planned.notes[0] for planned in plan.rows] == [
        "Split as first name Anna, last name Nowak-Kowalska.",
        "Split as first name Ołena, last name Szewczenko Kowalska."]
    people = db.session.execute(sa.select(Person.first_name, Person.last_name, Person.phone,
                                          Person.directory_consent_at.is_not(None)).order_by(Person.id)).all()
    assert people == [("Anna", "Nowak-Kowalska", "600 100 200", True), ("Ołena", "Szewczenko Kowalska", None, False)]


def test_a_reversed_name_column_takes_the_last_word_as_the_first_name(ctx):
    plan = run("people", csv_bytes([["Nazwisko i imię", "E-mail"], ["Nowak Kowalska Anna", "anna@example.org"]]))
    assert plan.is_valid and plan.rows[0].notes[0] == "Split as first name Anna, last name Nowak Kowalska."
    assert db.session.execute(sa.select(Person.first_name, Person.last_name)).one() == ("Anna", "Nowak Kowalska")


def test_a_whole_name_that_cannot_be_split_is_a_problem_of_its_cell(ctx):
    rows = [["Lp.", "Name", "E-mail"], ["1", "Anna", "a@example.org"], ["2", "", "b@example.org"],
            ["3", "Jan " + "x" * 101, "c@example.org"]]
    plan = run("people", csv_bytes(rows))
    assert [(problem.row, problem.column, problem.message) for problem in plan.problems] == [
        (2, "B (Name)", "Write both the first and the last name here."),
        (3, "B (Name)", "This field is required."),
        (4, "B (Name)", "Field cannot be longer than 100 characters.")]
    assert count(Person) == 0


def test_names_in_one_column_and_in_two_are_a_problem(ctx):
    plan = run("people", csv_bytes([["Imię", "Nazwisko", "Imię i nazwisko"], ["Anna", "Nowak", "Anna Nowak"]]))
    assert [(problem.row, problem.column) for problem in plan.problems] == [(1, "A (Imię)")]
    assert "Columns C (Imię i nazwisko) and A (Imię) both hold names" in plan.problems[0].message


def test_the_order_of_whole_names_is_swapped_for_the_file_in_the_preview(app, client, coordinator):
    rows = [["Lp.", "Imię i nazwisko", "E-mail"], ["1", "Nowak Anna", "anna@example.org"],
            ["2", "Kowalska-Wiśniewska Ewa", "ewa@example.org"]]
    preview = upload(client, "/imports/people", csv_bytes(rows))
    assert preview.status_code == 200 and 'name="name_order"' in preview.text
    assert '<option selected value="full_name">' in preview.text
    assert "Split as first name Nowak, last name Anna." in preview.text
    checked = confirm(client, "/imports/people/confirm", action="check", name_order="reversed_name")
    assert checked.status_code == 200 and '<option selected value="reversed_name">' in checked.text
    assert "Split as first name Ewa, last name Kowalska-Wiśniewska." in checked.text
    assert confirm(client, "/imports/people/confirm", name_order="reversed_name").status_code == 302
    with app.app_context():
        assert set(db.session.execute(sa.select(Person.first_name, Person.last_name)).tuples()) == {
            ("Anna", "Nowak"), ("Ewa", "Kowalska-Wiśniewska")}


# Headers and values

def test_usual_polish_headers_and_a_website_without_its_scheme(ctx):
    rows = [["Lp.", "Nazwa", "Strona www", "Tel.", "Adres e-mail"],
            ["1", "Fundacja Łąka", "www.laka.example.org", "22 123 45 67", "biuro@laka.example.org"]]
    assert None not in ORGANISATIONS.guess(read_table(csv_bytes(rows)))  # none asked about, "Lp." included
    plan = run("organisations", csv_bytes(rows))
    assert plan.is_valid, plan.problems
    organisation = db.session.scalar(sa.select(Organisation))
    assert (organisation.website, organisation.phone) == ("https://www.laka.example.org", "22 123 45 67")


@pytest.mark.parametrize(("typed", "kept"), [
    ("www.example.org", "https://www.example.org"), ("example.org/o-nas", "https://example.org/o-nas"),
    ("http://example.org", "http://example.org"), ("javascript:alert(1)", "javascript:alert(1)"),
    ("not a site", "not a site")])
def test_a_web_address_gets_https_only_when_it_is_a_bare_domain(typed, kept):
    assert with_scheme(typed) == kept


# Towns

def test_a_stored_town_wins_over_homonyms_of_the_gazetteer(ctx):
    with pytest.raises(AmbiguousTown):  # warmińsko-mazurskie and śląskie
        find_town("Olsztyn")
    olsztyn = factories.locality("Olsztyn", Voivodeship.WARMINSKO_MAZURSKIE, 53.78, 20.49)
    assert find_town("Olsztyn") == olsztyn
    assert find_town("Olsztyn", Voivodeship.SLASKIE).voivodeship == Voivodeship.SLASKIE
    plan = run("organisations", csv_bytes([["Nazwa", "Miejscowość"], ["Fundacja Warmia", "Olsztyn"]]))
    assert plan.is_valid and plan.rows[0].values["town"] == olsztyn
    factories.locality("Olsztyn", Voivodeship.SLASKIE, 50.75, 19.27)  # now the stored towns are ambiguous
    plan = run("organisations", csv_bytes([["Nazwa", "Miejscowość"], ["Fundacja Śląsk", "Olsztyn"]]))
    assert "several places called Olsztyn (warmińsko-mazurskie, śląskie)" in plan.problems[0].message


def test_an_ambiguous_town_is_picked_from_the_gazetteer_s_candidates(ctx):
    rows = [["Nazwa", "Miejscowość"], ["A", "Kamionka"], ["B", "kamionka"]]
    table = read_table(csv_bytes(rows))
    plan = plan_organisations(table, ORGANISATIONS.guess(table))
    assert "add a Voivodeship column" in plan.problems[0].message
    [choice] = plan.towns_to_pick
    assert (choice.key, choice.rows, choice.picked) == ("kamionka", [2, 3], None)
    assert (f"place-{KAMIONKA_LUBELSKIE}", "Kamionka, lubelskie, 51.47165° N 22.46275° E (1800 inhabitants)") in (
        choice.candidates)
    plan = plan_organisations(table, ORGANISATIONS.guess(table), None, {"kamionka": f"place-{KAMIONKA_MAZOWIECKIE}"})
    assert plan.is_valid and {planned.values["town"].voivodeship for planned in plan.rows} == {
        Voivodeship.MAZOWIECKIE}
    assert plan.towns_to_pick[0].picked == f"place-{KAMIONKA_MAZOWIECKIE}"  # shown again, chosen
    plan = plan_organisations(table, ORGANISATIONS.guess(table), None, {"kamionka": "place-1"})  # not a candidate
    assert len(plan.problems) == 2


def test_towns_are_picked_in_the_browser_and_the_pick_is_kept_to_the_import(app, client, coordinator):
    rows = [["Nazwa", "Miejscowość", "Województwo"], ["Fundacja A", "Kamionka", ""]]
    preview = upload(client, "/imports/organisations", csv_bytes(rows))
    assert "fill in the voivodeship in row 2" in preview.text and 'name="town-kamionka"' in preview.text
    assert f'<option value="place-{KAMIONKA_LUBELSKIE}">Kamionka, lubelskie, 51.47165° N' in preview.text
    checked = confirm(client, "/imports/organisations/confirm", action="check",
                      **{"town-kamionka": f"place-{KAMIONKA_LUBELSKIE}"})
    assert "several places" not in checked.text and 'value="run"' in checked.text
    assert f'<option value="place-{KAMIONKA_LUBELSKIE}" selected>' in checked.text
    done = confirm(client, "/imports/organisations/confirm", **{"town-kamionka": f"place-{KAMIONKA_LUBELSKIE}"})
    assert done.status_code == 302
    with app.app_context():
        town = db.session.scalar(sa.select(Locality).join(Organisation.locality))
        assert (town.name, town.voivodeship, town.geonames_id) == ("Kamionka", Voivodeship.LUBELSKIE,
                                                                   KAMIONKA_LUBELSKIE)


def test_a_stored_town_without_coordinates_takes_them_from_the_place_chosen(app, client, coordinator):
    with app.app_context():
        kamionka = factories.committed(factories.locality("Kamionka", None, None, None)).id
        olsztyn = factories.committed(factories.locality("Olsztyn", Voivodeship.WARMINSKO_MAZURSKIE, 53.78, 20.49)).id
    page = client.get(f"/localities/{kamionka}/edit")
    assert page.status_code == 200 and f'value="{KAMIONKA_LUBELSKIE}"' in page.text
    assert "Kamionka, mazowieckie, 52.05819° N 20.98166° E" in page.text
    assert 'name="place"' not in client.get(f"/localities/{olsztyn}/edit").text  # it has coordinates
    url = f"/localities/{kamionka}/place"
    assert client.post(url, data={"csrf_token": csrf_token(client), "place": "1"}).status_code == 422
    response = client.post(url, data={"csrf_token": csrf_token(client), "place": str(KAMIONKA_LUBELSKIE)})
    assert response.status_code == 302
    with app.app_context():
        town = db.session.get(Locality, kamionka)
        assert (town.voivodeship, town.latitude, town.longitude, town.geonames_id) == (
            Voivodeship.LUBELSKIE, 51.47165, 22.46275, KAMIONKA_LUBELSKIE)
        entry = db.session.scalar(sa.select(ChangeLogEntry).where(ChangeLogEntry.entity_type == "locality"))
        assert set(entry.changes) >= {"voivodeship", "latitude", "longitude"}
    assert 'name="place"' not in client.get(f"/localities/{kamionka}/edit").text


def test_a_place_another_stored_town_already_is_is_not_offered(app, client, coordinator):
    with app.app_context():
        kamionka = factories.committed(factories.locality("Kamionka", None, None, None)).id
        factories.committed(factories.locality("Kamionka", Voivodeship.LUBELSKIE, 51.47, 22.46))
    page = client.get(f"/localities/{kamionka}/edit")
    assert f'value="{KAMIONKA_LUBELSKIE}"' not in page.text and f'value="{KAMIONKA_MAZOWIECKIE}"' in page.text
    response = client.post(f"/localities/{kamionka}/place",
                           data={"csrf_token": csrf_token(client), "place": str(KAMIONKA_LUBELSKIE)})
    assert response.status_code == 422


def test_a_town_with_a_voivodeship_but_no_coordinates_is_offered_the_places_of_its_voivodeship(ctx):
    town = factories.locality("Kamionka", Voivodeship.MAZOWIECKIE, None, None)
    assert [place.geonames_id for place in places_for(town)] == [KAMIONKA_MAZOWIECKIE]
    assert places_for(factories.locality("Olsztyn", Voivodeship.SLASKIE, 50.75, 19.27)) == []  # located already
