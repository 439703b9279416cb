"""Retention: people with no activity (no participation, no change, no login) for RETENTION_MONTHS are listed for the
coordinator and anonymised by `flask gdpr retention --apply`, which summarises what it did."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum_crm.config import retention_settings
from forum_crm.extensions import db
from forum_crm.gdpr.queries import months_before, retention_cutoff
from forum_crm.home.queries import data_protection
from forum_crm.models import ChangeLogEntry, ErasureRequest, ErasureSource, Origin, Person, Role
from tests import factories

LONG_AGO = datetime.now(UTC) - timedelta(days=4 * 365)


@pytest.fixture
def people(app):
    """Five people added four years ago: one did nothing since, the others each did one thing recently."""
    with app.app_context():
        quiet, attended, edited, logged_in = (
            factories.person("Cicha", "Osoba", email="cicha@example.org", created_at=LONG_AGO),
            factories.person("Obecna", "Osoba", created_at=LONG_AGO),
            factories.person("Zmieniona", "Osoba", created_at=LONG_AGO),
            factories.person("Zalogowana", "Osoba", created_at=LONG_AGO))
        demo = factories.person("Demo", "Osoba", created_at=LONG_AGO, origin=Origin.DEMO)
        old_edition = factories.edition(1, start=date(2021, 5, 18), end=date(2021, 5, 19))
        factories.participation(old_edition, quiet, created_at=LONG_AGO)
        factories.participation(factories.edition(2, start=date.today() - timedelta(days=40),
                                                  end=date.today() - timedelta(days=39)), attended)
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=edited.id, entity_label="x", action="updated",
                                      changes={}))
        factories.user(Role.MEMBER, person=logged_in, created_at=LONG_AGO, last_login_at=datetime.now(UTC))
        factories.user(Role.MEMBER, person=quiet, created_at=LONG_AGO, last_login_at=LONG_AGO)
        db.session.flush()
        db.session.execute(sa.update(Person).values(updated_at=LONG_AGO))
        db.session.commit()
        return {"quiet": quiet.id, "demo": demo.id}


def test_months_before_keeps_the_day_or_takes_the_month_s_last():
    assert months_before(date(2026, 11, 30), 36) == date(2023, 11, 30)
    assert months_before(date(2024, 5, 31), 3) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert retention_cutoff(date(2026, 11, 30), 36) == datetime(2023, 11, 30, tzinfo=UTC)


def test_the_coordinator_sees_who_is_past_the_retention_period(app, client, login, people):
    with app.app_context():
        login(factories.committed(factories.user(Role.COORDINATOR)))
    page = client.get("/gdpr/retention").text
    assert "Cicha Osoba" in page and "1 osoba" in page and "36" in page
    for active in ("Obecna", "Zmieniona", "Zalogowana", "Demo"):
        assert active not in page


def test_the_command_shows_then_anonymises_with_a_summary(app, people):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["gdpr", "retention"])
    assert shown.exit_code == 0 and "1 person(s) with no activity for 36 months" in shown.output
    assert f"#{people['quiet']}  Cicha Osoba" in shown.output
    with app.app_context():
        assert db.session.get(Person, people["quiet"]).anonymised_at is None  # only shown
    applied = runner.invoke(args=["gdpr", "retention", "--apply"])
    assert applied.exit_code == 0 and "Anonymised 1 person(s)" in applied.output
    assert "deleted 0 registration answer(s)" in applied.output
    with app.app_context():
        quiet = db.session.get(Person, people["quiet"])
        assert quiet.anonymised_at is not None and quiet.email is None
        erasure = db.session.scalar(sa.select(ErasureRequest))
        assert erasure.source == ErasureSource.RETENTION and "36" in erasure.reason and erasure.handled_by_id is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                                 .where(Person.anonymised_at.is_not(None))) == 1
    assert "0 person(s)" in runner.invoke(args=["gdpr", "retention"]).output


def test_the_period_is_a_setting(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 60)
    assert "0 person(s) with no activity for 60 months" in app.test_cli_runner().invoke(
        args=["gdpr", "retention"]).output


def test_the_command_mentions_requests_waiting(app, people):
    with app.app_context():
        db.session.add(ErasureRequest(person_id=people["demo"], source=ErasureSource.PERSON))
        db.session.commit()
    assert "1 request(s) to erase wait" in app.test_cli_runner().invoke(args=["gdpr", "retention"]).output


def test_a_long_list_is_cut_short(app, people, monkeypatch):
    monkeypatch.setattr("forum_crm.gdpr.commands.LISTED", 0)
    assert "... and 1 more" in app.test_cli_runner().invoke(args=["gdpr", "retention"]).output


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("FORUM_CRM_RETENTION_MONTHS", "24")
    monkeypatch.setenv("FORUM_CRM_ANSWER_RETENTION_DAYS", "14")
    assert retention_settings() == {"RETENTION_MONTHS": 24, "ANSWER_RETENTION_DAYS": 14}
    monkeypatch.setenv("FORUM_CRM_RETENTION_MONTHS", "0")
    with pytest.raises(RuntimeError, match="at least 1"):
        retention_settings()


def test_the_home_counts_the_people_the_retention_page_lists_and_follows_edits_at_once(app, client, login, people):
    with app.app_context():
        login(factories.committed(factories.user(Role.COORDINATOR)))
    assert "1 osoba" in client.get("/gdpr/retention").text
    with app.test_request_context():
        assert data_protection().past_retention == 1
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=people["quiet"], entity_label="x",
                                      action="updated", changes={}))
        db.session.commit()
        assert data_protection().past_retention == 0  # the edit counts at once, not after a while
    assert "Cicha Osoba" not in client.get("/gdpr/retention").text
