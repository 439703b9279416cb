"""Who takes part in an edition, through the pages: the participants list, adding and inviting people,
status and role, removal; the door check-in per day with undo and walk-ins; bad input refused with a
message and nothing written; simultaneous check-ins of one person on both databases."""

import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum_crm.editions.participation import check_in
from forum_crm.editions.participation_queries import today
from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    DayAttendance,
    Edition,
    Origin,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    Role,
    Voivodeship,
)
from forum_crm.people.services import add_affiliation
from tests import factories
from tests.conftest import csrf_token
from tests.test_events import count, english, error_of, log, post

DAY_1, DAY_2 = date(2023, 5, 18), date(2023, 5, 19)
INVITED, REGISTERED = ParticipationStatus.INVITED, ParticipationStatus.REGISTERED
ATTENDED = ParticipationStatus.ATTENDED


@pytest.fixture
def coordinator(app, client, login):
    """The test client, logged in as the coordinator and reading English."""
    with app.app_context():
        user = factories.committed(factories.user(Role.COORDINATOR))
    login(user)
    english(client)
    return user


@pytest.fixture
def edition(app):
    """The III Forum, two days in May 2023."""
    with app.app_context():
        return factories.committed(factories.edition(3, DAY_1, DAY_2))


def stored(edition: Edition) -> Edition:
    """The fixture's edition in the current application context."""
    return db.session.get(Edition, edition.id)


def participation(app, edition_id: int, person_id: int) -> Participation | None:
    with app.app_context():
        row = db.session.scalar(sa.select(Participation).where(
            Participation.edition_id == edition_id, Participation.person_id == person_id))
        if row is not None:
            db.session.refresh(row)
            row.days = [attendance.day for attendance in row.days_attended]
            row.organisation_name = row.organisation.name if row.organisation else None
            db.session.expunge(row)
        return row


def state(app) -> tuple[int, int, int, int]:
    """How many people, participations, day check-ins and log entries there are."""
    with app.app_context():
        return count(Person), count(Participation), count(DayAttendance), count(ChangeLogEntry)


