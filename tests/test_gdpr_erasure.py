"""Right to erasure (Art. 17): after the coordinator anonymises a person, none of their values is anywhere in the
database (every column of every table, found by reflection, on SQLite and PostgreSQL), nor on any page, export,
search or map; what stays is anonymous and still counts. A person asks from /me; the coordinator answers."""

import json
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.auth.permissions import PASSWORD_CONFIRMED_AT
from forum_crm.auth.services import invite
from forum_crm.changelog import record_change
from forum_crm.consents import record_consent
from forum_crm.duplicates.merging import merge_people
from forum_crm.editions.participation import check_in
from forum_crm.extensions import db
from forum_crm.gdpr.erasure import AlreadyAnonymised, anonymise, request_erasure
from forum_crm.gdpr.subject import masked, mentions
from forum_crm.mail import queue_invitation
from forum_crm.models import (
    AuthEvent,
    ChangeLogEntry,
    ConsentPurpose,
    ConsentSource,
    ErasureRequest,
    ErasureSource,
    ErasureState,
    OutboxMessage,
    Participation,
    Person,
    Role,
    User,
)
from forum_crm.outbox.services import queue_message
from tests import factories
from tests.conftest import csrf_token

FIRST, LAST = "Zbigniewa", "Qwertyńska"
EMAIL, OLD_EMAIL = "zbigniewa.qwertynska@example.org", "zq.stary@example.org"
PHONE = "+48 601 777 123"
# Everything that identified her: none of it may be left anywhere once she is anonymised.
ERASED = [FIRST, LAST, EMAIL, OLD_EMAIL, PHONE, "601777123", "Notatka-tajna-XYZ", "Ekspertyza-unikalna-ABC",
          "Prezeska-Unikalna", "Zgoda-notatka-QQQ", "Prośba-wiadomość-WWW"]


def database_dump() -> list[tuple[str, str, str]]:
    """(table, column, text) of every non-empty value in every column of every table, found by reflection."""
    inspector = sa.inspect(db.engine)
    found = []
    with db.engine.connect() as connection:
        for table in inspector.get_table_names():
            columns = [column["name"] for column in inspector.get_columns(table)]
            quoted = ", ".join(f'"{name}"' for name in columns)
            for row in connection.execute(sa.text(f'SELECT {quoted} FROM "{table}"')):
                found += [(table, name, value if isinstance(value, str) else json.dumps(value, default=str))
                          for name, value in zip(columns, row, strict=True) if value is not None]
    return found


