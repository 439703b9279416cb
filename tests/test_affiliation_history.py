"""How moves between organisations are recorded: a move ends the old affiliation the day before, an
affiliation can be ended or removed by hand, and the person's change log records each step."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Affiliation, ChangeLogEntry
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def coordinator(app, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


@pytest.fixture
def anna(app):
    """Anna Nowak, at Fundacja Stara since 2020 (her main organisation); Stowarzyszenie Nowe exists too."""
    with app.app_context():
        person = factories.person("Anna", "Nowak")
        old = factories.organisation("Fundacja Stara")
        new = factories.organisation("Stowarzyszenie Nowe", short_name="SN")
        affiliation = factories.affiliation(person, old, role_title="księgowa", started_on=date(2020, 1, 1),
                                            is_primary=True)
        factories.committed(person, old, new, affiliation)
        return {"person": person.id, "old": old.id, "new": new.id, "affiliation": affiliation.id}


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def log(app) -> list[tuple[str, dict]]:
    """(action, changes) of the change log, oldest first."""
    with app.app_context():
        return [(entry.action, entry.changes)
                for entry in db.session.scalars(sa.select(ChangeLogEntry).order_by(ChangeLogEntry.id))]


def affiliations(app) -> list[tuple[str, date | None, date | None, bool]]:
    with app.app_context():
        return [(row.organisation.name, row.started_on, row.ended_on, row.is_primary)
                for row in db.session.scalars(sa.select(Affiliation).order_by(Affiliation.id))]


def rows_of(page: str, name: str) -> list[str]:
    """The table rows of a page that name `name` (each row's HTML)."""
    return [row for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if name in row]


def test_a_move_ends_the_old_affiliation_the_day_before_and_logs_both(app, client, coordinator, anna):
    response = post(client, f"/people/{anna['person']}/affiliations", {
        "organisation": "SN", "role_title": "prezeska", "started_on": "2024-02-01", "ended_on": "",
        "is_primary": "y", "replaces_current": "y"})
    assert response.status_code == 302
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), date(2024, 1, 31), False),
                                 ("Stowarzyszenie Nowe", date(2024, 2, 1), None, True)]
    assert log(app) == [
        ("affiliation_updated", {"organisation": ["Fundacja Stara", "Fundacja Stara"],
                                 "ended_on": [None, "2024-01-31"], "is_primary": [True, False]}),
        ("affiliation_added", {"organisation": [None, "Stowarzyszenie Nowe"], "role_title": [None, "prezeska"],
                               "started_on": [None, "2024-02-01"], "is_primary": [None, True]}),
    ]
    person_page = client.get(f"/people/{anna['person']}").text
    [old_row] = rows_of(person_page, "Fundacja Stara")
    [new_row] = rows_of(person_page, "Stowarzyszenie Nowe")
    assert 'class="former"' in old_row and "dawniej" in old_row and "31 stycznia 2024" in old_row
    assert "former" not in new_row and "główna" in new_row
    assert "Zakończ" not in old_row and "Zakończ" in new_row  # an ended affiliation cannot be ended again
    assert "zmieniono afiliację" in person_page and "dodano afiliację" in person_page
    [former_row] = rows_of(client.get(f"/organisations/{anna['old']}").text, "Anna Nowak")
    [current_row] = rows_of(client.get(f"/organisations/{anna['new']}").text, "Anna Nowak")
    assert "dawniej" in former_row and "księgowa" in former_row
    assert "dawniej" not in current_row and "prezeska" in current_row


def test_a_move_leaves_affiliations_that_ended_before_it_alone(app, client, coordinator, anna):
    with app.app_context():
        db.session.get(Affiliation, anna["affiliation"]).ended_on = date(2022, 12, 31)
        db.session.commit()
    post(client, f"/people/{anna['person']}/affiliations", {
        "organisation": "SN", "started_on": "2024-02-01", "is_primary": "y", "replaces_current": "y"})
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), date(2022, 12, 31), False),
                                 ("Stowarzyszenie Nowe", date(2024, 2, 1), None, True)]
    assert [action for action, _ in log(app)] == ["affiliation_updated", "affiliation_added"]
    assert log(app)[0][1] == {"organisation": ["Fundacja Stara", "Fundacja Stara"], "is_primary": [True, False]}


