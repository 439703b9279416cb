"""The duplicate finder: which pairs it finds and why (Polish names), its pages, and "not a duplicate"."""

from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.duplicates.queries import OrganisationReason, PersonReason, organisation_pairs, person_pairs
from forum_crm.duplicates.services import dismiss_pair
from forum_crm.extensions import db
from forum_crm.models import DuplicateKind, Participation, Person, Role
from forum_crm.text import one_edit_apart
from tests import factories
from tests.test_events import english, post


def found(query) -> dict[tuple[int, int], tuple[int, int]]:
    """(first id, second id) -> (score, reasons) of every pair the query finds."""
    return {(row.first_id, row.second_id): (row.score, row.reasons) for row in db.session.execute(query)}


def pair(first, second) -> tuple[int, int]:
    return tuple(sorted((first.id, second.id)))


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("anna", "anna", False), ("kowalska", "kowalsak", True), ("kowalska", "kowalsk", True),
    ("kowalska", "kowalskaa", True), ("lukasz", "lukacz", True), ("anna", "ann", True), ("anna", "ewa", False),
    ("kowalska", "kowalczyk", False), ("ab", "ba", True), ("", "a", True), ("abcd", "badc", False),
])
def test_one_edit_apart(first, second, expected):
    assert one_edit_apart(first, second) is expected
    assert one_edit_apart(second, first) is expected


def test_people_found_for_each_reason(ctx):
    lublin, krakow = factories.locality(), factories.locality("Kraków", latitude=50.06, longitude=19.94)
    fundacja = factories.organisation("Fundacja X")
    lukasz = factories.person("Łukasz", "Wiśniewski")
    lukasz_ascii = factories.person("Lukasz", "Wisniewski")
    anna = factories.person("Anna", "Kowalska", locality=lublin)
    swapped = factories.person("Kowalska", "Anna")
    typo = factories.person("Anna", "Kowalsak")
    at_work = [factories.person("Piotr", "Nowak", locality=krakow) for _ in range(2)]
    for person in at_work:
        factories.affiliation(person, fundacja)
    same_town = factories.person("Anna", "Kowalska", locality=lublin)
    phone = [factories.person("Jan", "Kos", phone="+48 601 234 567"), factories.person("J.", "K.", phone="601234567")]
    unrelated = [factories.person("Ewa", "Zielińska", locality=lublin), factories.person("Ewa", "Zielińska")]

    pairs = found(person_pairs())

    assert pairs[pair(lukasz, lukasz_ascii)] == (85, PersonReason.SPELLING)
    assert pairs[pair(anna, swapped)] == (80, PersonReason.SWAPPED)
    assert pairs[pair(same_town, swapped)] == (80, PersonReason.SWAPPED)
    assert pairs[pair(anna, typo)] == (60, PersonReason.TYPO)
    score, reasons = pairs[pair(*at_work)]
    assert (score, PersonReason(reasons)) == (99, PersonReason.SAME_NAME_ORGANISATION | PersonReason.SAME_NAME_TOWN)
    assert PersonReason(pairs[pair(anna, same_town)][1]) == PersonReason.SAME_NAME_TOWN
    assert pairs[pair(*phone)] == (90, PersonReason.SAME_PHONE)
    assert pair(*unrelated) not in pairs  # the same name, but nothing else in common
    assert pair(lukasz, anna) not in pairs
    first_score = db.session.execute(person_pairs()).first().score
    assert first_score == 99  # best first


def test_anonymised_people_are_not_paired(ctx):
    factories.person("Anna", "Nowak", phone="601234567")
    factories.person("Anna", "Nowak", phone="601234567", anonymised_at=factories.datetime_now())
    assert found(person_pairs()) == {}


def test_organisations_found_by_short_name(ctx):
    lublin = factories.locality()
    irc = factories.organisation("International Rescue Committee", short_name="IRC", locality=lublin)
    irc_short = factories.organisation("IRC")
    other_irc = factories.organisation("Instytut Rozwoju Community", short_name="irc", locality=lublin)
    factories.organisation("Fundacja Ocalenie", short_name="FO")

    pairs = found(organisation_pairs())

    assert pairs[pair(irc, irc_short)] == (85, OrganisationReason.SHORT_NAME_IS_NAME)
    assert pairs[pair(irc_short, other_irc)] == (85, OrganisationReason.SHORT_NAME_IS_NAME)
    score, reasons = pairs[pair(irc, other_irc)]
    assert (score, OrganisationReason(reasons)) == (
        95, OrganisationReason.SAME_SHORT_NAME | OrganisationReason.SAME_SHORT_NAME_TOWN)
    assert len(pairs) == 3


