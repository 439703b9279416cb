"""Calendars: the public editions calendar, and each member's own at a secret address that can be renewed."""

import re
from datetime import date

from forum_crm.calendars import CalendarEvent, calendar_text
from forum_crm.extensions import db
from forum_crm.models import Origin, ParticipationStatus, Role, User
from forum_crm.public.personal_calendar import calendar_token
from tests import factories
from tests.conftest import csrf_token


def events(text: str) -> list[str]:
    """The SUMMARY of each event, unfolded and unescaped."""
    unfolded = text.replace("\r\n ", "")
    return [re.sub(r"\\(.)", r"\1", line[len("SUMMARY:"):]) for line in unfolded.split("\r\n")
            if line.startswith("SUMMARY:")]


def test_calendar_text_escapes_and_folds_lines(app):
    with app.test_request_context():
        text = calendar_text("Forum", [CalendarEvent("edition-1@example.org", date(2023, 5, 18), date(2023, 5, 19),
                                                     "I Forum: razem; dalej, " + "ż" * 60, "Aula\nUMCS")])
    lines = text.split("\r\n")
    assert text.endswith("END:VCALENDAR\r\n") and all(len(line.encode()) <= 75 for line in lines)
    assert "DTSTART;VALUE=DATE:20230518" in lines and "DTEND;VALUE=DATE:20230520" in lines  # the end is exclusive
    assert "LOCATION:Aula\\nUMCS" in lines
    assert events(text) == ["I Forum: razem; dalej, " + "ż" * 60]


def test_the_public_calendar_has_only_public_real_editions(client, app):
    with app.app_context():
        factories.edition(1, is_public=True, theme="Razem", locality=factories.locality())
        factories.edition(2)
        factories.edition(101, is_public=True, origin=Origin.DEMO)
        db.session.commit()
    response = client.get("/public/editions.ics")
    assert response.mimetype == "text/calendar"
    assert events(response.text) == ["I Forum: Razem"]
    assert "LOCATION:Lublin" in response.text


def test_a_member_subscribes_to_their_own_calendar_and_can_renew_its_address(client, login, app):
    with app.app_context():
        person = factories.person("Maria", "Członkini")
        for number, status in ((1, ParticipationStatus.ATTENDED), (2, ParticipationStatus.REGISTERED),
                               (3, ParticipationStatus.INVITED), (4, ParticipationStatus.CANCELLED)):
            factories.participation(factories.edition(number), person, status=status)
        member = factories.committed(factories.user(Role.MEMBER, person=person))
    login(member)
    profile = client.get("/me").text
    address = re.search(r'value="(http://127\.0\.0\.1:5000/public/calendar/[^"]+\.ics)"', profile).group(1)
    path = address.removeprefix("http://127.0.0.1:5000")
    calendar = client.get(path)
    assert calendar.status_code == 200 and events(calendar.text) == ["I Forum", "II Forum"]
    assert calendar.headers["Cache-Control"] == "private, no-cache"

    client.post("/me/calendar/renew", data={"csrf_token": csrf_token(client, "/me")})
    assert client.get(path).status_code == 404
    renewed = re.search(r'value="http://127\.0\.0\.1:5000(/public/calendar/[^"]+\.ics)"', client.get("/me").text)
    assert renewed.group(1) != path and client.get(renewed.group(1)).status_code == 200


def test_forged_and_closed_calendar_addresses_are_not_found(client, app):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER, person=factories.person()))
        token, member_id = calendar_token(member), member.id
        without_person = calendar_token(factories.committed(factories.user(Role.COORDINATOR)))
    assert client.get(f"/public/calendar/{token}.ics").status_code == 200
    assert client.get(f"/public/calendar/{token[:-2]}xx.ics").status_code == 404
    assert client.get("/public/calendar/WzEsIDBd.ics").status_code == 404
    assert client.get(f"/public/calendar/{without_person}.ics").status_code == 404
    with app.app_context():
        db.session.get(User, member_id).active = False
        db.session.commit()
    assert client.get(f"/public/calendar/{token}.ics").status_code == 404
