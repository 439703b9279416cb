"""Mailings to a segment through the test client: from a filtered list to a draft, preview, a test to oneself,
sending, the worker against a local SMTP server, per-recipient states, unsubscribing, and the next mailing."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.mailings.merge_fields import Addressee, fill
from forum_crm.mailings.segments import segment_of, split
from forum_crm.mailings.services import claim_for_sending, unsubscribe_token
from forum_crm.models import (
    ConsentEvent,
    ConsentSource,
    Mailing,
    MailingRecipient,
    MessageKind,
    OutboxMessage,
    OutboxState,
    ParticipationStatus,
    Person,
    Registration,
    Role,
)
from forum_crm.outbox.worker import send_due
from tests import factories
from tests.conftest import csrf_token
from tests.test_outbox import smtp  # noqa: F401 (a fixture: a local SMTP server)

COMPOSED = {"subject_pl": "Spotkanie dla {first_name}", "body_pl": "Dzień dobry {first_name} z {organisation}!",
            "subject_en": "A meeting for {first_name}", "body_en": "Hello {first_name} of {organisation}!",
            "edition": ""}


@pytest.fixture
def network(app):
    """In Lublin: two people who can be reached (one reads English), and three who cannot, each for a reason."""
    with app.app_context():
        lublin = factories.locality("Lublin")
        fundacja = factories.organisation("Fundacja Lubelska", email="biuro@fundacja.example.org", locality=lublin)
        anna = factories.person("Anna", "Lis", email="anna@example.org", locality=lublin)
        john = factories.person("John", "Smith", email="john@example.org", language="en", locality=lublin)
        factories.person("Bez", "Adresu", locality=lublin)
        factories.person("Stara", "Archiwalna", email="stara@example.org", locality=lublin,
                         archived_at=factories.datetime_now())
        factories.person("Wypisana", "Wcześniej", email="wypisana@example.org", locality=lublin,
                         newsletter_withdrawn_at=factories.datetime_now())
        for person in (anna, john):
            factories.affiliation(person, fundacja)
        factories.person("Ktoś", "Zgdzieindziej", email="inny@example.org")
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        factories.committed(coordinator, fundacja, anna, john)
        return {"coordinator": coordinator, "anna": anna.id, "john": john.id, "fundacja": fundacja.id}


def compose(client, query: str, **changes):
    """Compose a mailing to the list of `query` (the list's query string); the response."""
    data = {**COMPOSED, **changes, "csrf_token": csrf_token(client, "/mailings")}
    return client.post(f"/mailings/new?{query}", data=data)


def mailing_id(response) -> int:
    assert response.status_code == 302, response.text
    return int(response.location.rsplit("/", 1)[1])


def send(client, mailing: int, expected: int, **extra):
    data = {"expected": str(expected), "csrf_token": csrf_token(client, f"/mailings/{mailing}"), **extra}
    return client.post(f"/mailings/{mailing}/send", data=data)


def recipients_of(app, mailing: int) -> dict[str, tuple[str, OutboxState, str | None]]:
    """email: (language, state, server's answer) of each recipient."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(MailingRecipient.email, MailingRecipient.language, OutboxMessage.state, OutboxMessage.last_error)
            .join(OutboxMessage, MailingRecipient.outbox_message_id == OutboxMessage.id)
            .where(MailingRecipient.mailing_id == mailing))
        return {email: (language, state, error) for email, language, state, error in rows}


def test_the_whole_flow_from_a_filtered_list_to_unsubscribing(app, client, login, network, smtp):  # noqa: F811
    login(network["coordinator"])
    people = client.get("/people?town=Lublin&status=all").text
    link = re.search(r'href="(/mailings/new\?[^"]+)"', people).group(1).replace("&amp;", "&")
    assert "source=people" in link and "town=Lublin" in link
    assert client.get(link).status_code == 200
    mailing = mailing_id(compose(client, urlsplit(link).query))

    draft = client.get(f"/mailings/{mailing}").text
    # "12 recipients, 3 left out: ..." with the reasons
    assert "2 odbiorcy, pominięto 3: zarchiwizowano: 1, brak adresu e-mail: 1, wycofana zgoda na mailingi: 1" in draft
    assert "Dzień dobry Anna z Fundacja Lubelska!" in draft  # a preview for a real recipient, in their language
    english = client.get(f"/mailings/{mailing}?recipient=1").text
    assert "Hello John of Fundacja Lubelska!" in english and "A meeting for John" in english

    response = client.post(f"/mailings/{mailing}/test", data={
        "recipient": "1", "csrf_token": csrf_token(client, f"/mailings/{mailing}")})
    assert response.status_code == 302
    with app.app_context():
        test = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "koordynatorka@example.org"))
        assert test.subject == "[Test] A meeting for John" and test.kind == MessageKind.MAILING
        assert db.session.get(Mailing, mailing).queued_at is None  # a test does not send the mailing

    smtp.refused.add("john@example.org")
    assert send(client, mailing, 2).status_code == 302
    assert send(client, mailing, 2).status_code == 302  # a second click queues nothing more
    assert {email: state for email, (_language, state, _error) in recipients_of(app, mailing).items()} == {
        "anna@example.org": OutboxState.QUEUED, "john@example.org": OutboxState.QUEUED}

    with app.app_context():
        report = send_due()
    assert (report.sent, report.failed) == (2, 1)  # the test and Anna; John's address is refused
    states = recipients_of(app, mailing)
    assert states["anna@example.org"] == ("pl", OutboxState.SENT, None)
    assert states["john@example.org"][:2] == ("en", OutboxState.FAILED)
    assert "550 5.1.1" in states["john@example.org"][2]
    page = client.get(f"/mailings/{mailing}").text
    assert "anna@example.org" in page and "550 5.1.1" in page and "Recipient address rejected" in page
    assert "Spotkanie dla {first_name}" in client.get("/mailings").text

    [received] = [message for message in smtp.messages if message["To"] == "anna@example.org"]
    assert received["Subject"] == "Spotkanie dla Anna" and received["Content-Language"] == "pl"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    unsubscribe = re.search(r"http://127\.0\.0\.1:5000(/mailings/unsubscribe/\S+)", text).group(1)
    assert received["List-Unsubscribe"] == f"<http://127.0.0.1:5000{unsubscribe}>"
    assert "Dzień dobry Anna z Fundacja Lubelska!" in html and unsubscribe in html

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    stranger = app.test_client()
    confirm = stranger.get(unsubscribe)
    assert confirm.status_code == 200 and "anna@example.org" in confirm.text
    with app.app_context():
        assert db.session.get(Person, network["anna"]).newsletter_withdrawn_at is None  # opening is not enough
    done = stranger.post(unsubscribe, data={"csrf_token": csrf_token(stranger, unsubscribe)})
    assert done.status_code == 200 and "nie będziesz już otrzymywać" in done.text
    with app.app_context():
        assert db.session.get(Person, network["anna"]).newsletter_withdrawn_at is not None
        event = db.session.scalar(sa.select(ConsentEvent).where(ConsentEvent.person_id == network["anna"]))
        assert event.source == ConsentSource.UNSUBSCRIBE and not event.given and event.note == f"mailing {mailing}"

    login(network["coordinator"])
    second = mailing_id(compose(client, "source=people&town=Lublin&status=all"))
    assert "1 odbiorca, pominięto 4" in client.get(f"/mailings/{second}").text
    assert send(client, second, 1).status_code == 302
    assert list(recipients_of(app, second)) == ["john@example.org"]


def test_a_long_list_asks_for_a_second_confirmation(app, client, login, network, monkeypatch):
    monkeypatch.setitem(app.config, "MAILING_CONFIRM_ABOVE", 1)
    login(network["coordinator"])
    mailing = mailing_id(compose(client, "source=people&town=Lublin"))
    asked = send(client, mailing, 2)
    assert asked.status_code == 200 and "Tak, wyślij do wszystkich" in asked.text
    assert recipients_of(app, mailing) == {}
    assert send(client, mailing, 2, confirmed="y").status_code == 302
    assert len(recipients_of(app, mailing)) == 2


def test_a_list_that_changed_since_it_was_shown_is_not_sent(app, client, login, network):
    login(network["coordinator"])
    mailing = mailing_id(compose(client, "source=people&town=Lublin"))
    refused = send(client, mailing, 3)
    assert refused.status_code == 409 and "Lista się zmieniła" in refused.text
    assert recipients_of(app, mailing) == {}


def test_bad_messages_are_refused_with_the_field_named_and_nothing_saved(app, client, login, network):
    login(network["coordinator"])
    for changes, message in (
            ({"subject_pl": "", "body_pl": "", "subject_en": "", "body_en": ""}, "po polsku, po angielsku"),
            ({"body_pl": ""}, "Napisz temat i treść"),
            ({"body_pl": "Witaj {imie}"}, "Nieznane pola korespondencji seryjnej: {imie}"),
            ({"body_en": "See you at {edition}"}, "Wybierz edycję")):
        response = compose(client, "source=people&town=Lublin", **changes)
        assert response.status_code == 422 and message in response.text, changes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0
    assert client.get("/mailings/new?source=nothing").status_code == 404
    assert client.get("/mailings/new?source=participants&edition=999").status_code == 404


def test_a_draft_can_be_edited_until_it_is_sent(app, client, login, network):
    login(network["coordinator"])
    mailing = mailing_id(compose(client, "source=people&town=Lublin"))
    assert 'value="Spotkanie dla {first_name}"' in client.get(f"/mailings/{mailing}/edit").text
    edited = client.post(f"/mailings/{mailing}/edit", data={
        **COMPOSED, "subject_en": "", "body_en": "", "csrf_token": csrf_token(client, f"/mailings/{mailing}/edit")})
    assert edited.status_code == 302
    assert "Dzień dobry John" in client.get(f"/mailings/{mailing}?recipient=1").text  # Polish for all now
    send(client, mailing, 2)
    assert client.get(f"/mailings/{mailing}/edit").status_code == 302


def test_about_an_edition_its_registered_people_get_it_without_the_newsletter_consent(app, client, login, network):
    with app.app_context():
        edition = factories.edition(3)
        for person in db.session.scalars(sa.select(Person).where(Person.email.is_not(None))):
            factories.participation(edition, person, status=ParticipationStatus.REGISTERED)
        factories.committed(edition)
    login(network["coordinator"])
    participants = client.get(f"/editions/{edition.id}/participants?status=registered").text
    link = re.search(r'href="(/mailings/new\?[^"]+)"', participants).group(1).replace("&amp;", "&")
    about = mailing_id(compose(client, urlsplit(link).query, edition=str(edition.id),
                               body_pl="Do zobaczenia na {edition}, {first_name}!"))
    draft = client.get(f"/mailings/{about}").text
    assert "4 odbiorcy, pominięto 1" in draft  # the one who withdrew gets it, the archived one does not
    assert "Do zobaczenia na III Forum" in draft and "/mailings/unsubscribe/" not in draft
    send(client, about, 4)
    with app.app_context():
        assert db.session.scalars(sa.select(OutboxMessage.headers).where(OutboxMessage.kind == MessageKind.MAILING)
                                  ).all() == [None] * 4

    not_about = mailing_id(compose(client, urlsplit(link).query))
    assert "3 odbiorcy, pominięto 2" in client.get(f"/mailings/{not_about}").text
    anyone = mailing_id(compose(client, f"source=participants&edition={edition.id}", edition=str(edition.id)))
    assert "3 odbiorcy" in client.get(f"/mailings/{anyone}").text  # not filtered by status: not "registered"


def test_organisation_lists_reach_their_addresses_people_and_editors(app, client, login, network):
    with app.app_context():
        fundacja = db.session.get(Person, network["anna"]).affiliations[0].organisation
        fundacja.created_at = fundacja.profile_confirmed_at = factories.datetime_now() - timedelta(days=800)
        factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=fundacja,
                       person=db.session.get(Person, network["anna"]))
        factories.organisation("Bez Adresu")
        db.session.commit()
    login(network["coordinator"])
    listing = client.get("/organisations?q=Lubelska").text
    assert "source=organisation_editors" in listing
    expected = {"source=organisations&q=Lubelska": "biuro@fundacja.example.org",
                "source=organisations&q=Bez": "0 odbiorców, pominięto 1: brak adresu e-mail: 1",
                "source=organisation_people&q=Lubelska": "2 odbiorcy",
                "source=organisation_editors&profile=stale": "redaktor@example.org"}
    for query, seen in expected.items():
        assert seen in client.get(f"/mailings/{mailing_id(compose(client, query))}").text, query
    contacts = mailing_id(compose(client, "source=organisations&q=Lubelska"))
    assert "/mailings/unsubscribe/" not in client.get(f"/mailings/{contacts}").text  # no person to unsubscribe
    send(client, contacts, 1)
    assert "Spotkanie dla" in client.get(f"/organisations/{network['fundacja']}").text


def test_the_organisations_to_reengage_are_a_list_to_write_to(app, client, login, network):
    with app.app_context():
        for number, start in ((1, date(2023, 5, 18)), (2, date(2023, 8, 31))):
            factories.edition(number, start=start, end=start)
        fundacja = db.session.get(Person, network["anna"]).affiliations[0].organisation
        fundacja.forum_member_since = date(2023, 1, 1)
        db.session.commit()
    login(network["coordinator"])
    assert "source=reengage_people" in client.get("/reports/reengage").text
    mailing = mailing_id(compose(client, "source=reengage_people"))
    assert "2 odbiorcy" in client.get(f"/mailings/{mailing}").text
    mailing = mailing_id(compose(client, "source=reengage&year=2001"))  # fewer than two editions: nobody
    assert "0 odbiorców" in client.get(f"/mailings/{mailing}").text


def test_contact_history_on_the_person_and_organisation_pages_is_paginated(app, client, login, network):
    login(network["coordinator"])
    for number in range(12):
        mailing = mailing_id(compose(client, "source=people&town=Lublin", subject_pl=f"Wiadomość nr {number}"))
        send(client, mailing, 2)
    first = client.get(f"/people/{network['anna']}").text
    assert "Wiadomość nr 11" in first and "Wiadomość nr 2<" in first and "Wiadomość nr 1<" not in first
    second = client.get(f"/people/{network['anna']}?page=2").text
    assert "Wiadomość nr 1<" in second and "Wiadomość nr 0<" in second
    assert "Wiadomość nr 11" in client.get(f"/organisations/{network['fundacja']}").text
    assert "Czeka na wysłanie" in first


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_only_the_coordinator_writes_mailings(app, client, login, network, role):
    with app.app_context():
        organisation = db.session.get(Person, network["anna"]).affiliations[0].organisation
        user = factories.committed(factories.user(role, organisation=organisation if role == Role.ORG_EDITOR else None))
    coordinator = app.test_client()
    coordinator.post("/login", data={"email": network["coordinator"].email, "password": factories.PASSWORD,
                                     "csrf_token": csrf_token(coordinator, "/login")})
    data = {**COMPOSED, "csrf_token": csrf_token(coordinator, "/mailings")}
    mailing = mailing_id(coordinator.post("/mailings/new?source=people&town=Lublin", data=data))
    login(user)
    token = csrf_token(client)
    for url in ("/mailings", "/mailings/new?source=people", f"/mailings/{mailing}", f"/mailings/{mailing}/edit"):
        assert client.get(url).status_code == 403, url
    for url in (f"/mailings/{mailing}/test", f"/mailings/{mailing}/send", "/mailings/new?source=people"):
        assert client.post(url, data={**COMPOSED, "expected": "2", "csrf_token": token}).status_code == 403, url
    assert recipients_of(app, mailing) == {}


def test_an_unknown_or_tampered_unsubscribe_link_says_so_in_polish(app, client, network):
    with app.app_context():
        good = unsubscribe_token(network["anna"], 1)
        nobody = unsubscribe_token(999999, 1)
        wrong_shape = unsubscribe_token("anna", 1)
        anonymised = factories.committed(factories.person("Ukryta", "Osoba", anonymised_at=factories.datetime_now()))
        hidden = unsubscribe_token(anonymised.id, 1)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    csrf = csrf_token(client, "/login")
    for token in (tampered, nobody, wrong_shape, hidden, "zupelnie-nie-token"):
        response = client.get(f"/mailings/unsubscribe/{token}")
        assert response.status_code == 404 and "Ten link jest nieprawidłowy" in response.text, token
        assert client.post(f"/mailings/unsubscribe/{token}", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/mailings/unsubscribe/{good}", data={}).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.get(Person, network["anna"]).newsletter_withdrawn_at is None
    url = f"/mailings/unsubscribe/{good}"
    for _ in range(2):  # the second time changes nothing and says the same
        assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentEvent)) == 1


def test_an_empty_list_sends_nothing_and_says_so(app, client, login, network):
    login(network["coordinator"])
    mailing = mailing_id(compose(client, "source=people&town=Gdańsk"))
    assert "Nikt z tej listy nie może otrzymać mailingu" in client.get(f"/mailings/{mailing}").text
    tested = client.post(f"/mailings/{mailing}/test", data={"csrf_token": csrf_token(client, f"/mailings/{mailing}")},
                         follow_redirects=True)
    assert "Nikt z tej listy nie może otrzymać mailingu." in tested.text
    refused = send(client, mailing, 0)
    assert refused.status_code == 409 and "Nikt z tej listy nie może otrzymać mailingu." in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_language_of_a_persons_e_mails_and_a_mailing_in_english_only(app, client, login, network):
    login(network["coordinator"])
    edit = f"/people/{network['anna']}/edit"
    page = client.get(edit).text
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(edit, data={"first_name": "Anna", "last_name": "Lis", "email": "anna@example.org",
                                       "language": "en", "newsletter": "y", "version": version,
                                       "csrf_token": csrf_token(client, edit)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, network["anna"]).language == "en"
    mailing = mailing_id(compose(client, "source=people&q=Lis", subject_pl="", body_pl=""))
    assert "Hello Anna of Fundacja Lubelska!" in client.get(f"/mailings/{mailing}").text
    send(client, mailing, 1)
    assert recipients_of(app, mailing)["anna@example.org"][0] == "en"
    assert "anna@example.org" in client.get(f"/mailings/{mailing}?state=queued").text
    assert "anna@example.org" not in client.get(f"/mailings/{mailing}?state=failed").text


def test_anonymised_people_and_an_address_twice_are_left_out(app, ctx):
    lublin = factories.locality("Lublin")
    factories.person("Ukryta", "Osoba", email="ukryta@example.org", locality=lublin,
                     anonymised_at=factories.datetime_now())
    for name in ("Stowarzyszenie A", "Stowarzyszenie B"):
        factories.organisation(name, email="wspolny@example.org")
    db.session.flush()
    people = split(segment_of("people", {"town": "Lublin", "status": "all"}), consent=True)
    assert people.addressees == [] and people.left_out == {"anonymised": 1}
    organisations = split(segment_of("organisations", {"q": "Stowarzyszenie"}), consent=True)
    assert [addressee.email for addressee in organisations.addressees] == ["wspolny@example.org"]
    assert organisations.left_out == {"duplicate": 1}


def test_a_mailing_is_claimed_for_sending_once_and_unknown_fields_stay_as_typed(app, ctx):
    mailing = Mailing(source="people", source_args={}, subject_pl="Temat", body_pl="Treść")
    db.session.add(mailing)
    db.session.flush()
    assert claim_for_sending(mailing) and mailing.queued_at is not None
    assert not claim_for_sending(mailing)
    addressee = Addressee(email="a@example.org", language="pl", first_name="Ala")
    assert fill("{first_name}, {nieznane}", addressee, mailing) == "Ala, {nieznane}"


def test_test_and_send_need_the_csrf_token(app, client, login, network):
    login(network["coordinator"])
    mailing = mailing_id(compose(client, "source=people&town=Lublin"))
    for action in ("test", "send"):
        assert client.post(f"/mailings/{mailing}/{action}", data={"expected": "2"}).status_code == 400
    assert recipients_of(app, mailing) == {}


def test_the_personal_registration_link_merge_field(app, client, login, network):
    """{registration_link}: each invited person's own link to answer; empty for someone not invited."""
    with app.app_context():
        edition = factories.edition(5)
        anna = db.session.get(Person, network["anna"])
        invited = factories.participation(edition, anna, status=ParticipationStatus.INVITED)
        db.session.add(Registration(participation=invited))
        factories.participation(edition, db.session.get(Person, network["john"]), status=ParticipationStatus.INVITED)
        factories.committed(edition)
    login(network["coordinator"])
    mailing = mailing_id(compose(client, f"source=participants&edition={edition.id}", edition=str(edition.id),
                                 body_pl="Zapisz się: {registration_link}", subject_en="", body_en=""))
    draft = client.get(f"/mailings/{mailing}").text
    assert re.search(r"Zapisz się: http://127\.0\.0\.1:5000/registration/[\w.-]+", draft)
    john = client.get(f"/mailings/{mailing}?recipient=1").text
    assert "john@example.org" in john and not re.search(r"Zapisz się: http", john)
