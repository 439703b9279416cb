"""Registration for an edition through the test client, with a real local SMTP server: the coordinator opens
registration and sends invitations, people answer through their personal links (each link one answer), get a
confirmation with the programme and an .ics file, join the waiting list when the edition is full, move up when
someone cancels, and get one reminder before the edition; members register from the edition's page."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    EditionRegistration,
    MessageKind,
    OutboxMessage,
    Participation,
    ParticipationStatus,
    ProgrammeItem,
    ProgrammeKind,
    Registration,
    Role,
)
from tests import factories
from tests.conftest import csrf_token
from tests.test_outbox import smtp  # noqa: F401 (the fixture)

LINK = re.compile(r"http://127\.0\.0\.1:5000(/registration/[A-Za-z0-9._-]+)")


def soon(days: int = 20) -> tuple[date, date]:
    start = date.today() + timedelta(days=days)
    return start, start + timedelta(days=1)


def make_edition(app, capacity: int | None = None, people: int = 3, open_registration: bool = True, days: int = 20):
    """An edition in `days` days with a programme, `people` invited people, and a coordinator."""
    with app.app_context():
        start, end = soon(days)
        edition = factories.edition(7, start, end, venue="Centrum Kultury", locality=factories.locality())
        db.session.add(ProgrammeItem(edition=edition, day=start, kind=ProgrammeKind.PANEL, title="Panel o pracy"))
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        invited = []
        for number in range(people):
            person = factories.person(f"Osoba{number}", email=f"osoba{number}@example.org")
            invited.append(factories.participation(edition, person, status=ParticipationStatus.INVITED))
        if open_registration:
            db.session.add(EditionRegistration(edition=edition, opens_on=date.today() - timedelta(days=1),
                                               closes_on=start - timedelta(days=1), capacity=capacity,
                                               free_question="Który warsztat?", reminder_days=3))
        factories.committed(edition, coordinator, *invited)
        return edition.id, coordinator, [participation.id for participation in invited]


def send_mail(app):
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    return result


def links_in(messages, recipient: str) -> list[str]:
    return [LINK.search(message.get_body(("plain",)).get_content()).group(1)
            for message in messages if message["To"] == recipient]


def answer(client, link: str, **values):
    data = {"coming": "yes", "days": [], "csrf_token": csrf_token(client, link)}
    data.update(values)
    return client.post(link, data=data)


def status_of(app, participation_id: int) -> tuple[ParticipationStatus, int | None]:
    with app.app_context():
        participation = db.session.get(Participation, participation_id)
        registration = participation.registration
        return participation.status, registration.waiting_number if registration else None


def test_the_whole_flow_invite_answer_confirm_wait_cancel_move_up_remind(app, client, login, smtp):  # noqa: F811
    edition_id, coordinator, (first, second, third) = make_edition(app, capacity=1)
    start, end = soon()
    login(coordinator)
    page = client.get(f"/registration/editions/{edition_id}")
    assert page.status_code == 200 and "Wyślij formularz do 3 zaproszonych osób" in page.text
    response = client.post(f"/registration/editions/{edition_id}/invitations",
                           data={"csrf_token": csrf_token(client, f"/registration/editions/{edition_id}")})
    assert response.status_code == 302
    send_mail(app)
    assert sorted(message["To"] for message in smtp.messages) == [f"osoba{n}@example.org" for n in range(3)]
    assert all("zaproszenie" in message["Subject"] for message in smtp.messages)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    # The first person answers through the link: registered, with the answers stored.
    visitor = app.test_client()
    [link] = links_in(smtp.messages, "osoba0@example.org")
    page = visitor.get(link)
    assert page.status_code == 200 and "Który warsztat?" in page.text and "Panel o pracy" in page.text
    response = answer(visitor, link, days=[start.isoformat(), end.isoformat()],
                      nights=[(start - timedelta(days=1)).isoformat()], travel_from="Lublin", refund_needed="y",
                      dietary_needs="wegetariańska", photo_consent="y", free_answer="Warsztat B")
    assert response.status_code == 302
    assert status_of(app, first) == (ParticipationStatus.REGISTERED, None)
    assert "Jesteś zapisana/y." in visitor.get(response.location).text
    with app.app_context():
        registration = db.session.get(Registration, first)
        assert registration.travel_from == "Lublin" and registration.refund_needed and registration.photo_consent
        assert registration.free_answer == "Warsztat B" and len(registration.choices) == 3
    # The link is used up: it cannot replay that answer, and says so with a way to ask for a new one.
    replay = answer(visitor, link, days=[start.isoformat()])
    assert replay.status_code == 404 and "/registration/new-link" in replay.text
    assert "już użyty" in replay.text

    smtp.messages.clear()
    send_mail(app)
    [confirmation] = smtp.messages
    assert confirmation["To"] == "osoba0@example.org" and "Panel o pracy" in confirmation.get_body(("plain",)).get_content()
    [ics] = [part for part in confirmation.iter_attachments()]
    assert ics.get_content_type() == "text/calendar"
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in calendar and f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}" in calendar
    [latest_first] = links_in(smtp.messages, "osoba0@example.org")

    # The edition is full: the second person is on the waiting list, place 1; the third, place 2.
    [link_second] = [link for link in LINK.findall(_bodies(app, "osoba1@example.org"))]
    response = answer(app.test_client(), link_second, days=[start.isoformat()])
    assert status_of(app, second)[0] == ParticipationStatus.INVITED and status_of(app, second)[1] is not None
    [link_third] = LINK.findall(_bodies(app, "osoba2@example.org"))
    third_client = app.test_client()
    response = answer(third_client, link_third, days=[end.isoformat()])
    assert "liście rezerwowej, miejsce 2" in third_client.get(response.location).text
    smtp.messages.clear()
    send_mail(app)
    assert {message["To"]: "miejsce 2" in message.get_body(("plain",)).get_content()
            for message in smtp.messages} == {"osoba1@example.org": False, "osoba2@example.org": True}

    # The first person cancels with the link of the latest e-mail: the second moves up and is told so.
    response = visitor.post(latest_first, data={"coming": "no", "csrf_token": csrf_token(visitor, latest_first)})
    assert response.status_code == 302
    assert status_of(app, first) == (ParticipationStatus.CANCELLED, None)
    assert status_of(app, second) == (ParticipationStatus.REGISTERED, None)
    assert status_of(app, third)[0] == ParticipationStatus.INVITED
    smtp.messages.clear()
    send_mail(app)
    moved = {message["To"]: message for message in smtp.messages}
    assert set(moved) == {"osoba0@example.org", "osoba1@example.org"}
    assert "listy rezerwowej" in moved["osoba1@example.org"].get_body(("plain",)).get_content()
    assert len(list(moved["osoba1@example.org"].iter_attachments())) == 1

    # The reminder: once the edition is within its reminder days, `send-mail` queues and sends it, once.
    smtp.messages.clear()
    send_mail(app)
    assert smtp.messages == []  # 20 days ahead: not due
    with app.app_context():
        db.session.execute(sa.update(EditionRegistration).values(reminder_days=25))
        db.session.commit()
    send_mail(app)
    send_mail(app)
    [reminder] = smtp.messages
    assert reminder["To"] == "osoba1@example.org" and "Panel o pracy" in reminder.get_body(("plain",)).get_content()
    with app.app_context():
        kinds = db.session.scalars(sa.select(OutboxMessage.kind).where(
            OutboxMessage.kind == MessageKind.REGISTRATION_REMINDER)).all()
        assert len(kinds) == 1
        actions = set(db.session.scalars(sa.select(ChangeLogEntry.action)))
        assert {"registered", "registration_cancelled", "moved_up_from_waiting_list"} <= actions


def _bodies(app, recipient: str) -> str:
    with app.app_context():
        return "\n".join(db.session.scalars(sa.select(OutboxMessage.text_body).where(
            OutboxMessage.recipient == recipient)))
