"""Login throttling under parallel requests and a busy database: an attempt is counted before it is evaluated."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import AuthEvent, AuthEventKind, LoginAttempt, Role, User
from tests import factories
from tests.conftest import csrf_token

PARALLEL = 24
SLOW_CHECK = 0.05  # seconds: the password check of a real hash takes about this long, widening any race


@pytest.fixture
def coordinator(app):
    with app.app_context():
        return factories.committed(factories.user(Role.COORDINATOR, email="koordynator@example.org"))


@pytest.fixture
def slow_password_check(monkeypatch):
    real = User.check_password
    pause = threading.Event()

    def check(self, password):
        pause.wait(SLOW_CHECK)
        return real(self, password)

    monkeypatch.setattr(User, "check_password", check)


def test_parallel_wrong_passwords_get_at_most_five_tries(app, coordinator, slow_password_check):
    clients = [app.test_client() for _ in range(PARALLEL)]
    tokens = [csrf_token(client, "/login") for client in clients]
    start = threading.Barrier(PARALLEL)

    def guess(number: int) -> int:
        start.wait()
        return clients[number].post("/login", data={
            "email": coordinator.email, "password": f"wrong password {number}", "csrf_token": tokens[number],
        }).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(guess, range(PARALLEL)))
    evaluated = answers.count(401)
    # Tries that overlap may refuse each other (on PostgreSQL even all of them): safe, never more than five.
    assert set(answers) <= {401, 429} and evaluated <= 5, answers
    with app.app_context():
        failures = db.session.scalar(sa.select(sa.func.count()).select_from(AuthEvent)
                                     .where(AuthEvent.kind == AuthEventKind.LOGIN_FAILED))
        assert failures == evaluated
    assert login_attempts(app) == 2 * evaluated  # refused tries are not counted
    # Tries refused while others were in flight do not count: the account has exactly its five.
    later = app.test_client()
    token = csrf_token(later, "/login")
    answers = [later.post("/login", data={"email": coordinator.email, "password": "wrong", "csrf_token": token})
               .status_code for _ in range(6)]
    assert answers == [401] * (5 - evaluated) + [429] * (1 + evaluated)


@pytest.fixture
def busy_commits(monkeypatch):
    """busy_commits(numbers): those commits of the session (counted from 1) fail as on a locked database."""
    real_commit = db.session.commit

    def failing(numbers: set[int]):
        calls = []

        def commit():
            calls.append(1)
            if len(calls) in numbers:
                raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
            real_commit()

        monkeypatch.setattr(db.session, "commit", commit)

    return failing


def login_attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt))


def test_a_busy_database_refuses_the_try_instead_of_a_500(app, client, coordinator, busy_commits):
    english(client)
    token = csrf_token(client, "/login")
    busy_commits({1})
    response = client.post("/login", data={"email": coordinator.email, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 503
    assert "The server is busy. Try again in a moment." in response.text
    assert login_attempts(app) == 0
    assert client.get("/").status_code == 302  # not logged in: a try that could not be counted is not evaluated


def test_a_failure_is_counted_even_when_the_database_is_busy_afterwards(app, client, coordinator, busy_commits):
    token = csrf_token(client, "/login")
    busy_commits({2})  # the attempt is recorded; writing the security log entry then fails
    response = client.post("/login", data={"email": coordinator.email, "password": "wrong password",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert login_attempts(app) == 2  # against the account and against the address


def english(client):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/login")})


def test_right_passwords_do_not_count_as_failures(app, client, login, coordinator):
    login(coordinator)
    for _ in range(6):
        response = client.post("/me/confirm-password", data={
            "password": factories.PASSWORD, "next": "/", "csrf_token": csrf_token(client, "/me/confirm-password")})
        assert response.status_code == 302
    assert login_attempts(app) == 0