def people_on(html: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', html)


def query_count(app, action) -> int:
    statements = []

    def listener(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            action()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


# The participants list

def test_list_in_polish_order_with_counts_status_filter_and_search(app, client, coordinator, edition):
    with app.app_context():
        city = factories.organisation("Fundacja Łąka")
        for first, last, status in (("Zofia", "Zając", INVITED), ("Łukasz", "Łęcki", ATTENDED),
                                    ("Anna", "Lis", REGISTERED), ("Żaneta", "Ślęzak", ATTENDED),
                                    ("Piotr", "Sowa", ParticipationStatus.CANCELLED)):
            factories.participation(stored(edition), factories.person(first, last), status=status, organisation=city)
        factories.person("Adam", "Spoza")  # in the directory, not on the list
        db.session.commit()
    html = client.get(f"/editions/{edition.id}/participants").text
    assert people_on(html) == ["Lis Anna", "Łęcki Łukasz", "Sowa Piotr", "Ślęzak Żaneta", "Zając Zofia"]
    assert "5 people" in html and "Fundacja Łąka" in html
    assert re.search(r"Attendees <span class=\"num\">2</span>", html)
    assert re.search(r"No-shows <span class=\"num\">0</span>", html)
    attended = client.get(f"/editions/{edition.id}/participants?status=attended").text
    assert people_on(attended) == ["Łęcki Łukasz", "Ślęzak Żaneta"] and 'aria-current="true"' in attended
    assert people_on(client.get(f"/editions/{edition.id}/participants?q=SLEZAK").text) == ["Ślęzak Żaneta"]
    assert people_on(client.get(f"/editions/{edition.id}/participants?q=lecki%20l").text) == []
    assert "Nobody on the list matches" in client.get(f"/editions/{edition.id}/participants?q=spoza").text


def test_list_is_paginated_and_its_queries_do_not_grow(app, client, coordinator, edition):
    with app.app_context():
        other = factories.edition(4, date(2024, 5, 1), date(2024, 5, 2))
        factories.participation(other, factories.person("Jan", "Jeden"), organisation=factories.organisation())
        for index in range(27):
            person = factories.person("Osoba", f"Nazwisko{index:02d}")
            row = factories.participation(stored(edition), person, organisation=factories.organisation(),
                                          status=ATTENDED)
            db.session.add(DayAttendance(participation_id=row.id, day=DAY_1))
        db.session.commit()
        other_id = other.id
    first, second = (client.get(f"/editions/{edition.id}/participants{page}").text for page in ("", "?page=2"))
    assert len(people_on(first)) == 25 and len(people_on(second)) == 2 and "Page 2 of 2" in second
    assert "18 May 2023" in second
    client.get(f"/editions/{other_id}/participants")  # both pages' totals now kept between requests
    assert (query_count(app, lambda: client.get(f"/editions/{edition.id}/participants"))
            == query_count(app, lambda: client.get(f"/editions/{other_id}/participants")))


def test_the_edition_page_links_to_the_list_and_the_check_in(client, coordinator, edition):
    html = client.get(f"/editions/{edition.id}").text
    assert f'href="/editions/{edition.id}/participants"' in html and f'href="/editions/{edition.id}/checkin"' in html


# Adding one person

def test_add_one_person_by_e_mail_with_their_main_organisation(app, client, coordinator, edition):
    with app.app_context():
        person = factories.person("Olena", "Kowalenko", email="olena@example.org")
        factories.affiliation(person, factories.organisation("Stowarzyszenie Dawne"), ended_on=date(2020, 1, 1))
        factories.affiliation(person, factories.organisation("Fundacja Poboczna"))
        factories.affiliation(person, factories.organisation("Fundacja Główna"), is_primary=True)
        person_id = factories.committed(person).id
    response = post(client, f"/editions/{edition.id}/participants/add",
                    {"add-person": "OLENA@example.org", "add-role": "speaker", "add-status": "registered"})
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}/participants"
    added = participation(app, edition.id, person_id)
    assert (added.role, added.status, added.organisation_name) == (ParticipationRole.SPEAKER, REGISTERED,
                                                                   "Fundacja Główna")
    [entry] = log(app, "participant_added")
    assert entry.changes["person"] == [None, "Olena Kowalenko"] and entry.changes["status"] == [None, "registered"]
    assert "Added to the list: Olena Kowalenko." in client.get(response.location).text


def test_add_by_full_name_without_diacritics(app, client, coordinator, edition):
    with app.app_context():
        person_id = factories.committed(factories.person("Żaneta", "Ślęzak")).id
    assert post(client, f"/editions/{edition.id}/participants/add",
                {"add-person": "zaneta slezak", "add-role": "participant", "add-status": "invited"}).status_code == 302
    added = participation(app, edition.id, person_id)
    assert (added.status, added.organisation_name) == (INVITED, None)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "This field is required."),
    ("Nikt Taki", "There is no person called Nikt Taki; add them to the directory first."),
    ("Anna Nowak", "Several people match; type the e-mail address of one of them"),
    ("Jan Obecny", "Jan Obecny is already on the list of this edition."),
    ("Jan\x00Obecny", "Remove the invisible control characters from this field."),
])
def test_adding_a_person_refuses_bad_input(app, client, coordinator, edition, typed, message):
    with app.app_context():
        factories.person("Anna", "Nowak")
        factories.person("Anna", "Nowak", email="druga@example.org")
        factories.participation(stored(edition), factories.person("Jan", "Obecny"))
        db.session.commit()
    before = state(app)
    response = post(client, f"/editions/{edition.id}/participants/add",
                    {"add-person": typed, "add-role": "participant", "add-status": "invited"})
    assert response.status_code == 422
    assert message in error_of(response.text, "add-person") and "Nothing was saved." in response.text
    assert state(app) == before


# Inviting many at once

