"""Personal data leaving the application (issue 11, item 7): every export that names people needs the
password typed in the last ten minutes and is recorded in the security log, with its filters and how many
records it lists. Organisations' details and the reports' counts are not personal data."""

from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.auth.permissions import PASSWORD_CONFIRMED_AT
from forum_crm.extensions import db
from forum_crm.models import AuthEvent, AuthEventKind, Role
from tests import factories
from tests.conftest import csrf_token

# (URL, file name, records listed): three forum members, two of them at the edition, one called Kowalska.
PERSONAL = [
    ("/people/export.csv", "people.csv", 3),
    ("/people/export.xlsx?q=Kowalska", "people.xlsx", 1),
    ("/editions/{edition}/participants/export.csv", "participants-I.csv", 2),
    ("/registration/editions/{edition}/answers/export.xlsx", "registrations-I.xlsx", 2),
    ("/changes/export.xlsx", "changes.xlsx", 0),
    ("/reports/export/people.csv?year=2023", "people-editions.csv", 3),
    ("/reports/export/people.xlsx?year=2023", "people-editions.xlsx", 3),
]
NOT_PERSONAL = ["/organisations/export.csv", "/reports/export/trend.csv?year=2023",
                "/reports/export/reengage.xlsx", "/reports/export/organisations.csv",
                "/reports/editions/{edition}/export/partners.csv", "/reports/editions/{edition}/export/attendance.xlsx"]


@pytest.fixture
def edition_id(app):
    with app.app_context():
        edition = factories.edition(number=1, start=date(2023, 5, 18), end=date(2023, 5, 19))
        people = [factories.person("Anna", "Kowalska", forum_member=True),
                  factories.person("Jan", "Nowak", forum_member=True),
                  factories.person("Ewa", "Wiśniewska", forum_member=True)]
        for person in people[:2]:
            factories.participation(edition, person)
        factories.committed(edition)
        return edition.id


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(email="koordynatorka@example.org"))
    login(user)
    with client.session_transaction() as session:  # logged in more than ten minutes ago
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    return user


def exports_logged(app) -> list[tuple[str, str, str]]:
    """(account's e-mail, path, detail) of each export in the security log."""
    with app.app_context():
        return [(event.user.email, event.path, event.detail) for event in db.session.scalars(
            sa.select(AuthEvent).where(AuthEvent.kind == AuthEventKind.DATA_EXPORTED).order_by(AuthEvent.id))]


@pytest.mark.parametrize(("url", "name", "records"), PERSONAL)
def test_a_personal_data_export_needs_the_password_and_is_in_the_security_log(
        app, client, coordinator, edition_id, url, name, records):
    url = url.format(edition=edition_id)
    refused = client.get(url)
    assert refused.status_code == 302 and refused.location.startswith("/me/confirm-password?next=")
    assert exports_logged(app) == []

    confirmed = client.post(refused.location, data={"password": factories.PASSWORD, "next": url,
                                                    "csrf_token": csrf_token(client, refused.location)})
    assert confirmed.status_code == 302 and confirmed.location == url
    download = client.get(url)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.data
    download.close()

    [(email, path, detail)] = exports_logged(app)
    assert email == "koordynatorka@example.org" and path == url.partition("?")[0]
    assert detail.startswith(f"{name}: {records} records")
    query = url.partition("?")[2]
    assert (f"; filters: {query}" in detail) == bool(query)
    log = client.get("/me/security-log").text
    assert "Eksport danych osobowych" in log and f"{records} records" in log


@pytest.mark.parametrize("url", NOT_PERSONAL)
def test_exports_without_personal_data_need_no_password_and_are_not_logged(app, client, coordinator, edition_id,
                                                                           url):
    download = client.get(url.format(edition=edition_id))
    assert download.status_code == 200 and download.data
    assert exports_logged(app) == []


def test_each_download_is_logged_again(app, client, login, edition_id):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)  # the password was just typed
    for _ in range(2):
        download = client.get("/people/export.csv")
        assert download.status_code == 200 and download.data
    assert len(exports_logged(app)) == 2


def test_others_cannot_read_the_security_log(app, client, login):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    assert client.get("/me/security-log").status_code == 403
