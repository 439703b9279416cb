"""The review feed's states (issue 16): each editor's or member's change is to review, accepted or reverted, with
who and when; accepting one or all shown; the default shows those to review; reverting twice is refused."""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Organisation, Role
from tests import factories
from tests.conftest import csrf_token


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def as_user(client, login, email):
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(SimpleNamespace(email=email))


def flashed(html: str) -> list[str]:
    return [" ".join(text.split()) for text in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)]


def profile_data(app, organisation_id, **values):
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        data = {"name": organisation.name, "short_name": "", "town": "", "town_voivodeship": "", "krs": "",
                "nip": "", "website": "", "email": "", "phone": "", "description": "", "areas": "",
                "version": str(organisation.version)}
    return {**data, **values}


@pytest.fixture
def feed(app, client, login):
    """Fundacja Alfa's editor made two edits (phone, then description); the coordinator is logged in."""
    with app.app_context():
        alfa = factories.organisation("Fundacja Alfa")
        factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=alfa)
        factories.user(Role.COORDINATOR, email="k@example.org")
        factories.committed(alfa)
        alfa_id = alfa.id
    login(SimpleNamespace(email="redaktor@example.org"))
    post(client, f"/organisations/{alfa_id}/edit", profile_data(app, alfa_id, phone="+48 81 111 11 11"))
    post(client, f"/organisations/{alfa_id}/edit", profile_data(app, alfa_id, phone="+48 81 111 11 11",
                                                                 description="Pomagamy."))
    as_user(client, login, "k@example.org")
    with app.app_context():
        ids = db.session.scalars(sa.select(ChangeLogEntry.id).order_by(ChangeLogEntry.id)).all()
    return SimpleNamespace(alfa=alfa_id, phone=ids[0], description=ids[1])


def states(app) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(ChangeLogEntry.id, ChangeLogEntry.review_state,
                                            ChangeLogEntry.reviewed_by_id.is_not(None),
                                            ChangeLogEntry.reviewed_at.is_not(None)))
        return {entry_id: (state, by, at) for entry_id, state, by, at in rows}


def test_an_editor_s_changes_wait_for_review_and_the_coordinator_s_own_do_not(app, client, feed):
    assert states(app) == {feed.phone: ("to_review", False, False), feed.description: ("to_review", False, False)}
    post(client, f"/organisations/{feed.alfa}/edit", profile_data(app, feed.alfa, phone="+48 81 222 22 22",
                                                                  description="Pomagamy.", sector="ngo"))
    own = max(states(app))
    assert states(app)[own] == (None, False, False)
    html = client.get("/changes/review").text
    assert "2 zmiany" in html and f"/changes/review/{own}/" not in html
    assert html.count(">Zaakceptuj<") == 2


def test_accepting_one_records_who_and_when_and_takes_it_off_the_default_feed(app, client, feed):
    response = post(client, f"/changes/review/{feed.phone}/accept")
    assert response.status_code == 302 and response.location == "/changes/review"
    assert "Zaakceptowano: Fundacja Alfa." in flashed(client.get(response.location).text)
    assert states(app)[feed.phone] == ("accepted", True, True)
    default = client.get("/changes/review").text
    assert f"/changes/review/{feed.phone}/" not in default and f"/changes/review/{feed.description}/accept" in default
    accepted = client.get("/changes/review?state=accepted").text
    assert re.search(r"Zaakceptowane: k@example.org, \d{1,2} \w+ \d{4}, \d\d:\d\d", " ".join(accepted.split()))
    assert f"/changes/review/{feed.phone}/revert" in accepted  # an accepted change may still be reverted
    again = post(client, f"/changes/review/{feed.phone}/accept")
    assert "Ta zmiana nie czeka już na przejrzenie." in flashed(client.get(again.location).text)