@pytest.fixture
def network(app, edition):
    """Two organisations in Lublin and Kraków with their people; one person is already invited."""
    with app.app_context():
        lublin = factories.locality("Lublin")
        krakow = factories.locality("Kraków", Voivodeship.MALOPOLSKIE, 50.06, 19.94)
        laka = factories.organisation("Fundacja Łąka", locality=lublin)
        most = factories.organisation("Stowarzyszenie Most", locality=krakow)
        people = {}
        for key, first, last in (("ala", "Alicja", "Łąkowa"), ("bartek", "Bartek", "Łąkowy"),
                                 ("celina", "Celina", "Mostowa"), ("darek", "Darek", "Dawny"),
                                 ("ewa", "Ewa", "Archiwalna"), ("filip", "Filip", "Lubelski"),
                                 ("gosia", "Gosia", "Krakowska")):
            people[key] = factories.person(first, last)
        factories.affiliation(people["ala"], laka, is_primary=True)
        factories.affiliation(people["bartek"], laka)
        factories.affiliation(people["bartek"], most, is_primary=True)  # works at both, mainly at Most
        factories.affiliation(people["celina"], most, is_primary=True)
        factories.affiliation(people["darek"], laka, ended_on=date(2022, 12, 31))  # left
        factories.affiliation(people["ewa"], laka, is_primary=True)
        people["ewa"].archived_at = factories.datetime_now()
        people["filip"].locality = lublin  # lives in Lublin, works nowhere
        people["gosia"].locality = krakow
        factories.participation(stored(edition), people["ala"], status=REGISTERED, role=ParticipationRole.SPEAKER)
        db.session.commit()
        return {key: person.id for key, person in people.items()}


def invited(app, edition_id: int) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Participation).where(Participation.edition_id == edition_id))
        return {row.person_id: (row.status, row.role, row.organisation.name if row.organisation else None)
                for row in rows}


def test_invite_everyone_from_organisations_twice_invites_them_once(app, client, coordinator, edition, network):
    url = f"/editions/{edition.id}/participants/invite/organisations"
    response = post(client, url, {"organisations-organisations": "fundacja laka\n\n  Stowarzyszenie Most  \n"})
    assert response.status_code == 302
    assert "2 people invited." in client.get(response.location).text
    rows = invited(app, edition.id)
    assert rows == {
        network["ala"]: (REGISTERED, ParticipationRole.SPEAKER, None),  # already on the list: left as she was
        network["bartek"]: (INVITED, ParticipationRole.PARTICIPANT, "Stowarzyszenie Most"),  # his main one
        network["celina"]: (INVITED, ParticipationRole.PARTICIPANT, "Stowarzyszenie Most"),
    }
    [entry] = log(app, "participants_invited")
    assert entry.changes == {"participants": [None, 2], "chosen_by": [None, ["Fundacja Łąka", "Stowarzyszenie Most"]]}
    before = state(app)
    again = post(client, url, {"organisations-organisations": "Fundacja Łąka\nStowarzyszenie Most"})
    assert "Nobody new to invite" in client.get(again.location).text
    assert invited(app, edition.id) == rows and state(app) == before


def test_invite_everyone_in_a_town(app, client, coordinator, edition, network):
    response = post(client, f"/editions/{edition.id}/participants/invite/town", {"town-town": "lublin"})
    assert response.status_code == 302
    assert set(invited(app, edition.id)) == {network["ala"], network["bartek"], network["filip"]}
    [entry] = log(app, "participants_invited")
    assert entry.changes["chosen_by"] == [None, ["Lublin (lubelskie)"]]


def test_invite_everyone_matching_the_people_list_filters(app, client, coordinator, edition, network):
    with app.app_context():
        for key in ("celina", "gosia", "darek"):
            db.session.get(Person, network[key]).forum_member = True
        db.session.commit()
    response = post(client, f"/editions/{edition.id}/participants/invite/matching",
                    {"match-member": "yes", "match-voivodeship": "małopolskie"})
    assert response.status_code == 302
    assert set(invited(app, edition.id)) == {network["ala"], network["gosia"]}
    [entry] = log(app, "participants_invited")
    assert entry.changes["chosen_by"] == [None, ["Voivodeship: małopolskie", "Forum member: Yes"]]


