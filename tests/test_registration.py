"""Registration for an edition through the test client, with a real local SMTP server: the coordinator opens
registration and sends invitations, people answer through their personal links (each link one answer), get a
confirmation with the programme and an .ics file, join the waiting list when the edition is full, move up when
someone cancels, and get one reminder before the edition; members register from the edition's page."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    Edition,
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
from forum_crm.registration.emails import personal_link
from forum_crm.registration.queries import totals
from forum_crm.registration.services import Answers, accept, ensure_registration
from forum_crm.registration.tokens import personal_token
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
        assert registration.travel_from == "Lublin" and registration.refund_needed
        [consent] = db.session.scalars(sa.select(ConsentEvent)).all()  # with its history, from registration
        assert (consent.purpose, consent.given, consent.source) == (
            ConsentPurpose.PHOTOGRAPHS, True, ConsentSource.REGISTRATION)
        assert registration.participation.person.photo_consent_at is not None
        assert registration.free_answer == "Warsztat B" and len(registration.choices) == 3
    # The link is used up: it cannot replay that answer, and says so with a way to ask for a new one.
    replay = answer(visitor, link, days=[start.isoformat()])
    assert replay.status_code == 404 and "/registration/new-link" in replay.text
    assert "już użyty" in replay.text

    smtp.messages.clear()
    send_mail(app)
    [confirmation] = smtp.messages
    assert confirmation["To"] == "osoba0@example.org"
    assert "Panel o pracy" in confirmation.get_body(("plain",)).get_content()
    [ics] = [part for part in confirmation.iter_attachments()]
    assert ics.get_content_type() == "text/calendar"
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in calendar
    assert f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}" in calendar and "SUMMARY:" in calendar
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


def test_answers_flow_into_the_lists_the_export_and_the_check_in(app, client, login):
    edition_id, coordinator, (first, second, _third) = make_edition(app, capacity=1)
    start, end = soon()
    with app.test_request_context():
        links = [personal_link(ensure_registration(db.session.get(Participation, pid))) for pid in (first, second)]
        db.session.commit()
    answer(app.test_client(), links[0].removeprefix("http://127.0.0.1:5000"), days=[end.isoformat()],
           nights=[start.isoformat()], refund_needed="y", dietary_needs="bez glutenu", travel_from="Przemyśl")
    answer(app.test_client(), links[1].removeprefix("http://127.0.0.1:5000"), days=[start.isoformat()])
    login(coordinator)
    page = client.get(f"/registration/editions/{edition_id}/answers").text
    assert "bez glutenu" in page and "Przemyśl" in page and "Zwrot kosztów" in page
    assert "Jesteś na liście rezerwowej, miejsce 1." in page
    waiting = client.get(f"/registration/editions/{edition_id}/answers?state=waiting").text
    assert "Osoba1" in waiting and "Osoba0" not in waiting
    with app.test_request_context():
        numbers = totals(db.session.get(Edition, edition_id))
        assert (numbers.registered, numbers.waiting, numbers.refunds) == (1, 1, 1)
        assert numbers.per_day == [(start, 0, 0), (end, 1, 1)]
        assert numbers.per_night == [(start - timedelta(days=1), 0), (start, 1)]
    participants = client.get(f"/editions/{edition_id}/participants").text
    assert "Dieta: bez glutenu" in participants and "Lista rezerwowa" in participants
    checkin = client.get(f"/editions/{edition_id}/checkin?q=osoba0&day={end.isoformat()}").text
    assert "Dieta: bez glutenu" in checkin and "Zwrot kosztów" in checkin
    export = client.get(f"/registration/editions/{edition_id}/answers/export.csv")
    assert export.status_code == 200  # the password was typed at login, moments ago
    text = export.data.decode("utf-8-sig")
    export.close()
    header, *rows = text.splitlines()
    assert "Lista rezerwowa, miejsce" in header and f"noc {start.isoformat()}" in header
    by_name = {row.split(";")[0]: row for row in rows}
    assert "bez glutenu" in by_name["Osoba0"] and "tak" in by_name["Osoba0"] and "Przemyśl" in by_name["Osoba0"]
    assert by_name["Osoba1"].split(";")[6] == "1"


def test_a_member_registers_from_the_editions_page_and_cancels(app, client, login):
    edition_id, _coordinator, _invited = make_edition(app, capacity=5, people=0)
    start, _end = soon()
    with app.app_context():
        person = factories.person("Maria", "Członkini", email="maria@example.org")
        member, editor = factories.committed(
            factories.user(Role.MEMBER, email="maria@example.org", person=person),
            factories.user(Role.ORG_EDITOR, organisation=factories.organisation()))
    login(editor)
    assert "nie jest połączone z osobą" in client.get(f"/registration/editions/{edition_id}/join").text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(member)
    assert "Zapisz się na tę edycję" in client.get(f"/editions/{edition_id}").text
    url = f"/registration/editions/{edition_id}/join"
    refused = client.post(url, data={"coming": "yes", "csrf_token": csrf_token(client, url)})
    assert refused.status_code == 422 and "Wybierz co najmniej jeden dzień." in refused.text
    response = client.post(url, data={"coming": "yes", "days": [start.isoformat()], "dietary_needs": "wegańska",
                                      "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    page = client.get(url).text
    assert "Jesteś zapisana/y." in page and 'value="wegańska"' in page
    client.post(url, data={"coming": "no", "csrf_token": csrf_token(client, url)})
    assert "Nie przyjedziesz." in client.get(url).text
    with app.app_context():
        [participation] = db.session.scalars(sa.select(Participation).where(Participation.edition_id == edition_id))
        assert participation.status == ParticipationStatus.CANCELLED and participation.registration.answered_at
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == "maria@example.org")) == 2  # the confirmation, then the cancellation


def test_links_that_do_not_work_say_why_in_polish(app, monkeypatch):
    edition_id, _coordinator, (first, _second, _third) = make_edition(app, capacity=5)
    visitor = app.test_client()
    unknown = visitor.get("/registration/not-a-real-link")
    assert unknown.status_code == 404 and "Nie znamy tego linku" in unknown.text
    assert 'href="/registration/new-link"' in unknown.text
    with app.test_request_context():
        registration = ensure_registration(db.session.get(Participation, first))
        token = personal_token(registration)
        db.session.commit()
    monkeypatch.setattr("forum_crm.registration.tokens.LINK_MAX_AGE", -1)
    expired = visitor.get(f"/registration/{token}")
    assert expired.status_code == 410 and "Ten link wygasł." in expired.text
    monkeypatch.undo()
    with app.app_context():
        db.session.execute(sa.update(EditionRegistration).values(closes_on=date.today() - timedelta(days=1),
                                                                 opens_on=date.today() - timedelta(days=5)))
        db.session.commit()
    closed = visitor.get(f"/registration/{token}")
    assert closed.status_code == 410 and "Zapisy na tę edycję są zamknięte" in closed.text


def test_asking_for_a_new_link_sends_one_and_the_old_link_stops(app):
    edition_id, _coordinator, (first, _second, _third) = make_edition(app, capacity=5)
    with app.test_request_context():
        registration = ensure_registration(db.session.get(Participation, first))
        old = personal_token(registration)
        db.session.commit()
    visitor = app.test_client()
    for email in ("osoba0@example.org", "nikt@example.org"):
        response = visitor.post("/registration/new-link", data={
            "email": email, "csrf_token": csrf_token(visitor, "/registration/new-link")}, follow_redirects=True)
        assert "wysłaliśmy na niego nowy osobisty link" in response.text
    refused = visitor.post("/registration/new-link", data={
        "email": "to nie adres", "csrf_token": csrf_token(visitor, "/registration/new-link")})
    assert refused.status_code == 422
    visitor.post("/registration/new-link", data={  # asked again at once: no second e-mail
        "email": "osoba0@example.org", "csrf_token": csrf_token(visitor, "/registration/new-link")})
    [new_link] = LINK.findall(_bodies(app, "osoba0@example.org"))
    assert visitor.get(new_link).status_code == 200
    used = visitor.get(f"/registration/{old}")
    assert used.status_code == 404 and "został już użyty" in used.text


def test_the_coordinator_sets_registration_up_and_more_places_move_people_up(app, client, login):
    edition_id, coordinator, (first, second, third) = make_edition(app, people=3, open_registration=False)
    start, end = soon()
    login(coordinator)
    url = f"/registration/editions/{edition_id}"
    assert "nie są jeszcze otwarte" in client.get(url).text
    refused = client.post(f"{url}/invitations", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "Zapisy nie są otwarte" in refused.text
    values = {"opens_on": date.today().isoformat(), "closes_on": (date.today() - timedelta(days=1)).isoformat(),
              "capacity": "1", "free_question": "", "reminder_days": "3"}
    wrong = client.post(url, data={**values, "csrf_token": csrf_token(client, url)})
    assert wrong.status_code == 422 and "nie mogą się skończyć, zanim się zaczną" in wrong.text
    late = client.post(url, data={**values, "closes_on": (end + timedelta(days=1)).isoformat(),
                                  "csrf_token": csrf_token(client, url)})
    assert late.status_code == 422 and "najpóźniej w ostatnim dniu edycji" in late.text
    saved = client.post(url, data={**values, "closes_on": start.isoformat(), "csrf_token": csrf_token(client, url)})
    assert saved.status_code == 302
    # One by one: the form to the first person only.
    answers_url = f"{url}/answers"
    client.post(f"{url}/invitations/{first}", data={"csrf_token": csrf_token(client, answers_url)})
    assert LINK.findall(_bodies(app, "osoba0@example.org")) and not _bodies(app, "osoba1@example.org")
    assert "Wyślij formularz ponownie" in client.get(answers_url).text
    with app.test_request_context():
        for pid in (first, second, third):
            registration = ensure_registration(db.session.get(Participation, pid))
            accept(registration, registration.link_sequence, Answers([start], [], None, False, None, None, True), "pl")
        db.session.commit()
    assert [status_of(app, pid)[0] for pid in (first, second, third)] == [
        ParticipationStatus.REGISTERED, ParticipationStatus.INVITED, ParticipationStatus.INVITED]
    nobody = client.post(f"{url}/invitations/{second}", data={"csrf_token": csrf_token(client, answers_url)},
                         follow_redirects=True)
    assert "Formularz można wysłać tylko zaproszonym" in nobody.text
    client.post(url, data={**values, "closes_on": start.isoformat(), "capacity": "",
                           "csrf_token": csrf_token(client, url)})
    assert [status_of(app, pid) for pid in (first, second, third)] == [(ParticipationStatus.REGISTERED, None)] * 3
    history = client.get(f"/editions/{edition_id}").text
    assert "przesunięcie z listy rezerwowej" in history and "zmieniono ustawienia zapisów" in history
