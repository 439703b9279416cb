"""The coordinator's directory: organisations and people, through the browser's requests."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.consents import consent_history
from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    AreaOfWork,
    ChangeLogEntry,
    ConsentPurpose,
    ConsentSource,
    Organisation,
    Person,
    Role,
    Sector,
    Voivodeship,
)
from tests import factories
from tests.conftest import csrf_token

XSS_PAYLOADS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def organisation_data(**values):
    data = {"name": "Fundacja Łąka", "sector": "ngo", "town": "", "town_voivodeship": "", "krs": "", "nip": "",
            "website": "", "email": "", "phone": "", "description": "", "areas": "", "forum_member_since": "",
            "short_name": ""}
    data.update(values)
    return data


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def names_on(page_html: str) -> list[str]:
    return re.findall(r'/organisations/\d+">([^<]+)</a>', page_html)


# Creating, with every kind of bad input

def test_create_an_organisation_with_everything(app, client, coordinator):
    response = post(client, "/organisations/new", organisation_data(
        name="Fundacja Łąka", short_name="Łąka", town="lodz", krs="0000123456", nip="123-456-32-18",
        website="https://laka.example.org", email="Biuro@Laka.example.org", phone="+48 600 100 200",
        areas="pomoc prawna, edukacja, Pomoc prawna", languages=["pl", "uk"], forum_member_since="2023-05-18",
        consortium_member="y", description="Pomagamy.\nOd 2015 roku."))
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Fundacja Łąka" in page and "Łódź" in page and "ukraiński" in page and "edukacja, pomoc prawna" in page
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation))
        assert organisation.nip == "1234563218" and organisation.email == "biuro@laka.example.org"
        assert organisation.locality.voivodeship == Voivodeship.LODZKIE
        entry = db.session.scalar(sa.select(ChangeLogEntry))
        assert entry.action == "created" and entry.changes["name"] == [None, "Fundacja Łąka"]
        assert entry.user_id == coordinator.id


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "To pole jest wymagane."),
    ("name", "x" * 10_000, "Wartość w polu nie może mieć więcej niż 300 znaków."),
    ("name", "Fundacja\x00Łąka", "Usuń z tego pola niewidoczne znaki sterujące."),
    ("name", "Fundacja\u202eŁąka", "Usuń z tego pola niewidoczne znaki sterujące."),
    ("email", "not-an-email", "Nieprawidłowy adres e-mail."),
    ("website", "javascript:alert(1)", "Podaj adres strony zaczynający się od https:// lub http://."),
    ("website", "ftp://laka.example.org", "Podaj adres strony zaczynający się od https:// lub http://."),
    ("phone", "call me maybe", "Podaj numer telefonu"),
    ("krs", "12345", "Numer KRS ma 10 cyfr."),
    ("nip", "1234563219", "To nie jest prawidłowy NIP"),
    ("town", "Nibylandia", "Nie znamy miejscowości Nibylandia"),
    ("town", "Kamionka", "Jest kilka miejscowości o nazwie Kamionka"),
    ("forum_member_since", "2023-13-45", "Nieprawidłowa data"),
])
def test_bad_input_is_named_and_nothing_is_saved(app, client, coordinator, field, value, message):
    response = post(client, "/organisations/new", organisation_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.text
    assert "Formularz zawiera błędy" in response.text
    with app.app_context():
        assert count(Organisation) == 0 and count(ChangeLogEntry) == 0


def test_kamionka_is_found_once_the_voivodeship_is_chosen(app, client, coordinator):
    response = post(client, "/organisations/new", organisation_data(town="Kamionka", town_voivodeship="lubelskie"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation)).locality.voivodeship == Voivodeship.LUBELSKIE


def test_abbreviated_town_is_understood(app, client, coordinator):
    assert post(client, "/organisations/new", organisation_data(town="Gorzów Wlkp.")).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation)).locality.name == "Gorzów Wielkopolski"


def test_unknown_town_offers_to_add_it(client, coordinator):
    page = post(client, "/organisations/new", organisation_data(town="Nibylandia")).text
    assert 'href="/localities/new?name=Nibylandia"' in page


@pytest.mark.parametrize("duplicate", ["fundacja laka", "FUNDACJA ŁĄKA", "  Fundacja   Łąka "])
def test_duplicate_names_are_refused_ignoring_case_and_diacritics(app, client, coordinator, duplicate):
    with app.app_context():
        factories.committed(factories.organisation("Fundacja Łąka"))
    response = post(client, "/organisations/new", organisation_data(name=duplicate))
    assert response.status_code == 422 and "Organizacja o tej nazwie już istnieje: Fundacja Łąka." in response.text
    with app.app_context():
        assert count(Organisation) == 1


def test_duplicate_krs_and_nip_are_refused(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.organisation("A", krs="0000123456", nip="1234563218"))
    response = post(client, "/organisations/new", organisation_data(name="B", krs="0000123456", nip="1234563218"))
    assert "Inna organizacja ma ten numer KRS." in response.text and "Inna organizacja ma ten NIP." in response.text


# Editing, optimistic locking, archiving, change log

def test_edit_logs_old_and_new_values(app, client, coordinator):
    with app.app_context():
        organisation = factories.committed(factories.organisation("Fundacja Stara", sector=Sector.NGO))
    edit_page = client.get(f"/organisations/{organisation.id}/edit").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit_page).group(1)
    response = post(client, f"/organisations/{organisation.id}/edit",
                    organisation_data(name="Fundacja Nowa", sector="donor", version=version))
    assert response.status_code == 302
    page = client.get(f"/organisations/{organisation.id}").text
    assert "Fundacja Stara" in page and "Fundacja Nowa" in page and "Darczyńca" in page
    with app.app_context():
        entry = db.session.scalar(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "updated"))
        assert entry.changes == {"name": ["Fundacja Stara", "Fundacja Nowa"], "sector": ["ngo", "donor"]}


def test_second_save_from_an_old_version_is_refused(app, client, coordinator):
    with app.app_context():
        organisation = factories.committed(factories.organisation("Fundacja Wersja"))
    first = post(client, f"/organisations/{organisation.id}/edit",
                 organisation_data(name="Fundacja Wersja", phone="+48 111 222 333", version="1"))
    assert first.status_code == 302
    second = post(client, f"/organisations/{organisation.id}/edit",
                  organisation_data(name="Fundacja Inna", version="1"))
    assert second.status_code == 409
    assert "Ktoś inny zapisał ten rekord" in second.text and "+48 111 222 333" in second.text
    assert 'value="Fundacja Inna"' in second.text  # the user's version is kept in the form
    with app.app_context():
        assert db.session.get(Organisation, organisation.id).name == "Fundacja Wersja"
    third = post(client, f"/organisations/{organisation.id}/edit",
                 organisation_data(name="Fundacja Inna", version="2"))
    assert third.status_code == 302


def test_archive_needs_confirmation_and_can_be_undone(app, client, coordinator):
    with app.app_context():
        organisation = factories.committed(factories.organisation("Fundacja Archiwum"))
    confirm = client.get(f"/organisations/{organisation.id}/archive")
    assert confirm.status_code == 200 and "Zarchiwizować Fundacja Archiwum?" in confirm.text
    assert post(client, f"/organisations/{organisation.id}/archive", {}).status_code == 302
    assert names_on(client.get("/organisations").text) == []
    assert names_on(client.get("/organisations?status=yes").text) == ["Fundacja Archiwum"]
    post(client, f"/organisations/{organisation.id}/archive", {})
    assert names_on(client.get("/organisations").text) == ["Fundacja Archiwum"]
    with app.app_context():
        actions = db.session.scalars(sa.select(ChangeLogEntry.action).order_by(ChangeLogEntry.id)).all()
        assert actions == ["archived", "restored"]


def test_missing_records_are_404(client, coordinator):
    assert client.get("/organisations/999").status_code == 404
    assert client.get("/organisations/999/edit").status_code == 404


# Lists: search, filters, Polish order, pagination

@pytest.fixture
def network(app):
    with app.app_context():
        lodz = factories.locality("Łódź", Voivodeship.LODZKIE, 51.77, 19.47)
        gorzow = factories.locality("Gorzów Wielkopolski", Voivodeship.LUBUSKIE, 52.73, 15.23)
        lublin = factories.locality()
        for name, town, sector, member in [
            ("Żurawie", lodz, Sector.NGO, True), ("Zebra", gorzow, Sector.NGO, False),
            ("Łabędzie", lublin, Sector.DONOR, True), ("Lis", lublin, Sector.NGO, True),
            ("Śmiałek", lodz, Sector.BUSINESS, False), ("Sowa", gorzow, Sector.NGO, True),
            ("Ćma", lublin, Sector.NGO, True), ("Czapla", lodz, Sector.NGO, False),
        ]:
            factories.organisation(name, locality=town, sector=sector,
                                   forum_member_since=date(2023, 5, 18) if member else None)
        db.session.commit()


def test_organisations_are_in_polish_alphabetical_order(client, coordinator, network):
    assert names_on(client.get("/organisations").text) == [
        "Czapla", "Ćma", "Lis", "Łabędzie", "Sowa", "Śmiałek", "Zebra", "Żurawie"]
    assert names_on(client.get("/organisations?sort=-name").text)[0] == "Żurawie"


@pytest.mark.parametrize(("query", "expected"), [
    ("q=lodz", ["Czapla", "Śmiałek", "Żurawie"]),
    ("q=gorzow", ["Sowa", "Zebra"]),
    ("q=LABEDZ", ["Łabędzie"]),
    ("q=%25", []),
    ("town=Łódź", ["Czapla", "Śmiałek", "Żurawie"]),
    ("voivodeship=lubelskie", ["Ćma", "Lis", "Łabędzie"]),
    ("sector=donor", ["Łabędzie"]),
    ("member=no", ["Czapla", "Śmiałek", "Zebra"]),
    ("member=yes&voivodeship=lubuskie", ["Sowa"]),
])
def test_search_and_filters(client, coordinator, network, query, expected):
    assert names_on(client.get(f"/organisations?{query}").text) == expected


def test_area_of_work_filter(app, client, coordinator):
    for name, areas in (("A", "edukacja"), ("B", "pomoc prawna, edukacja"), ("C", "mieszkalnictwo")):
        post(client, "/organisations/new", organisation_data(name=name, areas=areas))
    with app.app_context():
        area_id = db.session.scalar(sa.select(AreaOfWork.id).where(AreaOfWork.name == "edukacja"))
    assert names_on(client.get(f"/organisations?area={area_id}").text) == ["A", "B"]


def test_pagination(app, client, coordinator):
    with app.app_context():
        for number in range(30):
            factories.organisation(f"Organizacja {number:02d}")
        db.session.commit()
    first, second = client.get("/organisations").text, client.get("/organisations?page=2").text
    assert len(names_on(first)) == 25 and len(names_on(second)) == 5
    assert "Strona 1 z 2" in first and "30 organizacji" in first
    assert names_on(client.get("/organisations?page=99").text) == []


def test_empty_list_says_so(client, coordinator):
    assert "Żadna organizacja nie pasuje" in client.get("/organisations").text


# People

def person_data(**values):
    data = {"first_name": "Żaneta", "last_name": "Ślęzak", "email": "", "phone": "", "town": "",
            "town_voivodeship": "", "expertise": "", "consent_note": "", "notes": "", "consent_given_on": "",
            "newsletter": "y"}
    data.update(values)
    return data


def test_create_a_person_with_consent(app, client, coordinator):
    """The coordinator records a consent given on paper: dated as the paper, with its note, in the history."""
    response = post(client, "/people/new", person_data(
        email="Z.Slezak@Example.org", town="Lublin", forum_member="y", directory_consent="y",
        consent_given_on="2024-03-01", consent_note="formularz Forum III"))
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Żaneta Ślęzak" in page and "udzielona 1 marca 2024" in page
    with app.app_context():
        person = db.session.scalar(sa.select(Person))
        assert person.directory_consent_at.date() == date(2024, 3, 1) and person.map_consent_at is None
        assert person.email == "z.slezak@example.org"
        [given] = db.session.scalars(consent_history(person.id)).all()  # mailings were left ticked: no change
        assert (given.purpose, given.given, given.source, given.note, given.recorded_by_id) == (
            ConsentPurpose.DIRECTORY, True, ConsentSource.COORDINATOR, "formularz Forum III", coordinator.id)
    assert "formularz Forum III" in page  # the history on the person's page

def test_same_email_is_refused_whatever_its_case(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.person(email="anna@example.org"))
    response = post(client, "/people/new", person_data(email="ANNA@example.org"))
    assert response.status_code == 422 and "Inna osoba ma ten adres e-mail." in response.text


def test_withdrawing_consent_clears_its_date(app, client, coordinator):
    with app.app_context():
        person = factories.committed(factories.person(map_consent_at=factories.datetime_now()))
    post(client, f"/people/{person.id}/edit", person_data(version="1"))
    with app.app_context():
        assert db.session.get(Person, person.id).map_consent_at is None


def test_people_search_without_diacritics_and_by_organisation(app, client, coordinator):
    with app.app_context():
        laka = factories.organisation("Fundacja Łąka")
        zaneta, jan = factories.person("Żaneta", "Ślęzak"), factories.person("Jan", "Kowalski")
        factories.affiliation(zaneta, laka)
        factories.affiliation(jan, laka, ended_on=date(2020, 1, 1), started_on=date(2019, 1, 1))
        db.session.commit()
    assert "Ślęzak Żaneta" in client.get("/people?q=slezak").text
    by_organisation = client.get("/people?organisation=laka").text
    assert "Ślęzak Żaneta" in by_organisation and "Kowalski" not in by_organisation


def test_moving_to_another_organisation_keeps_the_history(app, client, coordinator):
    with app.app_context():
        person = factories.person("Anna", "Nowak")
        old = factories.organisation("Fundacja Stara")
        factories.affiliation(person, old, started_on=date(2020, 1, 1), is_primary=True)
        factories.organisation("Stowarzyszenie Nowe", short_name="SN")
        factories.committed(person)
    response = post(client, f"/people/{person.id}/affiliations", {
        "organisation": "SN", "role_title": "prezeska", "started_on": "2024-02-01", "ended_on": "",
        "is_primary": "y", "replaces_current": "y"})
    assert response.status_code == 302
    with app.app_context():
        affiliations = db.session.scalars(sa.select(Affiliation).order_by(Affiliation.id)).all()
        assert [(a.organisation.name, a.ended_on, a.is_primary) for a in affiliations] == [
            ("Fundacja Stara", date(2024, 1, 31), False), ("Stowarzyszenie Nowe", None, True)]
    old_page = client.get(f"/organisations/{affiliations[0].organisation_id}").text
    assert "Anna Nowak" in old_page and "dawniej" in old_page


def test_affiliation_with_unknown_or_ambiguous_organisation(app, client, coordinator):
    with app.app_context():
        person = factories.person()
        factories.organisation("Fundacja Most")
        factories.organisation("Fundacja Mostek")
        factories.committed(person)
    unknown = post(client, f"/people/{person.id}/affiliations", {"organisation": "Nic takiego"})
    assert unknown.status_code == 422 and "Nie ma organizacji o nazwie Nic takiego" in unknown.text
    ambiguous = post(client, f"/people/{person.id}/affiliations", {"organisation": "most"})
    assert ambiguous.status_code == 422 and "Fundacja Most; Fundacja Mostek" in ambiguous.text
    exact = post(client, f"/people/{person.id}/affiliations", {"organisation": "fundacja most"})
    assert exact.status_code == 302


def test_affiliation_dates_in_order(app, client, coordinator):
    with app.app_context():
        person = factories.person()
        factories.organisation("Fundacja Most")
        factories.committed(person)
    response = post(client, f"/people/{person.id}/affiliations", {
        "organisation": "Fundacja Most", "started_on": "2024-01-01", "ended_on": "2023-01-01"})
    assert response.status_code == 422 and "Data końcowa nie może być wcześniejsza niż początkowa." in response.text


def test_affiliation_of_another_person_is_404(app, client, coordinator):
    with app.app_context():
        anna, jan = factories.person("Anna"), factories.person("Jan")
        affiliation = factories.affiliation(anna, factories.organisation())
        factories.committed(jan, affiliation)
    assert client.get(f"/people/{jan.id}/affiliations/{affiliation.id}/end").status_code == 404


# Escaping and languages

@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_names_are_escaped_everywhere(app, client, coordinator, payload):
    with app.app_context():
        organisation = factories.organisation(payload, short_name=payload)
        person = factories.person(payload, payload)
        factories.affiliation(person, organisation, role_title=payload)
        factories.committed(organisation, person)
    post(client, f"/organisations/{organisation.id}/edit", organisation_data(name=payload + "!", version="1"))
    for url in ("/organisations", f"/organisations/{organisation.id}", "/people", f"/people/{person.id}",
                f"/organisations/{organisation.id}/archive", "/changes", f"/people/{person.id}/edit"):
        page = client.get(url).text
        assert payload not in page, url
        assert "&lt;" in page or "&#34;&gt;" in page or "&#34;" in page, url


@pytest.mark.parametrize("url", ["/organisations", "/organisations/new", "/people", "/people/new", "/localities",
                                 "/localities/new", "/changes"])
def test_pages_render_in_both_languages(client, coordinator, url):
    assert 'lang="pl"' in client.get(url).text
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    page = client.get(url)
    assert page.status_code == 200 and 'lang="en"' in page.text


def test_directory_is_for_the_coordinator_only(app, client, login):
    with app.app_context():
        organisation = factories.organisation()
        member = factories.user(Role.MEMBER)
        factories.committed(member, organisation)
    login(member)
    assert client.get("/organisations").status_code == 403
    assert client.post(f"/organisations/{organisation.id}/edit",
                       data={"csrf_token": csrf_token(client), "name": "Hacked"}).status_code == 403


@pytest.mark.parametrize("url", ["/organisations?q=%00", "/people?q=a%00b", "/localities?q=%00",
                                 "/organisations?town=%00"])
def test_nul_bytes_in_searches_are_refused_cleanly(client, coordinator, url):
    assert client.get(url).status_code == 400


def test_control_characters_in_search_are_ignored(client, coordinator):
    assert client.get("/organisations?q=a%01b").status_code == 200


@pytest.mark.parametrize(("field", "value", "message"), [
    ("first_name", "", "To pole jest wymagane."),
    ("last_name", "Ś" * 101, "Wartość w polu nie może mieć więcej niż 100 znaków."),
    ("email", "anna@", "Nieprawidłowy adres e-mail."),
    ("phone", "12", "Podaj numer telefonu"),
    ("town", "Nibylandia", "Nie znamy miejscowości Nibylandia"),
    ("consent_given_on", "yesterday", "Nieprawidłowa data"),
    ("notes", "tekst\x07dzwonek", "Usuń z tego pola niewidoczne znaki sterujące."),
])
def test_bad_person_input_is_named_and_nothing_is_saved(app, client, coordinator, field, value, message):
    response = post(client, "/people/new", person_data(**{field: value}))
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert count(Person) == 0 and count(ChangeLogEntry) == 0


def test_person_edit_conflict_is_refused(app, client, coordinator):
    with app.app_context():
        person = factories.committed(factories.person("Anna", "Nowak"))
    assert post(client, f"/people/{person.id}/edit", person_data(first_name="Ania", version="1")).status_code == 302
    stale = post(client, f"/people/{person.id}/edit", person_data(first_name="Hanna", version="1"))
    assert stale.status_code == 409 and "Ania" in stale.text
    with app.app_context():
        assert db.session.get(Person, person.id).first_name == "Ania"


def test_recent_changes_page_lists_every_kind_and_filters(app, client, coordinator):
    post(client, "/organisations/new", organisation_data(name="Fundacja Dziennik"))
    post(client, "/people/new", person_data())
    page = client.get("/changes").text
    assert "Fundacja Dziennik" in page and "Żaneta Ślęzak" in page and "2 zmiany" in page
    only_people = client.get("/changes?type=person").text
    assert "Żaneta Ślęzak" in only_people and "Fundacja Dziennik" not in only_people


def test_people_are_in_polish_order_by_last_name_and_paginated(app, client, coordinator):
    with app.app_context():
        for last_name in ("Żak", "Zając", "Łuczak", "Lis", "Ślęzak", "Sowa", "Ćwik", "Czarny"):
            factories.person("Anna", last_name)
        for number in range(20):
            factories.person("Ewa", f"Wiśniewska{number:02d}")
        db.session.commit()
    first = client.get("/people").text
    last_names = re.findall(r'/people/\d+">([^ <]+) ', first)
    assert last_names[:8] == ["Czarny", "Ćwik", "Lis", "Łuczak", "Sowa", "Ślęzak", "Wiśniewska00", "Wiśniewska01"]
    assert "28 osób" in first and "Strona 1 z 2" in first
    second = re.findall(r'/people/\d+">([^ <]+) ', client.get("/people?page=2").text)
    assert second[-2:] == ["Zając", "Żak"]
