"""A request that only read ends its transaction with COMMIT (forum_crm.database.end_reading_transaction), so that
psycopg keeps the statements it prepared on the connection; a request that failed, or wrote without committing, is
still rolled back: nothing half-saved."""

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Person
from tests import factories
from tests.conftest import postgres_url


def transaction_ends(app, action, ends: list[str] | None = None) -> list[str]:
    """How the transactions `action` ran on the app's engine ended: "commit" or "rollback", in order (also in
    `ends`, if given, when the action raises)."""
    ends = [] if ends is None else ends
    with app.app_context():
        engine = db.engine
    listeners = {name: (lambda _connection, name=name: ends.append(name)) for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        sa.event.listen(engine, name, listener)
    try:
        action()
    finally:
        for name, listener in listeners.items():
            sa.event.remove(engine, name, listener)
    return ends


def log_in_coordinator(app, login) -> None:
    with app.app_context():
        coordinator = factories.committed(factories.user())
    login(coordinator)


def people_named(app, last_name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.last_name == last_name))


def test_a_page_that_only_reads_ends_its_transaction_with_commit(app, client, login):
    log_in_coordinator(app, login)
    assert transaction_ends(app, lambda: client.get("/organisations")) == ["commit"]


def test_a_write_not_committed_is_rolled_back_at_the_end_of_the_request(app):
    def flush_without_commit():
        with app.app_context():
            factories.person(last_name="Niezapisana")
            db.session.flush()

    assert transaction_ends(app, flush_without_commit) == ["rollback"]
    assert people_named(app, "Niezapisana") == 0


def test_a_failed_request_is_rolled_back_even_if_it_only_read(app):
    def fail_after_reading():
        with app.app_context():
            db.session.scalar(sa.select(sa.func.count()).select_from(Person))
            raise LookupError("the request failed")

    ends = []
    with pytest.raises(LookupError):
        transaction_ends(app, fail_after_reading, ends)
    assert ends == ["rollback"]


def test_an_added_record_not_yet_flushed_is_not_saved(app):
    def add_without_flush():
        with app.app_context():
            db.session.scalar(sa.select(sa.func.count()).select_from(Person))
            db.session.add(Person(first_name="Anna", last_name="Dodana"))

    assert transaction_ends(app, add_without_flush) == ["rollback"]
    assert people_named(app, "Dodana") == 0


@pytest.mark.skipif(postgres_url() is None, reason="prepared statements are PostgreSQL's (TEST_DATABASE_URL)")
def test_postgresql_keeps_the_statements_prepared_on_a_connection_between_requests(app, client, login):
    log_in_coordinator(app, login)
    with app.app_context():
        db.engine.dispose()  # one connection from here on: the requests, one at a time, and the check all use it
    for _ in range(8):  # psycopg prepares a statement at its sixth run on a connection (prepare_threshold 5)
        assert client.get("/organisations").status_code == 200
    with app.app_context():
        prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0  # the user's session, looked up on every request, at least