def test_bulk_invites_take_the_same_number_of_queries_for_3_or_30_people(app, client, coordinator):
    with app.app_context():
        small, large = factories.organisation("Mała"), factories.organisation("Duża")
        for organisation, size in ((small, 3), (large, 30)):
            for _ in range(size):
                factories.affiliation(factories.person(), organisation, is_primary=True)
        first, second = factories.edition(1), factories.edition(2)
        db.session.commit()
        ids = first.id, second.id
    token = csrf_token(client, "/")

    def invite(edition_id: int, name: str):
        def action():
            response = client.post(f"/editions/{edition_id}/participants/invite/organisations",
                                   data={"csrf_token": token, "organisations-organisations": name})
            assert response.status_code == 302
        return action

    assert query_count(app, invite(ids[0], "Mała")) == query_count(app, invite(ids[1], "Duża"))
    assert len(invited(app, ids[0])) == 3 and len(invited(app, ids[1])) == 30


@pytest.mark.parametrize(("path", "data", "field_id", "message"), [
    ("organisations", {"organisations-organisations": ""}, "organisations-organisations", "This field is required."),
    ("organisations", {"organisations-organisations": "Fundacja Łąka\nFundacja Nieznana"},
     "organisations-organisations", "There is no organisation called Fundacja Nieznana; add it first."),
    ("town", {"town-town": ""}, "town-town", "This field is required."),
    ("town", {"town-town": "Nibylandia"}, "town-town", "We do not know a town called Nibylandia."),
    ("town", {"town-town": "Zamość"}, "town-town", "Nobody in the directory lives or works in Zamość."),
])
def test_bulk_invites_refuse_bad_input(app, client, coordinator, edition, network, path, data, field_id, message):
    before = state(app)
    response = post(client, f"/editions/{edition.id}/participants/invite/{path}", data)
    assert response.status_code == 422 and message in error_of(response.text, field_id)
    assert state(app) == before


def test_inviting_by_filters_needs_at_least_one_filter(app, client, coordinator, edition, network):
    before = state(app)
    response = post(client, f"/editions/{edition.id}/participants/invite/matching", {"match-q": ""})
    assert response.status_code == 422 and "Choose at least one filter." in response.text
    assert state(app) == before


def test_the_organisation_represented_stays_when_the_person_moves(app, client, coordinator, edition, network):
    assert post(client, f"/editions/{edition.id}/participants/invite/organisations",
                {"organisations-organisations": "Stowarzyszenie Most"}).status_code == 302
    with app.app_context():
        celina = db.session.get(Person, network["celina"])
        add_affiliation(celina, factories.organisation("Fundacja Nowa"), None, date(2024, 1, 1), None, True, True)
        later = factories.edition(4, date(2024, 5, 1), date(2024, 5, 2))
        db.session.commit()
        later_id = later.id
    assert participation(app, edition.id, network["celina"]).organisation_name == "Stowarzyszenie Most"
    html = client.get(f"/editions/{edition.id}/participants?q=mostowa").text
    assert "Stowarzyszenie Most" in html and "Fundacja Nowa" not in html
    post(client, f"/editions/{later_id}/participants/add",
         {"add-person": "Celina Mostowa", "add-role": "participant", "add-status": "invited"})
    assert participation(app, later_id, network["celina"]).organisation_name == "Fundacja Nowa"


# Status, role, removal

@pytest.fixture
def listed(app, edition):
    """Jan Obecny, invited to the edition; returns his participation's id."""
    with app.app_context():
        row = factories.participation(stored(edition), factories.person("Jan", "Obecny"),
                                      organisation=factories.organisation())
        return factories.committed(row).id


def test_change_status_and_role(app, client, coordinator, edition, listed):
    url = f"/editions/{edition.id}/participants/{listed}?q=obecny&page=1"
    response = post(client, url, {f"p{listed}-status": "registered", f"p{listed}-role": "organiser"})
    assert response.status_code == 302
    assert response.location == f"/editions/{edition.id}/participants?q=obecny&page=1#participant-{listed}"
    with app.app_context():
        row = db.session.get(Participation, listed)
        assert (row.status, row.role) == (REGISTERED, ParticipationRole.ORGANISER)
    [entry] = log(app, "participant_updated")
    assert entry.changes == {"person": ["Jan Obecny", "Jan Obecny"], "status": ["invited", "registered"],
                             "role": ["participant", "organiser"]}
    post(client, url, {f"p{listed}-status": "registered", f"p{listed}-role": "organiser"})
    assert len(log(app, "participant_updated")) == 1  # nothing changed, nothing logged


