"""Right of access and portability (Art. 15 and 20): one ZIP of everything about one person, a page to read (Polish
or English) and JSON. The person downloads their own from /me; the coordinator anyone's; both need a recent
password and go in the security log."""

import io
import json
import zipfile
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum_crm.auth.permissions import PASSWORD_CONFIRMED_AT
from forum_crm.changelog import record_change
from forum_crm.consents import record_consent
from forum_crm.editions.participation import check_in
from forum_crm.extensions import db
from forum_crm.gdpr.places import PLACES
from forum_crm.models import AuthEvent, AuthEventKind, ConsentPurpose, ConsentSource, Role
from forum_crm.outbox.services import queue_message
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def member(app):
    with app.test_request_context():
        organisation = factories.organisation("Fundacja Przystań")
        person = factories.person("Olena", "Kowalczuk", email="olena@example.org", phone="+48 600 100 200",
                                  expertise="prawo <b>migracyjne</b>", notes="tylko dla koordynacji")
        factories.affiliation(person, organisation, role_title="prawniczka")
        record_consent(person, ConsentPurpose.MAP, True, ConsentSource.COORDINATOR, note="formularz Forum II")
        record_change("person", person, "updated", {"phone": [None, "+48 600 100 200"]})
        edition = factories.edition(2, start=date(2023, 8, 31), end=date(2023, 9, 1))
        check_in(edition, person.id, date(2023, 8, 31))
        queue_message("olena@example.org", "invitation", "Zaproszenie na Forum", "Dzień dobry!", language="pl",
                      person=person)
        account = factories.user(Role.MEMBER, email="olena@example.org", person=person)
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        factories.committed(person, account, coordinator)
        return SimpleNamespace(person=person.id, account=account, coordinator=coordinator)


def archive_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_a_person_downloads_everything_about_them_from_me(app, client, login, member):
    login(member.account)
    page = client.get("/me/data")
    assert page.status_code == 200 and "Pobierz moje dane (ZIP)" in page.text
    bundle = archive_of(client.post("/me/data", data={"csrf_token": csrf_token(client, "/me/data")}))
    assert sorted(bundle.namelist()) == ["dane.html", "data.json"]
    data = json.loads(bundle.read("data.json"))
    assert set(data) == {"person_id", "exported_on", "application", *(place.key for place in PLACES)}
    assert data["profile"][0]["email"] == "olena@example.org" and data["profile"][0]["notes"] == "tylko dla koordynacji"
    assert data["affiliations"] == [{"organisation": "Fundacja Przystań", "role_title": "prawniczka",
                                     "is_primary": False, "started_on": None, "ended_on": None}]
    [participation] = data["participations"]
    assert participation["status"] == "attended" and len(participation["checked_in"]) == 1
    assert [(row["purpose"], row["given"], row["note"]) for row in data["consents"]] == [
        ("map", True, "formularz Forum II")]
    assert [row["subject"] for row in data["messages"]] == ["Zaproszenie na Forum"]
    assert {"phone": [None, "+48 600 100 200"]} in [row["changes"] for row in data["changes"]]
    assert data["account"][0]["email"] == "olena@example.org" and data["account"][0]["role"] == "member"
    assert "login" in [row["kind"] for row in data["security_log"]]
    page = bundle.read("dane.html").decode()
    assert "Twoje dane w forum-crm" in page and "Fundacja Przystań" in page and "formularz Forum II" in page
    assert "prawo &lt;b&gt;migracyjne&lt;/b&gt;" in page  # escaped
    with app.app_context():
        details = db.session.scalars(sa.select(AuthEvent.detail).where(
            AuthEvent.kind == AuthEventKind.DATA_EXPORTED)).all()
    assert details == [f"data of person {member.person}: {len(PLACES)} sections"]


def test_the_page_comes_in_english_when_the_person_reads_english(client, login, member):
    login(member.account)
    client.post("/language", data={"lang": "en", "next": "/me", "csrf_token": csrf_token(client, "/me")})
    bundle = archive_of(client.post("/me/data", data={"csrf_token": csrf_token(client, "/me/data")}))
    assert "Your data in forum-crm" in bundle.read("data.html").decode()


def test_the_download_needs_a_recent_password(app, client, login, member):
    login(member.account)
    with client.session_transaction() as session:
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    refused = client.post("/me/data", data={"csrf_token": csrf_token(client, "/me/data")})
    assert refused.status_code == 302 and refused.location.startswith("/me/confirm-password?next=/me/data")
    confirmed = client.post(refused.location, data={"password": factories.PASSWORD, "next": "/me/data",
                                                    "csrf_token": csrf_token(client, refused.location)})
    assert confirmed.location == "/me/data"
    archive_of(client.post("/me/data", data={"csrf_token": csrf_token(client, "/me/data")}))


def test_an_account_without_a_person_is_told_so(client, login, app):
    with app.app_context():
        editor = factories.committed(factories.user(Role.ORG_EDITOR, organisation=factories.organisation()))
    login(editor)
    page = client.get("/me/data")
    assert "nie jest powiązane z wpisem" in page.text
    assert client.post("/me/data", data={"csrf_token": csrf_token(client, "/me/data")}).mimetype == "text/html"


def test_the_coordinator_downloads_anyones_data_and_it_is_logged(app, client, login, member):
    login(member.coordinator)
    bundle = archive_of(client.get(f"/gdpr/people/{member.person}/export.zip"))
    assert json.loads(bundle.read("data.json"))["profile"][0]["first_name"] == "Olena"
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuthEvent).where(AuthEvent.kind == AuthEventKind.DATA_EXPORTED))
        assert event.user.email == "koordynatorka@example.org"
        assert event.path == f"/gdpr/people/{member.person}/export.zip"
    with client.session_transaction() as session:
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    assert client.get(f"/gdpr/people/{member.person}/export.zip").location.startswith("/me/confirm-password")
    assert client.get("/gdpr/people/999999/export.zip").status_code in (302, 404)


def test_others_cannot_download_someone_elses_data(client, login, member):
    login(member.account)
    assert client.get(f"/gdpr/people/{member.person}/export.zip").status_code == 403
