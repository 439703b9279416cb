"""The door made for a phone: check-in answered as JSON to the page's script (and still redirected for plain forms),
double taps, the day remembered on the device, name badges with a signed QR token, and check-in by a scanned badge
(genuine, altered, another edition's, someone removed)."""

import re

import pytest
import segno
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from forum_crm.editions.badges import BADGE_SALT, BadgeRefused, badge_token, participation_id_of, qr_svg
from forum_crm.editions.checkin_routes import DAY_COOKIE
from forum_crm.editions.participation_queries import today
from forum_crm.extensions import db
from forum_crm.models import Participation, ParticipationStatus, Person, Role
from tests import factories, test_participation
from tests.conftest import TEST_SECRET, csrf_token
from tests.test_events import count, post
from tests.test_participation import DAY_1, DAY_2, checkin_form, state, walk_in

coordinator, edition, door = test_participation.coordinator, test_participation.edition, test_participation.door

JSON = {"Accept": "application/json"}


def post_json(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data}, headers=JSON)


# Check-in without a page reload

def test_a_tap_answers_json_with_the_message_and_the_days_count(app, client, coordinator, edition, door):
    url = f"/editions/{edition.id}/checkin/{door['zaneta']}"
    response = post_json(client, url, checkin_form(DAY_1, ""))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {"ok": True, "added": True, "count": 1,
                             "message": "Checked in: Żaneta Ślęzak, Thursday, 18 May 2023.",
                             "tally": "1 person checked in on this day"}
    jan = post_json(client, f"/editions/{edition.id}/checkin/{door['jan']}", checkin_form(DAY_1, "")).json
    assert jan["count"] == 2 and jan["tally"] == "2 people checked in on this day"


def test_a_double_tap_checks_in_once(app, client, coordinator, edition, door):
    url = f"/editions/{edition.id}/checkin/{door['jan']}"
    first = post_json(client, url, checkin_form(DAY_1, ""))
    before = state(app)
    second = post_json(client, url, checkin_form(DAY_1, ""))
    assert first.json["added"] is True and second.status_code == 200
    assert second.json["added"] is False and second.json["count"] == 1
    assert second.json["message"] == "Jan Ślęzak was already checked in on Thursday, 18 May 2023."
    assert state(app) == before  # no second participation, check-in or log entry


def test_a_refused_tap_answers_json_and_saves_nothing(app, client, coordinator, edition, door):
    before = state(app)
    response = post_json(client, f"/editions/{edition.id}/checkin/{door['zaneta']}", {"day": "2023-05-20"})
    assert response.status_code == 422
    assert response.json == {"ok": False, "message": "Choose one of the days of this edition."}
    assert state(app) == before


def test_undo_answers_json(app, client, coordinator, edition, door):
    url = f"/editions/{edition.id}/checkin/{door['zaneta']}"
    post_json(client, url, checkin_form(DAY_2, ""))
    undone = post_json(client, f"{url}/undo", checkin_form(DAY_2, "")).json
    assert undone["ok"] and undone["count"] == 0 and undone["message"].startswith("Check-in undone: Żaneta Ślęzak")


def test_a_plain_form_still_redirects_and_leaves_the_search_box_empty(app, client, coordinator, edition, door):
    response = post(client, f"/editions/{edition.id}/checkin/{door['zaneta']}", checkin_form(DAY_1))
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}/checkin?day=2023-05-18"
    page = client.get(response.location).text
    assert 'id="checkin-q" name="q" value=""' in page and "autofocus" in page
    assert "1 person checked in on this day" in page and "Last checked in" in page


def test_a_walk_in_answers_json_and_a_double_submit_adds_one_person(app, client, coordinator, edition):
    url = f"/editions/{edition.id}/checkin/walk-in"
    first = post_json(client, url, walk_in())
    second = post_json(client, url, walk_in())
    assert first.json["ok"] and first.json["added"] is True and first.json["count"] == 1
    assert second.json["ok"] and second.json["added"] is False and second.json["count"] == 1
    assert second.json["message"] == "Oksana Szewczenko was added a moment ago: checked in, Friday, 19 May 2023."
    with app.app_context():
        assert count(Person) == 1 and count(Participation) == 1


def test_a_refused_walk_in_answers_json_with_every_reason(app, client, coordinator, edition):
    before = state(app)
    response = post_json(client, f"/editions/{edition.id}/checkin/walk-in",
                         walk_in(first_name="", email="not-an-email"))
    assert response.status_code == 422 and response.json["ok"] is False
    assert response.json["message"] == "First name: This field is required. E-mail: Invalid email address."
    assert state(app) == before