def test_status_cannot_leave_attended_while_checked_in(app, client, coordinator, edition, listed):
    with app.app_context():
        db.session.get(Participation, listed).status = ATTENDED
        db.session.add(DayAttendance(participation_id=listed, day=DAY_2))
        db.session.commit()
    before = state(app)
    response = post(client, f"/editions/{edition.id}/participants/{listed}",
                    {f"p{listed}-status": "no_show", f"p{listed}-role": "participant"})
    assert response.status_code == 422
    assert "Checked in on 19 May 2023: undo the check-in" in error_of(response.text, f"p{listed}-status")
    assert state(app) == before


@pytest.mark.parametrize("data", [{"status": "vip", "role": "participant"}, {"status": "invited", "role": "boss"}])
def test_unknown_status_or_role_is_refused(app, client, coordinator, edition, listed, data):
    response = post(client, f"/editions/{edition.id}/participants/{listed}",
                    {f"p{listed}-{name}": value for name, value in data.items()})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Participation, listed).status == INVITED


def test_remove_a_participant_after_confirming(app, client, coordinator, edition, listed):
    with app.app_context():
        db.session.add(DayAttendance(participation_id=listed, day=DAY_1))
        db.session.commit()
    url = f"/editions/{edition.id}/participants/{listed}/delete"
    confirm = client.get(url).text
    assert "Remove Jan Obecny?" in confirm and "Their check-in on 1 day will be removed with it." in confirm
    response = post(client, url)
    assert response.status_code == 302 and "Removed from the list: Jan Obecny." in client.get(response.location).text
    with app.app_context():
        assert count(Participation) == 0 and count(DayAttendance) == 0 and count(Person) == 1
    [entry] = log(app, "participant_removed")
    assert entry.changes["person"] == ["Jan Obecny", None]


def test_a_participation_of_another_edition_is_404(app, client, coordinator, listed):
    with app.app_context():
        other = factories.committed(factories.edition(9)).id
    assert client.get(f"/editions/{other}/participants/{listed}/delete").status_code == 404
    assert post(client, f"/editions/{other}/participants/{listed}",
                {f"p{listed}-status": "registered", f"p{listed}-role": "participant"}).status_code == 404


# The door check-in

@pytest.fixture
def door(app, edition):
    """Żaneta Ślęzak registered for the edition, Jan Ślęzak only in the directory; returns their ids."""
    with app.app_context():
        zaneta = factories.person("Żaneta", "Ślęzak")
        factories.participation(stored(edition), zaneta, status=REGISTERED,
                                organisation=factories.organisation("Fundacja Łąka"))
        jan = factories.person("Jan", "Ślęzak")
        factories.affiliation(jan, factories.organisation("Stowarzyszenie Most"), is_primary=True)
        gone = factories.person("Ukryta", "Ślęzak", anonymised_at=factories.datetime_now())
        factories.committed(zaneta, jan, gone)
        return {"zaneta": zaneta.id, "jan": jan.id, "gone": gone.id}


def checkin_form(day: date = DAY_1, q: str = "slezak") -> dict:
    return {"day": day.isoformat(), "q": q}


def test_the_check_in_page_of_a_past_edition_offers_its_days_from_the_first(client, coordinator, edition):
    html = client.get(f"/editions/{edition.id}/checkin").text
    assert "Thursday, 18 May 2023" in html and "(today)" not in html
    assert '<details class="card day-choice" open>' in html
    assert re.search(r'value="2023-05-18" checked', html) and 'value="2023-05-19">' in html
    chosen = client.get(f"/editions/{edition.id}/checkin?day=2023-05-19").text
    assert re.search(r'value="2023-05-19" checked', chosen)
    assert re.search(r'name="day" value="2023-05-19"', chosen)  # kept for the search and the buttons


