"""Undoing a merge of two people from the review feed (/changes/review): the entry offers it, a confirmation page
asks first, and the undo is refused with a message once it was undone or after 30 days."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Person, PersonMerge, Role
from tests import factories
from tests.conftest import csrf_token
from tests.test_events import english, post


@pytest.fixture
def merged(app, client, login):
    """Kowalska Anna merged into Anna Kowalska by a logged-in coordinator: (kept id, removed id, entry id)."""
    with app.app_context():
        first, second = factories.person("Anna", "Kowalska"), factories.person("Kowalska", "Anna")
        user = factories.user(Role.COORDINATOR)
        ids = first.id, second.id
        factories.committed(first, second, user)
    login(user)
    english(client)
    assert post(client, f"/duplicates/people/{ids[0]}/{ids[1]}/merge", {"kept": "first"}).status_code == 302
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.action == "merged"))
    return (*ids, entry_id)


def test_the_review_feed_undoes_a_merge_after_confirmation(app, client, merged):
    kept_id, removed_id, entry_id = merged
    feed = client.get("/changes/review").text
    assert "merged with a duplicate" in feed and f'href="/changes/review/{entry_id}/undo-merge"' in feed

    confirmation = client.get(f"/changes/review/{entry_id}/undo-merge")
    assert confirmation.status_code == 200
    assert "Undo this merge?" in confirmation.text and "Kowalska Anna" in confirmation.text
    with app.app_context():
        assert db.session.get(Person, removed_id) is None  # asking changes nothing

    response = post(client, f"/changes/review/{entry_id}/undo-merge")

    assert response.status_code == 302 and response.location == "/changes/review"
    assert "Merge undone: Kowalska Anna is a separate record again." in client.get("/changes/review").text
    with app.app_context():
        assert db.session.get(Person, removed_id).full_name == "Kowalska Anna"
        assert db.session.get(Person, kept_id).full_name == "Anna Kowalska"
    assert "This merge can no longer be undone." in client.get("/changes/review").text


def test_an_undone_merge_is_refused_with_a_message(app, client, merged):
    _, _, entry_id = merged
    post(client, f"/changes/review/{entry_id}/undo-merge")
    assert "can no longer be undone" in client.get(f"/changes/review/{entry_id}/undo-merge").text

    response = post(client, f"/changes/review/{entry_id}/undo-merge")

    assert response.status_code == 302
    assert "This merge has been undone already." in client.get("/changes/review").text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2


def test_a_merge_older_than_30_days_is_refused_with_a_message(app, client, merged):
    _, removed_id, entry_id = merged
    with app.app_context():
        merge = db.session.scalar(sa.select(PersonMerge))
        merge.merged_at -= timedelta(days=31)
        db.session.commit()
    assert f"/changes/review/{entry_id}/undo-merge" not in client.get("/changes/review").text

    post(client, f"/changes/review/{entry_id}/undo-merge")

    assert "This merge is older than 30 days and can no longer be undone." in client.get("/changes/review").text
    with app.app_context():
        assert db.session.get(Person, removed_id) is None


def test_undo_needs_the_csrf_token_and_a_merge(app, client, merged):
    _, removed_id, entry_id = merged
    assert client.post(f"/changes/review/{entry_id}/undo-merge").status_code == 400
    with app.app_context():
        assert db.session.get(Person, removed_id) is None
        other_entry = db.session.scalar(sa.select(ChangeLogEntry.id).where(ChangeLogEntry.action != "merged"))
    token = csrf_token(client, "/")
    for entry in (other_entry, 999_999):
        assert client.post(f"/changes/review/{entry}/undo-merge", data={"csrf_token": token}).status_code == 404