def test_a_second_affiliation_without_a_move_keeps_the_first_current(app, client, coordinator, anna):
    post(client, f"/people/{anna['person']}/affiliations", {"organisation": "SN", "started_on": "2024-02-01"})
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), None, True),
                                 ("Stowarzyszenie Nowe", date(2024, 2, 1), None, False)]
    assert [action for action, _ in log(app)] == ["affiliation_added"]


def test_a_move_needs_its_date(app, client, coordinator, anna):
    response = post(client, f"/people/{anna['person']}/affiliations", {"organisation": "SN", "replaces_current": "y"})
    assert response.status_code == 422
    assert "Podaj datę przejścia (Od), aby zakończyć obecne afiliacje." in response.text
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), None, True)] and log(app) == []


def test_ending_an_affiliation_by_hand(app, client, coordinator, anna):
    url = f"/people/{anna['person']}/affiliations/{anna['affiliation']}/end"
    form = client.get(url)
    assert form.status_code == 200 and "Anna Nowak" in form.text and "Fundacja Stara" in form.text
    response = post(client, url, {"ended_on": "2023-06-30"})
    assert response.status_code == 302 and response.location == f"/people/{anna['person']}"
    assert "Zakończono afiliację." in client.get(response.location).text
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), date(2023, 6, 30), True)]
    assert log(app) == [("affiliation_updated", {"organisation": ["Fundacja Stara", "Fundacja Stara"],
                                                 "ended_on": [None, "2023-06-30"]})]
    [row] = rows_of(client.get(f"/organisations/{anna['old']}").text, "Anna Nowak")
    assert "dawniej" in row and "30 czerwca 2023" in row


def test_an_affiliation_ending_in_the_future_is_still_current(app, client, coordinator, anna):
    later = date.today() + timedelta(days=30)
    post(client, f"/people/{anna['person']}/affiliations/{anna['affiliation']}/end", {"ended_on": later.isoformat()})
    assert affiliations(app)[0][2] == later
    [row] = rows_of(client.get(f"/people/{anna['person']}").text, "Fundacja Stara")
    assert "dawniej" not in row


@pytest.mark.parametrize("ended_on, message", [
    ("2019-12-31", "Data końcowa nie może być wcześniejsza niż początkowa."),
    ("", "To pole jest wymagane."),
])
def test_ending_refuses_a_missing_or_early_date(app, client, coordinator, anna, ended_on, message):
    response = post(client, f"/people/{anna['person']}/affiliations/{anna['affiliation']}/end", {"ended_on": ended_on})
    assert response.status_code == 422 and message in response.text
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), None, True)] and log(app) == []


def test_ending_on_the_day_it_started_is_allowed(app, client, coordinator, anna):
    response = post(client, f"/people/{anna['person']}/affiliations/{anna['affiliation']}/end",
                    {"ended_on": "2020-01-01"})
    assert response.status_code == 302
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), date(2020, 1, 1), True)]


def test_removing_an_affiliation_asks_first_and_is_logged(app, client, coordinator, anna):
    url = f"/people/{anna['person']}/affiliations/{anna['affiliation']}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Usunąć afiliację?" in confirm.text and "Fundacja Stara" in confirm.text
    assert len(affiliations(app)) == 1  # asking removes nothing
    assert client.post(url, data={}).status_code == 400  # without the form's token: refused
    assert len(affiliations(app)) == 1
    response = post(client, url)
    assert response.status_code == 302 and response.location == f"/people/{anna['person']}"
    page = client.get(response.location).text
    assert "Usunięto afiliację." in page and "usunięto afiliację" in page
    assert affiliations(app) == []
    assert log(app) == [("affiliation_removed", {"organisation": ["Fundacja Stara", None],
                                                 "role_title": ["księgowa", None], "started_on": ["2020-01-01", None],
                                                 "is_primary": [True, None]})]
    assert "Anna Nowak" not in client.get(f"/organisations/{anna['old']}").text


def test_ending_or_removing_another_persons_affiliation_is_404(app, client, coordinator, anna):
    with app.app_context():
        other = factories.committed(factories.person("Jan", "Kowalski"))
    for action in ("end", "delete"):
        url = f"/people/{other.id}/affiliations/{anna['affiliation']}/{action}"
        assert post(client, url, {"ended_on": "2023-06-30"}).status_code == 404
    assert affiliations(app) == [("Fundacja Stara", date(2020, 1, 1), None, True)] and log(app) == []
