"""The start page of each role (issue 16): the coordinator's day as cards, each a link to the list behind it;
an editor's profile and people; a member's editions and map. Also the organisations list's member filter."""

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.duplicates.queries import organisation_pairs, person_pairs
from forum_crm.duplicates.services import dismiss_pair
from forum_crm.extensions import db
from forum_crm.home import queries
from forum_crm.models import (
    ChangeLogEntry,
    DuplicateKind,
    Edition,
    EditionRegistration,
    ErasureRequest,
    ErasureSource,
    Mailing,
    MessageKind,
    Organisation,
    OutboxMessage,
    OutboxState,
    ParticipationStatus,
    Person,
    Role,
)
from tests import factories
from tests.conftest import csrf_token

TODAY = date.today()


def text_of(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def card(html: str, name: str) -> str:
    """The HTML of one card of the home page."""
    match = re.search(rf'<section class="card home-card[^"]*" aria-labelledby="card-{name}">(.*?)</section>', html,
                      re.S)
    assert match, f"no card {name}"
    return match.group(1)


def message(recipient: str, subject: str, kind: MessageKind, state: OutboxState) -> OutboxMessage:
    return OutboxMessage(recipient=recipient, subject=subject, text_body="…", html_body="<p>…</p>", kind=kind,
                         state=state, language="pl", message_id=f"<{recipient}@forum-crm.test>")


@pytest.fixture(autouse=True)
def _uncounted_duplicates(app):
    """The duplicate counts are kept in the app between requests; each test starts without them."""
    app.extensions.pop("forum_crm.duplicate_counts", None)


@pytest.fixture
def day(app):
    """A coordinator's day: an edition in 12 days with 3 invited, 2 registered; an editor's change to review; an
    organisation not confirmed for two years; two people with one phone number; an import; two e-mails."""
    with app.app_context():
        lublin = factories.locality()
        edition = factories.edition(4, start=TODAY + timedelta(days=12), end=TODAY + timedelta(days=13),
                                    locality=lublin)
        factories.edition(3, start=TODAY - timedelta(days=100), end=TODAY - timedelta(days=99))
        names = [("Anna", "Lis"), ("Piotr", "Sowa"), ("Zofia", "Zając"), ("Łukasz", "Łęcki"), ("Żaneta", "Ślęzak")]
        for number, (first_name, last_name) in enumerate(names):
            status = ParticipationStatus.INVITED if number < 3 else ParticipationStatus.REGISTERED
            factories.participation(edition, factories.person(first_name, last_name), status=status)
        stale = factories.organisation("Fundacja Dawna", forum_member_since=date(2020, 1, 1),
                                       profile_confirmed_at=datetime.now(UTC) - timedelta(days=730))
        factories.organisation("Fundacja Świeża", forum_member_since=date(2020, 1, 1),
                               profile_confirmed_at=datetime.now(UTC))
        factories.person("Jan", "Telefon", phone="+48 600 100 200")
        factories.person("Janek", "Telefonowy", phone="600100200")
        editor = factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=stale)
        coordinator = factories.user(Role.COORDINATOR, email="koordynator@example.org")
        factories.committed(edition, editor, coordinator)
        db.session.add_all([
            ChangeLogEntry(entity_type="organisation", entity_id=stale.id, entity_label=stale.name, action="updated",
                           changes={"phone": [None, "+48 81 000 00 00"]}, user_id=editor.id,
                           review_state="to_review"),
            ChangeLogEntry(entity_type="person", entity_id=1, entity_label="Anna Lis", action="imported",
                           changes={"first_name": [None, "Anna"]}),
            message("anna@example.org", "Zaproszenie do forum-crm", MessageKind.INVITATION, OutboxState.SENT),
            message("jan@example.org", "Nowe hasło", MessageKind.PASSWORD_RESET, OutboxState.FAILED),
        ])
        db.session.commit()
        return {"edition": edition.id, "coordinator": SimpleNamespace(email=coordinator.email),
                "editor": SimpleNamespace(email=editor.email), "stale": stale.id}