def leftovers(texts: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The texts holding an erased value, as written or as JSON escapes it (any case)."""
    forms = {form.lower() for value in ERASED for form in (value, json.dumps(value)[1:-1])}
    return [(table, column, text) for table, column, text in texts
            if any(form in text.lower() for form in forms)]


@pytest.fixture
def network(app):
    """Her record, everywhere the app keeps something about someone: profile, job, account, security log,
    consents, e-mails, an edition with her check-in, the change log, a merged duplicate, an erasure request."""
    with app.test_request_context():
        town = factories.locality("Zamość")
        organisation = factories.organisation("Fundacja Ślad", forum_member_since=date(2023, 5, 18))
        person = factories.person(FIRST, LAST, email=EMAIL, phone=PHONE, notes="Notatka-tajna-XYZ",
                                  expertise="Ekspertyza-unikalna-ABC", locality=town, forum_member=True)
        factories.affiliation(person, organisation, role_title="Prezeska-Unikalna", is_primary=True)
        colleague = factories.person("Jan", "Kolega", email="jan@example.org", forum_member=True)
        factories.affiliation(colleague, organisation)
        record_change("person", person, "created", {"first_name": [None, FIRST], "email": [None, EMAIL]})
        record_consent(person, ConsentPurpose.DIRECTORY, True, ConsentSource.COORDINATOR, note="Zgoda-notatka-QQQ")
        record_consent(person, ConsentPurpose.MAP, True, ConsentSource.FORM)
        twin = factories.person(FIRST, LAST, email=OLD_EMAIL, phone=PHONE)
        merge_people(person, twin, set())
        edition = factories.edition(1, start=date(2023, 5, 18), end=date(2023, 5, 19))
        check_in(edition, person.id, date(2023, 5, 18))
        check_in(edition, colleague.id, date(2023, 5, 18))
        account, token = invite(EMAIL, Role.ORG_EDITOR, organisation, person)
        queue_invitation(account, token)
        account.active = True
        account.set_password(factories.PASSWORD)
        queue_message("koordynacja@example.org", "invitation", f"Zgłoszenie: {FIRST} {LAST}",
                      f"Nowa osoba: {FIRST} {LAST} <{EMAIL}>, tel. {PHONE}", language="pl")
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        factories.committed(person, colleague, edition, coordinator, organisation)
        return SimpleNamespace(person=person.id, edition=edition.id, organisation=organisation.id,
                               colleague=colleague.id, coordinator=coordinator.email, town=town.name)


def log_in(client, email, password=factories.PASSWORD):
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    return response


def ask_and_erase(app, network):
    """She logs in (and mistypes her password once), asks from /me; the coordinator searches her, exports the
    list found, and anonymises her from the list of requests, confirming that her organisation loses its editor."""
    person = app.test_client()
    person.post("/login", data={"email": EMAIL, "password": "wrong", "csrf_token": csrf_token(person, "/login")})
    log_in(person, EMAIL)
    asked = person.post("/me/erasure", data={"message": "Prośba-wiadomość-WWW", "understood": "y",
                                             "csrf_token": csrf_token(person, "/me/erasure")})
    assert asked.status_code == 302
    coordinator = app.test_client()
    log_in(coordinator, network.coordinator)
    assert LAST in coordinator.get(f"/people?q={LAST}").text
    assert coordinator.get(f"/people/export.csv?q={LAST}").status_code == 200
    requests = coordinator.get("/gdpr/requests").text
    assert "Prośba-wiadomość-WWW" in requests
    with app.app_context():
        request_id = db.session.scalar(sa.select(ErasureRequest.id))
    page = coordinator.get(f"/gdpr/people/{network.person}/erase?request={request_id}")
    assert page.status_code == 200 and "Fundacja Ślad" in page.text  # the only editor: warned first
    data = {"reason": "Wniosek z art. 17 RODO", "reference": "list z 2 grudnia", "irreversible": "y",
            "csrf_token": csrf_token(coordinator, f"/gdpr/people/{network.person}/erase")}
    warned = coordinator.post(f"/gdpr/people/{network.person}/erase", data=data)
    assert warned.status_code == 422 and "nie będzie miała" in warned.text
    with app.app_context():
        assert db.session.get(Person, network.person).anonymised_at is None  # nothing happened yet
    done = coordinator.post(f"/gdpr/people/{network.person}/erase", data={**data, "without_editor": "y"})
    assert done.status_code == 302 and done.location == f"/people/{network.person}"
    return coordinator, person


def test_after_erasure_no_erased_value_is_left_in_the_database(app, network):
    with app.app_context():
        assert leftovers(database_dump())  # the test finds them while they are there
    ask_and_erase(app, network)
    with app.app_context():
        assert leftovers(database_dump()) == []


def test_what_stays_is_anonymous_and_still_counts(app, network):
    ask_and_erase(app, network)
    with app.app_context():
        person = db.session.get(Person, network.person)
        assert person.anonymised_at is not None and person.full_name == "Osoba zanonimizowana"
        assert (person.email, person.phone, person.notes, person.locality_id, person.search_text, person.first_key,
                person.phone_key) == (None, None, None, None, "", "", None)
        assert not (person.is_listed or person.is_on_map or person.accepts_newsletter)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)
                                 .where(Participation.edition_id == network.edition)) == 2
        assert len(person.affiliations) == 1 and person.affiliations[0].organisation_id == network.organisation
        assert db.session.scalar(sa.select(User).where(User.email == EMAIL)) is None  # the account is closed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.person_id == network.person)) == 0
        erasure = db.session.scalar(sa.select(ErasureRequest))
        assert (erasure.state, erasure.source, erasure.reason, erasure.reference, erasure.message) == (
            ErasureState.DONE, ErasureSource.PERSON, "Wniosek z art. 17 RODO", "list z 2 grudnia", None)
        assert erasure.handled_by.email == network.coordinator and erasure.handled_at is not None
        assert db.session.scalar(sa.select(ChangeLogEntry.action).where(
            ChangeLogEntry.entity_type == "person", ChangeLogEntry.entity_id == network.person)
            .order_by(ChangeLogEntry.id.desc()).limit(1)) == "anonymised"
        check_ins = db.session.scalars(sa.select(ChangeLogEntry.changes).where(
            ChangeLogEntry.entity_type == "edition", ChangeLogEntry.action == "checked_in")).all()
        assert sorted(changes["person"][0] for changes in check_ins) == ["***", "Jan Kolega"]  # others stay
        kinds = db.session.scalars(sa.select(AuthEvent.kind).where(AuthEvent.user_id.is_(None))).all()
        assert "login" in kinds  # her security log stays, without her address or account


def test_no_page_export_search_or_map_shows_her_afterwards(app, network):
    coordinator, _person = ask_and_erase(app, network)
    pages = [f"/people/{network.person}", "/people", f"/people?q={LAST}", "/people/export.csv",
             f"/editions/{network.edition}", f"/editions/{network.edition}/participants",
             f"/editions/{network.edition}/participants/export.csv", "/changes", "/changes/export.csv",
             "/outbox", "/me/security-log", "/gdpr/requests", "/directory", f"/directory?q={LAST}", "/map",
             "/reports", "/reports/people?year=2023", "/reports/export/people.csv?year=2023",
             f"/reports/editions/{network.edition}", f"/organisations/{network.organisation}", "/duplicates/people",
             "/duplicates/merges", "/accounts"]
    for url in pages:
        response = coordinator.get(url, buffered=True)
        assert response.status_code == 200, url
        # the search box and the language switch show what was typed
        text = response.get_data(as_text=True).replace(f'value="{LAST}"', "").replace(f'value="{url}"', "")
        assert not leftovers([("page", url, text)]), url
    detail = coordinator.get(f"/people/{network.person}").text
    assert "Osoba zanonimizowana" in detail and "Zanonimizowano" in detail and "/erase" not in detail
    assert "Osoba zanonimizowana" in coordinator.get("/people").text
    participants = coordinator.get(f"/editions/{network.edition}").text
    assert "2" in participants  # the edition still counts her


def test_her_session_ends_and_she_can_no_longer_log_in(app, network):
    _coordinator, person = ask_and_erase(app, network)
    assert person.get("/me").status_code == 302
    refused = person.post("/login", data={"email": EMAIL, "password": factories.PASSWORD,
                                          "csrf_token": csrf_token(person, "/login")})
    assert refused.status_code != 302


def test_an_anonymised_person_cannot_be_erased_or_exported_again(app, network):
    coordinator, _person = ask_and_erase(app, network)
    again = coordinator.get(f"/gdpr/people/{network.person}/erase", follow_redirects=True)
    assert "już zanonimizowana" in again.text
    export = coordinator.get(f"/gdpr/people/{network.person}/export.zip", follow_redirects=True)
    assert export.mimetype == "text/html" and "zanonimizowana" in export.text
    with app.test_request_context(), pytest.raises(AlreadyAnonymised):
        anonymise(db.session.get(Person, network.person), "again")


def test_erasure_needs_the_confirmation_a_reason_and_a_recent_password(app, client, login, network):
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == network.coordinator))
    login(coordinator)
    url = f"/gdpr/people/{network.colleague}/erase"
    page = client.get(url)
    assert "Tej operacji nie można cofnąć" in page.text and "Fundacja Ślad" not in page.text  # no editor lost
    missing = client.post(url, data={"reason": "", "csrf_token": csrf_token(client, url)})
    assert missing.status_code == 422
    with client.session_transaction() as session:
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    stale = client.post(url, data={"reason": "x", "irreversible": "y", "csrf_token": csrf_token(client, "/")})
    assert stale.status_code == 302 and stale.location.startswith("/me/confirm-password")
    with app.app_context():
        assert db.session.get(Person, network.colleague).anonymised_at is None


def test_a_person_asks_once_and_the_coordinator_may_decline(app, client, login, network):
    with app.app_context():
        login(db.session.scalar(sa.select(User).where(User.email == EMAIL)))
    unconfirmed = client.post("/me/erasure", data={"csrf_token": csrf_token(client, "/me/erasure")})
    assert unconfirmed.status_code == 422
    client.post("/me/erasure", data={"understood": "y", "csrf_token": csrf_token(client, "/me/erasure")})
    page = client.get("/me/erasure").text
    assert "Prośba o usunięcie Twoich danych została wysłana" in page
    client.post("/me/erasure", data={"understood": "y", "csrf_token": csrf_token(client, "/")})
    with app.app_context():
        [request] = db.session.scalars(sa.select(ErasureRequest)).all()  # one request, not two
    coordinator = app.test_client()
    log_in(coordinator, network.coordinator)
    url = f"/gdpr/requests/{request.id}/decline"
    assert coordinator.post(url, data={"reason": "", "csrf_token": csrf_token(coordinator, url)}).status_code == 422
    declined = coordinator.post(url, data={"reason": "Obowiązek prawny: rozliczenie grantu",
                                           "csrf_token": csrf_token(coordinator, url)})
    assert declined.status_code == 302
    listed = coordinator.get("/gdpr/requests?state=declined").text
    assert "Obowiązek prawny" in listed and "Odrzucone" in listed
    assert coordinator.get(url).status_code == 404  # handled: nothing to decline
    with app.app_context():
        assert db.session.get(Person, network.person).anonymised_at is None


def test_someone_without_account_or_contact_details_is_erased_too(app, network):
    with app.test_request_context():
        colleague = db.session.get(Person, network.colleague)
        colleague.email = None
        erasure = anonymise(colleague, "Wniosek ustny", reference="rozmowa 3 grudnia")
        db.session.commit()
        assert (erasure.source, erasure.state, erasure.handled_by_id) == (
            ErasureSource.COORDINATOR, ErasureState.DONE, None)
        assert db.session.get(Person, network.colleague).anonymised_at is not None
        with pytest.raises(AlreadyAnonymised):
            request_erasure(colleague, "jeszcze raz")


def test_masking_reaches_into_json_and_leaves_other_text():
    assert masked({"person": ["Anna Nowak", 3], "note": "ANNA NOWAK, anna@example.org"},
                  ("Anna Nowak", "anna@example.org")) == {"person": ["***", 3], "note": "***, ***"}
    assert str(mentions(sa.column("detail"), ())) == "false"