def test_a_missing_csrf_token_is_refused(app, client, coordinator, edition, door):
    before = state(app)
    response = client.post(f"/editions/{edition.id}/checkin/{door['jan']}", data=checkin_form(DAY_1, ""),
                           headers=JSON)
    assert response.status_code == 400 and state(app) == before


# The day, chosen once per device

def today_text(app) -> str:
    with app.test_request_context():
        return today().isoformat()


def test_the_day_chosen_is_remembered_on_the_device_for_the_day(app, client, coordinator, edition):
    client.get(f"/editions/{edition.id}/checkin?day=2023-05-19")
    cookie = client.get_cookie(DAY_COOKIE, path=f"/editions/{edition.id}/checkin")
    assert cookie.value == f"2023-05-19/{today_text(app)}" and cookie.http_only
    html = client.get(f"/editions/{edition.id}/checkin").text
    assert re.search(r'value="2023-05-19" checked', html) and '<details class="card day-choice">' in html


def test_a_remembered_day_from_another_day_or_not_of_the_edition_is_not_used(app, client, coordinator, edition):
    path = f"/editions/{edition.id}/checkin"
    client.set_cookie(DAY_COOKIE, "2023-05-19/2001-01-01", path=path)
    assert re.search(r'value="2023-05-18" checked', client.get(path).text)
    client.set_cookie(DAY_COOKIE, f"2023-05-25/{today_text(app)}", path=path)
    html = client.get(path).text  # the edition's dates changed since: its first day, and no error
    assert re.search(r'value="2023-05-18" checked', html) and "Choose one of the days of this edition." not in html
    client.get(f"{path}?day=2023-05-25")  # not a day of the edition: not remembered
    assert client.get_cookie(DAY_COOKIE, path=path).value == f"2023-05-25/{today_text(app)}"


# Badges

@pytest.fixture
def listed(app, edition):
    """Three people on the list of the III Forum (one cancelled, one anonymised) and one at another edition."""
    with app.app_context():
        third = db.session.get(type(edition), edition.id)
        other_edition = factories.edition(4)
        most = factories.organisation("Stowarzyszenie Most")
        rows = {
            "zaneta": factories.participation(third, factories.person("Żaneta", "Ślęzak"), organisation=most,
                                              status=ParticipationStatus.REGISTERED),
            "piotr": factories.participation(third, factories.person("Piotr", "Nowak"),
                                             status=ParticipationStatus.CANCELLED),
            "gone": factories.participation(third, factories.person("Ukryta", "Osoba",
                                                                    anonymised_at=factories.datetime_now())),
            "elsewhere": factories.participation(other_edition, factories.person("Olga", "Inna")),
        }
        factories.committed(*rows.values())
        return {name: row.id for name, row in rows.items()}


def token_of(app, participation_id: int) -> str:
    with app.test_request_context():
        return badge_token(db.session.get(Participation, participation_id))


def test_badge_tokens_are_signed_and_bound_to_the_edition(app, listed, edition):
    token = token_of(app, listed["zaneta"])
    with app.test_request_context():
        assert participation_id_of(token, edition.id) == listed["zaneta"]
        assert str(listed["zaneta"]) != token and "Ślęzak" not in token
        with pytest.raises(BadgeRefused) as other:
            participation_id_of(token, edition.id + 1000)
        assert other.value.reason == "other_edition"
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), str(listed["zaneta"]), "", "x.y",
                    URLSafeSerializer("another-key", salt=BADGE_SALT).dumps([edition.id, listed["zaneta"]]),
                    URLSafeSerializer(TEST_SECRET, salt="something else").dumps([edition.id, listed["zaneta"]]),
                    URLSafeSerializer(TEST_SECRET, salt=BADGE_SALT).dumps({"id": listed["zaneta"]})):
            with pytest.raises(BadgeRefused) as refused:
                participation_id_of(bad, edition.id)
            assert refused.value.reason == "invalid"


def test_the_qr_code_is_inline_svg_that_encodes_the_token(app):
    svg = str(qr_svg("WzMsMTJd.signature"))
    assert svg.startswith("<svg") and "<?xml" not in svg and 'class="segno"' in svg
    assert segno.make_qr("WzMsMTJd.signature", error="m").svg_inline(scale=4, border=2, omitsize=True) == svg