def test_the_coordinator_s_home_says_what_to_do_today_each_card_a_link(client, login, day):
    login(day["coordinator"])
    html = client.get("/").text
    edition = card(html, "next_edition")
    assert "IV Forum" in edition and "Za 12 dni" in text_of(edition)
    assert "Zaproszeni 3" in text_of(edition) and "Zarejestrowani 2" in text_of(edition)
    assert "Obecni 0" in text_of(edition)
    assert f'href="/editions/{day["edition"]}/participants"' in edition
    assert f'href="/reports/editions/{day["edition"]}"' in edition
    review = card(html, "changes_to_review")
    assert "1 zmiana redaktora lub członka czeka na przejrzenie" in text_of(review)
    assert 'href="/changes/review"' in review
    stale = card(html, "stale_profiles")
    assert "1 organizacja nie potwierdziła profilu od ponad roku" in text_of(stale)
    assert 'href="/organisations?profile=stale"' in stale
    duplicates = card(html, "likely_duplicates")
    assert "1 para osób" in text_of(duplicates) and "0 par organizacji" in text_of(duplicates)
    assert 'href="/duplicates/people"' in duplicates and 'href="/duplicates/organisations"' in duplicates
    imports = card(html, "recent_imports")
    assert "1 nowa osoba" in text_of(imports) and 'href="/changes?action=imported"' in imports
    mail = card(html, "recent_mail")
    assert "Zaproszenie do forum-crm" in mail and "Nowe hasło" in mail
    assert "Wysłano 1 Nie wysłano 1" in text_of(mail)
    assert 'href="/outbox?state=failed"' in mail and 'href="/outbox"' in mail
    assert "attention" in html.split('aria-labelledby="card-recent_mail"')[0].rsplit("<section", 1)[1]


def test_the_links_of_the_cards_open_the_lists_behind_them(client, login, day):
    login(day["coordinator"])
    stale = text_of(client.get("/organisations?profile=stale").text)
    assert "Fundacja Dawna" in stale and "Fundacja Świeża" not in stale
    imported = client.get("/changes?action=imported").text
    assert "Anna Lis" in imported and "Fundacja Dawna" not in imported
    assert "Tylko: zaimportowano." in text_of(imported)
    assert "Fundacja Dawna" in client.get("/changes").text


def test_the_menu_counts_the_changes_to_review(client, login, day):
    login(day["coordinator"])
    menu = client.get("/editions").text
    assert re.search(r'href="/changes/review">Do przejrzenia <span class="menu-count"[^>]*>1</span>', menu)


def test_without_a_planned_edition_the_card_says_so_and_offers_to_plan_one(app, client, login):
    with app.app_context():
        coordinator = factories.committed(factories.user())
    login(coordinator)
    edition = card(client.get("/").text, "next_edition")
    assert "Nie zaplanowano żadnej edycji." in edition and 'href="/editions/new"' in edition
    assert "Niczego nie zaimportowano." in card(client.get("/").text, "recent_imports")


def test_an_edition_on_now_says_so(app, ctx):
    factories.edition(1, start=TODAY - timedelta(days=1), end=TODAY + timedelta(days=1))
    factories.edition(2, start=TODAY + timedelta(days=40), end=TODAY + timedelta(days=41))
    found = queries.next_edition()
    assert found.edition.number == 1 and found.days_to_go == 0
    assert found.counts == dict.fromkeys(ParticipationStatus, 0)
    assert [edition.number for edition in queries.upcoming_editions()] == [1, 2]


@pytest.fixture
def finder_statements(ctx):
    """The duplicate finder's statements the database runs during the test (recorded on the engine)."""
    statements = []

    def record(_connection, _cursor, sql, *_):
        if "namesakes" in sql:
            statements.append(sql)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    sa.event.remove(db.engine, "before_cursor_execute", record)


def test_the_duplicate_counts_are_the_finder_s_and_follow_edits_at_once(app, ctx, finder_statements):
    first = factories.person("Jan", "Kowalski", phone="600100200")
    second = factories.person("Janek", "Kowalski", phone="+48 600 100 200")
    factories.organisation("Fundacja Ocalenie", short_name="FO")
    factories.organisation("Fundacja Otwarta", short_name="FO")
    db.session.commit()
    finder = {kind: len(db.session.execute(pairs()).all())
              for kind, pairs in (("people", person_pairs), ("organisations", organisation_pairs))}
    assert queries.likely_duplicates() == queries.Duplicates(**finder) == queries.Duplicates(1, 1)
    finder_statements.clear()
    assert queries.likely_duplicates() == queries.Duplicates(1, 1) and not finder_statements  # kept, not counted again
    factories.person("Jan", "Kowalski", phone="600100200")  # a new person: counted at once
    db.session.commit()
    assert queries.likely_duplicates() == queries.Duplicates(3, 1) and finder_statements
    dismiss_pair(DuplicateKind.PERSON, first.id, second.id)
    db.session.commit()
    assert queries.likely_duplicates() == queries.Duplicates(2, 1)  # a dismissal: counted at once