def test_a_dismissed_pair_is_no_longer_found(ctx):
    first, second = factories.person("Łukasz", "Wiśniewski"), factories.person("Lukasz", "Wisniewski")
    assert dismiss_pair(DuplicateKind.PERSON, second.id, first.id)
    assert not dismiss_pair(DuplicateKind.PERSON, first.id, second.id)
    assert found(person_pairs()) == {}


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(Role.COORDINATOR))
    login(user)
    english(client)
    return user


def test_the_pages_list_pairs_with_reasons_and_dismiss_them(app, client, coordinator):
    with app.app_context():
        factories.organisation("Polska Akcja Humanitarna", short_name="PAH")
        factories.organisation("PAH")
        first, second = factories.committed(factories.person("Łukasz", "Wiśniewski"),
                                            factories.person("Lukasz", "Wisniewski"))

    page = client.get("/duplicates/people").text
    assert "Łukasz Wiśniewski" in page and "Lukasz Wisniewski" in page
    assert "the same name spelled differently" in page and "1 pair" in page
    organisations = client.get("/duplicates/organisations").text
    assert "short name is the other" in organisations and "Polska Akcja Humanitarna" in organisations

    response = post(client, f"/duplicates/people/{first.id}/{second.id}/dismiss")
    assert response.status_code == 302
    page = client.get("/duplicates/people").text
    assert "No likely duplicates." in page and "/people/" not in page.split("role=\"status\"")[-1]


def test_dismissing_needs_the_csrf_token(app, client, coordinator):
    with app.app_context():
        first, second = factories.committed(factories.person("Anna", "Nowak"), factories.person("Anna", "Nowak"))
    assert client.post(f"/duplicates/people/{first.id}/{second.id}/dismiss").status_code == 400


# Not making them: a new person who likely exists is shown first; a walk-in submitted twice is one person

def new_person(**values) -> dict:
    return {"first_name": "Olena", "last_name": "Szewczenko", "email": "", "phone": "", "town": "", **values}


def people_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


@pytest.mark.parametrize("values", [{}, {"first_name": "Szewczenko", "last_name": "Ołena"},
                                    {"first_name": "Ola", "email": "olena@example.org"},
                                    {"first_name": "Ola", "last_name": "S.", "phone": "+48 601 234 567"}])
def test_a_new_person_who_likely_exists_is_shown_first(app, client, coordinator, values):
    with app.app_context():
        twin = factories.person("Ołena", "Szewczenko", email="olena@example.org", phone="601-234-567")
        factories.affiliation(twin, factories.organisation("Fundacja X"))
        twin_id = factories.committed(twin).id

    response = post(client, "/people/new", new_person(**values))

    assert response.status_code == (422 if values.get("email") else 409)  # the e-mail address is taken, too
    assert "Is this Ołena Szewczenko of Fundacja X?" in response.text
    assert f'href="/people/{twin_id}"' in response.text and 'name="create_anyway"' in response.text
    assert people_count(app) == 1


def test_a_new_person_is_created_anyway_when_confirmed(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.person("Ołena", "Szewczenko"))
    response = post(client, "/people/new", new_person(create_anyway="y"))
    assert response.status_code == 302
    assert people_count(app) == 2


def test_a_new_person_with_no_likely_twin_is_created_at_once(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.person("Ołena", "Kowalenko"))
    assert post(client, "/people/new", new_person()).status_code == 302
    assert people_count(app) == 2


@pytest.fixture
def edition(app):
    with app.app_context():
        return factories.committed(factories.edition(3, date(2023, 5, 18), date(2023, 5, 19)))


def walk_in(**values) -> dict:
    return {"first_name": "Oksana", "last_name": "Szewczenko", "email": "", "role": "guest", "day": "2023-05-19",
            "q": "", **values}


@pytest.mark.parametrize("email", ["", "oksana@example.org"])
def test_a_walk_in_submitted_twice_is_one_person_checked_in(app, client, coordinator, edition, email):
    first = post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in(email=email))
    again = post(client, f"/editions/{edition.id}/checkin/walk-in",
                 walk_in(email=email.upper(), first_name="OKSANA", day="2023-05-18"))
    assert first.status_code == again.status_code == 302
    assert "Oksana Szewczenko was added a moment ago: checked in" in client.get(again.location).text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
        participation = db.session.scalar(sa.select(Participation))
        assert [attendance.day for attendance in participation.days_attended] == [date(2023, 5, 18), date(2023, 5, 19)]


def test_a_walk_in_namesake_not_at_this_edition_is_a_new_person(app, client, coordinator, edition):
    with app.app_context():
        factories.committed(factories.person("Oksana", "Szewczenko"))
    assert post(client, f"/editions/{edition.id}/checkin/walk-in", walk_in()).status_code == 302
    assert people_count(app) == 2