def test_the_badge_sheets_show_name_organisation_and_qr_code(app, client, coordinator, edition, listed):
    html = client.get(f"/editions/{edition.id}/badges").text
    assert "Name badges: III Forum" in html and "2 badges" in html
    assert html.count('class="name-badge"') == 2 and html.count('class="badge-sheet"') == 1
    assert "Żaneta <span>Ślęzak</span>" in html and "Stowarzyszenie Most" in html and "Ukryta" not in html
    assert html.count("<svg") == 2 and "Olga" not in html
    registered = client.get(f"/editions/{edition.id}/badges?status=registered").text
    assert "1 badge" in registered and "Nowak" not in registered
    assert "there are no badges to print" in client.get(f"/editions/{edition.id}/badges?status=attended").text


def test_badge_sheets_hold_eight_badges_and_pages_hold_six_sheets(app, client, coordinator, edition):
    with app.app_context():
        third = db.session.get(type(edition), edition.id)
        for index in range(50):
            factories.participation(third, factories.person("Anna", f"Kowalska{index:02d}"))
        db.session.commit()
    first = client.get(f"/editions/{edition.id}/badges").text
    assert first.count('class="name-badge"') == 48 and first.count('class="badge-sheet"') == 6
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(f"/editions/{edition.id}/badges?page=2").text
    assert second.count('class="name-badge"') == 2 and "Kowalska49" in second


def test_a_scanned_badge_checks_the_person_in(app, client, coordinator, edition, listed):
    url = f"/editions/{edition.id}/checkin/badge"
    token = token_of(app, listed["zaneta"])
    answer = post_json(client, url, {"day": "2023-05-18", "token": token}).json
    assert answer == {"ok": True, "added": True, "count": 1, "tally": "1 person checked in on this day",
                      "message": "Checked in: Żaneta Ślęzak, Thursday, 18 May 2023."}
    again = post_json(client, url, {"day": "2023-05-18", "token": f"  {token}\n"}).json
    assert again["added"] is False and again["count"] == 1
    plain = post(client, url, {"day": "2023-05-19", "token": token})
    assert plain.status_code == 302 and "Checked in: Żaneta Ślęzak" in client.get(plain.location).text


@pytest.mark.parametrize(("which", "message"), [
    ("tampered", "This code is not a badge of this forum, or it has been altered."),
    ("raw id", "This code is not a badge of this forum, or it has been altered."),
    ("elsewhere", "This badge is for another edition of the Forum."),
    ("gone", "The person on this badge is no longer on the list of this edition."),
    ("removed", "The person on this badge is no longer on the list of this edition."),
    ("empty", "This field is required."),
])
def test_a_wrong_badge_says_why_and_saves_nothing(app, client, coordinator, edition, listed, which, message):
    tokens = {"tampered": token_of(app, listed["zaneta"]).replace(".", ".x", 1), "raw id": str(listed["zaneta"]),
              "elsewhere": token_of(app, listed["elsewhere"]), "gone": token_of(app, listed["gone"]),
              "removed": token_of(app, listed["piotr"]), "empty": ""}
    if which == "removed":
        with app.app_context():
            db.session.execute(sa.delete(Participation).where(Participation.id == listed["piotr"]))
            db.session.commit()
    before = state(app)
    url = f"/editions/{edition.id}/checkin/badge"
    response = post_json(client, url, {"day": "2023-05-18", "token": tokens[which]})
    assert response.status_code == 422 and response.json == {"ok": False, "message": message}
    page = post(client, url, {"day": "2023-05-18", "token": tokens[which]})
    assert page.status_code == 422 and "Check-in: III Forum" in page.text
    assert state(app) == before


def test_a_badge_in_polish_says_so_in_polish(app, client, login, edition, listed):
    with app.app_context():
        user = factories.committed(factories.user(Role.COORDINATOR))
    login(user)
    url = f"/editions/{edition.id}/checkin/badge"
    tampered = token_of(app, listed["zaneta"])[:-3] + "abc"
    answer = post_json(client, url, {"day": "2023-05-18", "token": tampered}).json
    assert answer["message"] == "To nie jest identyfikator tego forum albo kod został zmieniony."
    elsewhere = post_json(client, url, {"day": "2023-05-18", "token": token_of(app, listed["elsewhere"])}).json
    assert elsewhere["message"] == "Ten identyfikator jest z innej edycji Forum."


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_only_the_coordinator_prints_badges_or_scans_them(app, client, login, edition, listed, role):
    with app.app_context():
        user = factories.committed(factories.user(role, organisation=factories.organisation()
                                                  if role == Role.ORG_EDITOR else None))
    login(user)
    before = state(app)
    assert client.get(f"/editions/{edition.id}/badges").status_code == 403
    response = post_json(client, f"/editions/{edition.id}/checkin/badge",
                         {"day": "2023-05-18", "token": token_of(app, listed["zaneta"])})
    assert response.status_code == 403 and state(app) == before