def test_every_card_has_its_macro(app):
    """A new card is a query function in COORDINATOR_CARDS and a macro of the same name."""
    with app.test_request_context():
        module = app.jinja_env.get_template("home/_cards.html").make_module({"outbox_states": {}})
        assert all(callable(getattr(module, name, None)) for name in queries.COORDINATOR_CARDS)


def test_the_editor_sees_the_profile_s_state_and_people(app, client, login, day):
    with app.app_context():
        organisation = db.session.get(Organisation, day["stale"])
        factories.affiliation(factories.person("Ewa", "Redakcyjna"), organisation)
        db.session.commit()
    login(day["editor"])
    html = text_of(client.get("/").text)
    assert "Fundacja Dawna Profil Twojej organizacji" in html and "Profil niepotwierdzony od ponad roku." in html
    assert "Brakuje: Skrót, Miejscowość, Strona internetowa, E-mail, Telefon, Opis, Obszary działania, Języki" in html
    assert "Ewa Redakcyjna" in html and "IV Forum" in html
    assert "Zmiany do przejrzenia" not in html  # the coordinator's cards


def test_the_member_sees_upcoming_editions_the_map_and_the_numbers_with_the_towns_explained(app, client, login,
                                                                                        day):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER, email="czlonek@example.org"))
    login(member)
    html = text_of(client.get("/").text)
    assert "Najbliższe edycje" in html and "IV Forum" in html and "III Forum" not in html
    assert "Otwórz mapę" in html and "wymienia tylko 18" in html
    assert "Profile do potwierdzenia" not in html


def test_the_organisations_list_says_it_includes_other_institutions_and_filters_them(app, client, login, day):
    with app.app_context():
        factories.committed(factories.organisation("UNHCR"))
    login(day["coordinator"])
    everything = text_of(client.get("/organisations").text)
    assert "członkami Forum jest 2" in everything and "a 1 to inne instytucje" in everything
    others = text_of(client.get("/organisations?member=no").text)
    assert "UNHCR" in others and "Fundacja Dawna" not in others
    members = text_of(client.get("/organisations?member=yes").text)
    assert "UNHCR" not in members and "Fundacja Dawna" in members


def test_home_counts_are_aggregates_of_the_whole_tables(app, ctx):
    """The counts do not load rows: a hundred stale organisations are one number."""
    old = datetime.now(UTC) - timedelta(days=400)
    db.session.add_all([Organisation(name=f"Stara {number}", profile_confirmed_at=old, created_at=old)
                        for number in range(100)])
    db.session.flush()
    statements = []

    def remember(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert queries.COORDINATOR_CARDS["stale_profiles"]() == 100
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert len(statements) == 1 and "count(" in statements[0].lower()


def test_logging_out_and_in_keeps_the_home(client, login, day):
    login(day["coordinator"])
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    html = text_of(client.get("/").text)
    assert "12 days to go" in html and "Invitees 3" in html and "Profiles to confirm" in html


def test_the_home_shows_registration_mailings_and_data_protection(app, client, login, day):
    with app.app_context():
        edition = db.session.get(Edition, day["edition"])
        db.session.add(EditionRegistration(edition_id=edition.id, opens_on=TODAY, closes_on=edition.start_date,
                                           capacity=30))
        person = db.session.scalar(sa.select(Person).where(Person.last_name == "Lis"))
        db.session.add(ErasureRequest(person=person, source=ErasureSource.PERSON))
        db.session.add(Mailing(source="people", source_args={}, subject_pl="Zaproszenie na IV Forum", body_pl="…"))
        db.session.commit()
    login(day["coordinator"])
    html = client.get("/").text
    registration = text_of(card(html, "next_registration"))
    assert "Zarejestrowani 2 / 30" in registration and "Lista rezerwowa 0" in registration
    assert f'href="/registration/editions/{day["edition"]}/answers"' in card(html, "next_registration")
    protection = card(html, "data_protection")
    assert "1 wniosek o usunięcie danych czeka na odpowiedź" in text_of(protection)
    assert 'href="/gdpr/requests"' in protection and 'href="/gdpr/retention"' in protection
    mailings = card(html, "recent_mailings")
    assert "Zaproszenie na IV Forum" in mailings and "szkic" in text_of(mailings)


def test_without_an_edition_ahead_there_is_no_registration_card(app, client, login):
    with app.app_context():
        coordinator = factories.committed(factories.user(Role.COORDINATOR))
    login(coordinator)
    assert 'aria-labelledby="card-next_registration"' not in client.get("/").text