def test_during_the_edition_the_check_in_is_for_today(app, client, coordinator):
    with app.app_context():
        day = today()
        current = factories.committed(factories.edition(5, day - timedelta(days=1), day))
    html = client.get(f"/editions/{current.id}/checkin").text
    assert "(today)" in html and f'value="{day.isoformat()}" checked' in html
    assert '<details class="card day-choice">' in html  # the other day is a tap away


@pytest.mark.parametrize("day", ["2023-05-20", "18.05.2023", "2023-02-30"])
def test_a_day_outside_the_edition_in_the_address_is_named(client, coordinator, edition, day):
    html = client.get(f"/editions/{edition.id}/checkin?day={day}").text
    assert 'role="alert">Choose one of the days of this edition.' in html
    assert re.search(r'value="2023-05-18" checked', html)


def test_search_finds_participants_and_directory_people_without_diacritics(client, coordinator, edition, door):
    html = client.get(f"/editions/{edition.id}/checkin?q=SLEZAK&day=2023-05-18").text
    on_list = html[html.index('id="on-list-title"'):html.index('id="others-title"')]
    others = html[html.index('id="others-title"'):html.index('class="card day-choice"')]
    assert "Żaneta Ślęzak" in on_list and "Fundacja Łąka" in on_list and "Registered" in on_list
    assert f'/checkin/{door["zaneta"]}"' in on_list
    assert "Jan Ślęzak" in others and "Stowarzyszenie Most" in others and f'/checkin/{door["jan"]}"' in others
    assert "Ukryta" not in html and "2 people" in html
    assert "Nobody matches" in client.get(f"/editions/{edition.id}/checkin?q=kowalczyk").text


def test_search_shows_the_first_matches_and_asks_for_more_of_the_name(app, client, coordinator, edition):
    with app.app_context():
        for index in range(16):
            factories.participation(stored(edition), factories.person("Anna", f"Kowalska{index:02d}"))
        db.session.commit()
    html = client.get(f"/editions/{edition.id}/checkin?q=kowalska").text
    assert html.count('class="tap-target"') == 15 and "More people match: type more of the name." in html
    assert "More people match" not in client.get(f"/editions/{edition.id}/checkin?q=kowalska15").text


def test_check_in_undo_and_check_in_again(app, client, coordinator, edition, door):
    url = f"/editions/{edition.id}/checkin/{door['zaneta']}"
    response = post(client, url, checkin_form(DAY_2))
    assert response.status_code == 302
    assert response.location == f"/editions/{edition.id}/checkin?day=2023-05-19"  # the search box starts empty
    page = client.get(response.location).text
    assert 'role="status">Checked in: Żaneta Ślęzak, Friday, 19 May 2023.' in page
    assert "✓ Checked in" in page and f'/checkin/{door["zaneta"]}/undo"' in page
    checked = participation(app, edition.id, door["zaneta"])
    assert checked.status == ATTENDED and checked.days == [DAY_2]
    [entry] = log(app, "checked_in")
    assert entry.changes == {"person": ["Żaneta Ślęzak", "Żaneta Ślęzak"], "day": [None, "2023-05-19"],
                             "status": ["registered", "attended"]}

    again = post(client, url, checkin_form(DAY_2))
    assert "Żaneta Ślęzak was already checked in on Friday, 19 May 2023." in client.get(again.location).text
    assert participation(app, edition.id, door["zaneta"]).days == [DAY_2] and len(log(app, "checked_in")) == 1

    undo = post(client, f"{url}/undo", checkin_form(DAY_2))
    assert "Check-in undone: Żaneta Ślęzak, Friday, 19 May 2023." in client.get(undo.location).text
    undone = participation(app, edition.id, door["zaneta"])
    assert undone.status == REGISTERED and undone.days == []
    assert log(app, "check_in_undone")[0].changes["status"] == ["attended", "registered"]
    assert "Żaneta Ślęzak was not checked in" in client.get(post(client, f"{url}/undo", checkin_form(DAY_2))
                                                            .location).text

    post(client, url, checkin_form(DAY_2))
    assert participation(app, edition.id, door["zaneta"]).status == ATTENDED