def test_accepting_all_shown_accepts_only_those_the_page_showed(app, client, feed):
    page = client.get("/changes/review?page=1").text
    shown = re.search(r'name="entry_ids" type="hidden" value="([^"]+)"', page).group(1)
    assert sorted(map(int, shown.split(","))) == [feed.phone, feed.description]
    assert "Zaakceptuj wszystkie 2 pokazane zmiany" in page
    post(client, f"/organisations/{feed.alfa}/archive")  # the coordinator's own change: not in the feed
    response = post(client, "/changes/review/accept?state=to_review", {"entry_ids": shown})
    assert response.location == "/changes/review?state=to_review"
    assert "Zaakceptowano 2 zmiany." in flashed(client.get(response.location).text)
    assert {state for state, *_ in states(app).values() if state} == {"accepted"}
    assert "Nic nie czeka na przejrzenie." in client.get("/changes/review").text
    assert 'class="menu-count"' not in client.get("/").text


@pytest.mark.parametrize("entry_ids", ["", "1,x", "1;2", ",".join(["1"] * 101)])
def test_accepting_all_shown_refuses_a_tampered_list(app, client, feed, entry_ids):
    response = post(client, "/changes/review/accept", {"entry_ids": entry_ids})
    assert "Niczego nie zaakceptowano: odśwież stronę i spróbuj ponownie." in flashed(
        client.get(response.location).text)
    assert {state for state, *_ in states(app).values()} == {"to_review"}


def test_accepting_needs_the_csrf_token(app, client, feed):
    client.post(f"/changes/review/{feed.phone}/accept")
    client.post("/changes/review/accept", data={"entry_ids": str(feed.phone)})
    assert states(app)[feed.phone][0] == "to_review"


def test_reverting_marks_the_change_reverted_and_a_second_revert_says_already_reverted(app, client, feed):
    response = post(client, f"/changes/review/{feed.description}/revert?state=all")
    assert response.location == "/changes/review?state=all"
    assert states(app)[feed.description] == ("reverted", True, True)
    everything = client.get("/changes/review?state=all").text
    assert f"/changes/review/{feed.description}/revert" not in everything
    assert f"/changes/review/{feed.description}/accept" not in everything
    assert "Cofnięte: k@example.org" in everything
    again = post(client, f"/changes/review/{feed.description}/revert")
    [message] = flashed(client.get(again.location).text)
    assert message.startswith("Ta zmiana jest już cofnięta (k@example.org, ")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(ChangeLogEntry.action == "reverted")) == 1


def test_the_filter_shows_each_state_and_ignores_nonsense(app, client, feed):
    post(client, f"/changes/review/{feed.phone}/accept")
    post(client, f"/changes/review/{feed.description}/revert")
    assert "1 zmiana" in client.get("/changes/review?state=accepted").text
    assert "1 zmiana" in client.get("/changes/review?state=reverted").text
    assert "2 zmiany" in client.get("/changes/review?state=all").text
    assert "Nic nie czeka na przejrzenie." in client.get("/changes/review?state=nonsense").text
    assert post(client, f"/changes/review/{feed.phone}/accept?state=nonsense").location == "/changes/review"


def test_approving_an_e_mail_address_accepts_the_change(app, client, login):
    with app.app_context():
        alfa = factories.organisation("Fundacja Alfa")
        anna = factories.person("Anna", "Kowalska", email="anna@example.org")
        factories.affiliation(anna, alfa)
        factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=alfa)
        factories.user(Role.COORDINATOR, email="k@example.org")
        factories.committed(alfa, anna)
        anna_id, version = anna.id, anna.version
    login(SimpleNamespace(email="redaktor@example.org"))
    post(client, f"/people/{anna_id}/edit", {"first_name": "Anna", "last_name": "Kowalska", "email": "a@example.org",
                                             "phone": "", "town": "", "town_voivodeship": "", "expertise": "",
                                             "version": str(version)})
    as_user(client, login, "k@example.org")
    [entry] = states(app)
    post(client, f"/changes/review/{entry}/approve-email")
    assert states(app)[entry] == ("accepted", True, True)
