"""Registration's rules and refusals: answers outside the edition's days and nights, registration closed, a link
used by another request a moment ago, answering again (changing answers, staying on the waiting list), the
coordinator's filters, and forms sent without their CSRF token."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    Edition,
    EditionRegistration,
    OutboxMessage,
    Participation,
    ParticipationStatus,
    ProgrammeItem,
    ProgrammeKind,
)
from forum_crm.registration import answer_routes
from forum_crm.registration.emails import calendar_file, programme_summary
from forum_crm.registration.forms import AnswersFilterForm, AnswersForm
from forum_crm.registration.queries import RegistrationFilters, answers_list, due_reminders
from forum_crm.registration.services import (
    Answers,
    LinkUsed,
    Outcome,
    RegistrationClosed,
    accept,
    decline,
    ensure_registration,
    register_member,
    save_settings,
    use_link,
)
from forum_crm.registration.tokens import SALT, personal_token, read_token
from tests import factories
from tests.conftest import csrf_token
from tests.test_registration import make_edition, soon


def answers(*days: date, nights: tuple[date, ...] = ()) -> Answers:
    return Answers(list(days), list(nights), None, False, None, None, False)


@pytest.fixture
def full_edition(app):
    """An edition with one place and three invited people, each with a registration row."""
    edition_id, _coordinator, invited = make_edition(app, capacity=1)
    with app.test_request_context():
        for participation_id in invited:
            ensure_registration(db.session.get(Participation, participation_id))
        db.session.commit()
    return edition_id, invited


def registration(participation_id: int):
    return db.session.get(Participation, participation_id).registration


def test_answers_outside_the_editions_days_and_nights_are_refused(app, full_edition):
    _edition_id, (first, *_others) = full_edition
    start, end = soon()
    with app.test_request_context():
        mine = registration(first)
        for wrong, field in ((answers(), "days"), (answers(start - timedelta(days=7)), "days"),
                             (answers(start, nights=(end,)), "nights")):
            with pytest.raises(FieldProblem) as refused:
                accept(mine, mine.link_sequence, wrong, "pl")
            assert refused.value.field == field
        edition = db.session.get(Edition, _edition_id)
        with pytest.raises(FieldProblem):
            save_settings(edition, {"opens_on": date.today(), "closes_on": start, "capacity": 1,
                                    "free_question": None, "reminder_days": 61})


def test_answering_again_changes_answers_and_keeps_the_place_or_the_queue(app, full_edition):
    _edition_id, (first, second, _third) = full_edition
    start, end = soon()
    with app.test_request_context():
        assert accept(registration(first), 0, answers(start), "pl") == Outcome.REGISTERED
        assert accept(registration(first), 1, answers(start, end), "en") == Outcome.UPDATED
        assert accept(registration(second), 0, answers(start), "pl") == Outcome.WAITING
        assert accept(registration(second), 1, answers(end), "pl") == Outcome.WAITING
        assert registration(second).waiting_number == 1 and registration(first).language == "en"
        with pytest.raises(LinkUsed):
            use_link(registration(first), 0)  # an answer a moment ago used this link up
        assert decline(registration(second), 2, "pl") == Outcome.CANCELLED
        db.session.commit()


def test_nothing_is_answered_once_registration_has_closed(app, full_edition):
    edition_id, (first, *_others) = full_edition
    start, _end = soon()
    with app.test_request_context():
        db.session.execute(sa.update(EditionRegistration).values(opens_on=start - timedelta(days=3),
                                                                 closes_on=start - timedelta(days=2)))
        mine, edition = registration(first), db.session.get(Edition, edition_id)
        with pytest.raises(RegistrationClosed):
            accept(mine, mine.link_sequence, answers(start), "pl")
        with pytest.raises(RegistrationClosed):
            decline(mine, mine.link_sequence, "pl")
        with pytest.raises(RegistrationClosed):
            register_member(edition, mine.participation.person, answers(start), "pl")
        db.session.rollback()


def test_a_link_that_is_not_ours_reads_as_unknown(app):
    with app.test_request_context():
        assert read_token("garbage") is None
        assert read_token(URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT).dumps(["x", 1])) is None


@pytest.mark.parametrize(("raised", "status", "text"), [(LinkUsed, 404, "został już użyty"),
                                                         (RegistrationClosed, 410, "są zamknięte")])
def test_a_race_lost_while_answering_is_explained(app, full_edition, monkeypatch, raised, status, text):
    _edition_id, (first, *_others) = full_edition
    start, _end = soon()
    with app.test_request_context():
        link = f"/registration/{personal_token(registration(first))}"

    def lose(*_args):
        raise raised

    monkeypatch.setattr(answer_routes, "accept", lose)
    visitor = app.test_client()
    response = visitor.post(link, data={"coming": "yes", "days": [start.isoformat()],
                                        "csrf_token": csrf_token(visitor, link)})
    assert response.status_code == status and text in response.text


def test_the_personal_link_refuses_an_answer_without_a_day(app, full_edition):
    _edition_id, (first, *_others) = full_edition
    with app.test_request_context():
        link = f"/registration/{personal_token(registration(first))}"
    visitor = app.test_client()
    response = visitor.post(link, data={"coming": "yes", "csrf_token": csrf_token(visitor, link)})
    assert response.status_code == 422 and "Wybierz co najmniej jeden dzień." in response.text
    with app.app_context():
        assert registration(first).answered_at is None  # nothing half-saved


def test_a_member_who_is_not_coming_is_not_added_and_a_lost_race_is_explained(app, client, login, monkeypatch):
    edition_id, _coordinator, _invited = make_edition(app, capacity=5, people=0)
    start, _end = soon()
    with app.app_context():
        person = factories.person("Maria", "Członkini", email="maria@example.org")
        member = factories.committed(factories.user(email="maria@example.org", person=person))
    login(member)
    url = f"/registration/editions/{edition_id}/join"
    response = client.post(url, data={"coming": "no", "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "nie jesteś zapisana/y na tę edycję" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 0

    def lose(*_args):
        raise RegistrationClosed

    monkeypatch.setattr(answer_routes, "register_member", lose)
    response = client.post(url, data={"coming": "yes", "days": [start.isoformat()],
                                      "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "zmienił się w międzyczasie" in response.text
    assert client.get("/registration/editions/999999/join").status_code == 404


def test_the_coordinators_filters_and_forms_without_a_token(app, client, login, full_edition):
    edition_id, (first, second, third) = full_edition
    start, _end = soon()
    with app.test_request_context():
        accept(registration(first), 0, answers(start), "pl")
        decline(registration(second), 0, "pl")
        db.session.commit()
        names = {state: [participation.person.first_name for participation, _ in
                         db.session.execute(answers_list(edition_id, RegistrationFilters(None, state)))]
                 for state in ("registered", "declined", "not_answered")}
        assert names == {"registered": ["Osoba0"], "declined": ["Osoba1"], "not_answered": ["Osoba2"]}
        found = db.session.execute(answers_list(edition_id, RegistrationFilters("osoba2"))).all()
        assert [participation.id for participation, _ in found] == [third]
        assert db.session.scalars(due_reminders(start - timedelta(days=3))).all() == [first]
        assert db.session.scalars(due_reminders(start - timedelta(days=4))).all() == []
    with app.app_context():
        coordinator = factories.committed(factories.user(email="druga@example.org"))
    login(coordinator)
    for url in (f"/registration/editions/{edition_id}/invitations",
                f"/registration/editions/{edition_id}/invitations/{third}"):
        assert client.post(url, data={}).status_code == 400
    page = client.get(f"/registration/editions/{edition_id}/answers?state=declined&q=osoba")
    assert page.status_code == 200 and "Nie przyjedziesz." in page.text


def test_the_calendar_file_folds_long_lines_and_the_form_without_a_free_question(app):
    with app.test_request_context():
        edition = factories.edition(12, date(2027, 5, 18), date(2027, 5, 19), theme="Współpraca, integracja; razem")
        db.session.add(ProgrammeItem(edition=edition, kind=ProgrammeKind.WORKSHOP, title="Ż" * 80))
        db.session.flush()
        db.session.refresh(edition)
        assert programme_summary(edition).startswith("- Warsztat")  # no day: no date before it
        lines = calendar_file(edition).decode().split("\r\n")
        assert all(len(line.encode()) <= 75 for line in lines) and any(line.startswith(" ") for line in lines)
        assert "Współpraca\\, integracja\\; razem" in "".join(line.removeprefix(" ") for line in lines)
        form = AnswersForm(edition, None, formdata=None)
        assert "free_answer" not in form and form.answers().free_answer is None
        assert AnswersFilterForm(formdata=None, data={"state": "nonsense"}).filters() == RegistrationFilters()
        db.session.rollback()


def test_a_member_without_an_e_mail_address_registers_without_a_message(app, full_edition):
    edition_id, _invited = full_edition
    start, _end = soon()
    with app.test_request_context():
        person = factories.person("Bez", "Adresu")
        outcome = register_member(db.session.get(Edition, edition_id), person, answers(start), "pl")
        assert outcome == Outcome.REGISTERED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        db.session.rollback()


def test_the_people_of_the_organisations_to_re_engage_are_added_as_invited(app, client, login):
    edition_id, coordinator, _invited = make_edition(app, capacity=5, people=0)
    with app.app_context():
        first = factories.edition(1, date(2023, 5, 18), date(2023, 5, 19))
        factories.edition(2, date(2023, 8, 31), date(2023, 9, 1))
        came, stayed_away = (factories.organisation(name, forum_member_since=date(2022, 1, 1))
                             for name in ("Fundacja Obecna", "Stowarzyszenie Nieobecne"))
        present, absent = factories.person("Obecna"), factories.person("Nieobecna", email="nieobecna@example.org")
        factories.affiliation(present, came)
        factories.affiliation(absent, stayed_away)
        factories.participation(first, present, organisation=came, status=ParticipationStatus.ATTENDED)
        db.session.commit()
    login(coordinator)
    url = f"/registration/editions/{edition_id}"
    page = client.post(f"{url}/invitations/reengage", data={"csrf_token": csrf_token(client, url)},
                       follow_redirects=True)
    assert "Organizacje do ponownego zaangażowania: 1" in page.text
    assert "Wyślij formularz do 1 zaproszonej osoby" in page.text
    with app.app_context():
        invited = db.session.scalars(sa.select(Participation).where(Participation.edition_id == edition_id)).all()
        assert [participation.person.first_name for participation in invited] == ["Nieobecna"]
        assert invited[0].status == ParticipationStatus.INVITED