def test_undoing_one_of_two_days_keeps_attended(app, client, coordinator, edition, door):
    url = f"/editions/{edition.id}/checkin/{door['zaneta']}"
    post(client, url, checkin_form(DAY_1))
    post(client, url, checkin_form(DAY_2))
    assert participation(app, edition.id, door["zaneta"]).days == [DAY_1, DAY_2]
    post(client, f"{url}/undo", checkin_form(DAY_1))
    row = participation(app, edition.id, door["zaneta"])
    assert row.days == [DAY_2] and row.status == ATTENDED
    html = client.get(f"/editions/{edition.id}/checkin?day=2023-05-19").text
    assert "1 person checked in on this day" in html and "Last checked in" in html


def test_checking_in_someone_from_the_directory_adds_them_to_the_list(app, client, coordinator, edition, door):
    response = post(client, f"/editions/{edition.id}/checkin/{door['jan']}", checkin_form(DAY_1, ""))
    assert response.location == f"/editions/{edition.id}/checkin?day=2023-05-18"
    row = participation(app, edition.id, door["jan"])
    assert (row.status, row.role, row.organisation_name, row.days) == (
        ATTENDED, ParticipationRole.PARTICIPANT, "Stowarzyszenie Most", [DAY_1])
    [entry] = log(app, "checked_in")
    assert entry.changes["day"] == [None, "2023-05-18"] and "status" not in entry.changes


@pytest.mark.parametrize("data", [{"day": "2023-05-20"}, {"day": "wczoraj"}, {"day": ""}, {}])
def test_check_in_for_a_day_outside_the_edition_is_refused(app, client, coordinator, edition, door, data):
    before = state(app)
    for url in (f"/editions/{edition.id}/checkin/{door['zaneta']}", f"/editions/{edition.id}/checkin/{door['jan']}",
                f"/editions/{edition.id}/checkin/{door['zaneta']}/undo"):
        response = post(client, url, {"q": "slezak", **data})
        assert response.status_code == 422, url
        assert 'role="alert">Choose one of the days of this edition.' in response.text
        assert 'value="slezak"' in response.text  # the search is still there
    assert state(app) == before


def test_unknown_or_anonymised_people_cannot_be_checked_in(app, client, coordinator, edition, door):
    before = state(app)
    assert post(client, f"/editions/{edition.id}/checkin/999999", checkin_form()).status_code == 404
    assert post(client, f"/editions/{edition.id}/checkin/{door['gone']}", checkin_form()).status_code == 404
    assert post(client, f"/editions/{edition.id}/checkin/{door['jan']}/undo", checkin_form()).status_code == 404
    assert post(client, f"/editions/999999/checkin/{door['jan']}", checkin_form()).status_code == 404
    assert state(app) == before


# Walk-ins

def walk_in(**values) -> dict:
    return {"first_name": "Oksana", "last_name": "Szewczenko", "email": "", "role": "guest", "day": "2023-05-19",
            "q": "", **values}


def test_a_walk_in_is_added_to_the_directory_and_checked_in(app, client, coordinator, edition):
    response = post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in(email="Oksana@Example.org"))
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}/checkin?day=2023-05-19"
    assert "Added and checked in: Oksana Szewczenko, Friday, 19 May 2023." in client.get(response.location).text
    with app.app_context():
        person = db.session.scalar(sa.select(Person))
        assert (person.full_name, person.email, person.origin) == ("Oksana Szewczenko", "oksana@example.org",
                                                                   Origin.MANUAL)
        person_id = person.id
    row = participation(app, edition.id, person_id)
    assert (row.role, row.status, row.days, row.organisation_name) == (ParticipationRole.GUEST, ATTENDED, [DAY_2],
                                                                        None)
    assert [entry.action for entry in log(app, "created")] == ["created"] and len(log(app, "checked_in")) == 1


@pytest.mark.parametrize(("values", "field_id", "message"), [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"last_name": "   "}, "last_name", "This field is required."),
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"email": "zajety@example.org"}, "email", "Another person has this e-mail address."),
    ({"first_name": "Ok\u202esana"}, "first_name", "Remove the invisible control characters from this field."),
])
def test_a_walk_in_with_bad_input_is_refused(app, client, coordinator, edition, values, field_id, message):
    with app.app_context():
        factories.committed(factories.person("Zajęta", "Osoba", email="zajety@example.org"))
    before = state(app)
    response = post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in(**values))
    assert response.status_code == 422 and message in error_of(response.text, field_id)
    assert "Nothing was saved." in response.text
    assert state(app) == before


@pytest.mark.parametrize("values", [{"day": "2023-05-17"}, {"role": "speaker"}])
def test_a_walk_in_for_another_day_or_role_is_refused(app, client, coordinator, edition, values):
    before = state(app)
    response = post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in(**values))
    assert response.status_code == 422 and "Nothing was saved." in response.text
    assert state(app) == before


def test_a_walk_in_whose_e_mail_someone_added_meanwhile_is_refused(app, client, coordinator, edition, monkeypatch):
    """The e-mail was free when the form was checked, taken by the time of saving: save_person's own check
    refuses it with a message (422), not a server error. (A race past that check meets the unique index: 409.)"""
    with app.app_context():
        factories.committed(factories.person("Zajęta", "Osoba", email="zajety@example.org"))
    monkeypatch.setattr("forum_crm.editions.participation.email_taken", lambda email: False)
    before = state(app)
    response = post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in(email="zajety@example.org"))
    assert response.status_code == 422
    assert "Another person has this e-mail address." in error_of(response.text, "email")
    assert state(app) == before


# Access

@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_members_and_editors_cannot_see_or_change_participation(app, client, login, edition, door, role):
    with app.app_context():
        user = factories.committed(factories.user(role, organisation=factories.organisation() if role == Role.ORG_EDITOR
                                                  else None))
    login(user)
    before = state(app)
    assert client.get(f"/editions/{edition.id}/participants").status_code == 403
    assert client.get(f"/editions/{edition.id}/checkin").status_code == 403
    assert post(client, f"/editions/{edition.id}/checkin/{door['jan']}", checkin_form()).status_code == 403
    assert post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in()).status_code == 403
    assert post(client, f"/editions/{edition.id}/participants/add",
                {"add-person": "Jan Ślęzak", "add-role": "participant", "add-status": "invited"}).status_code == 403
    html = client.get(f"/editions/{edition.id}").text
    assert "/participants" not in html and "/checkin" not in html
    assert state(app) == before


# Two phones at the door

@pytest.mark.parametrize("on_the_list", [True, False])
def test_simultaneous_check_ins_of_one_person_make_one_row_and_no_error(app, on_the_list):
    """Two devices check the same person in for the same day at the same moment, each with its own session."""
    with app.app_context():
        edition = factories.edition(3, DAY_1, DAY_2)
        person = factories.person("Żaneta", "Ślęzak")
        if on_the_list:
            factories.participation(stored(edition), person, status=INVITED)
        factories.committed(edition, person)
        edition_id, person_id = edition.id, person.id
    start = threading.Barrier(2)
    results, errors = [], []

    def phone():
        try:
            with app.app_context():
                edition = db.session.get(Edition, edition_id)
                start.wait(timeout=10)
                results.append(check_in(edition, person_id, DAY_1))
                db.session.commit()
        except Exception as error:  # noqa: BLE001  (any error fails the test below)
            errors.append(error)

    phones = [threading.Thread(target=phone) for _ in range(2)]
    for thread in phones:
        thread.start()
    for thread in phones:
        thread.join(timeout=30)
    assert not errors and sorted(results) == [False, True]
    with app.app_context():
        assert count(Participation) == 1 and count(DayAttendance) == 1
        assert db.session.scalar(sa.select(Participation.status)) == ATTENDED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry)
                                 .where(ChangeLogEntry.action == "checked_in")) == 1
