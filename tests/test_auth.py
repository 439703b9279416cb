"""Logging in and out, with CSRF protection on as in production."""

import pytest

from forum_crm.auth.permissions import is_safe_redirect
from forum_crm.extensions import db
from forum_crm.models import User
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def coordinator(app):
    with app.app_context():
        return factories.committed(factories.user(email="koordynator@example.org"))


def post_login(client, email, password, **extra):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login"), **extra}
    return client.post("/login", data=data)


def test_login_page_is_polish_by_default(client):
    page = client.get("/login").text
    assert 'lang="pl"' in page and "Hasło" in page and "Zaloguj się" in page


def test_login_with_the_right_password(client, coordinator):
    response = post_login(client, "Koordynator@Example.org", factories.PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert "Forum Współpracy i Integracji w liczbach" in client.get("/").text


@pytest.mark.parametrize("email", ["koordynator@example.org", "nobody@example.org"])
def test_wrong_password_and_unknown_email_get_the_same_message(client, coordinator, email):
    response = post_login(client, email, "wrong password")
    assert response.status_code == 401
    assert "Nieprawidłowy e-mail lub hasło." in response.text
    assert client.get("/").status_code == 302  # still logged out


def test_inactive_account_cannot_log_in(app, client):
    with app.app_context():
        factories.committed(factories.user(email="off@example.org", active=False))
    response = post_login(client, "off@example.org", factories.PASSWORD)
    assert response.status_code == 401 and "Nieprawidłowy e-mail lub hasło." in response.text


def test_empty_fields_are_named(client):
    response = post_login(client, "", "")
    assert response.text.count("To pole jest wymagane.") == 2


def test_login_without_csrf_token_is_refused(client, coordinator):
    response = client.post("/login", data={"email": "koordynator@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_next_inside_the_site_is_followed(client, coordinator):
    response = post_login(client, "koordynator@example.org", factories.PASSWORD, next="/?tab=1")
    assert response.location == "/?tab=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "/\nLocation: x"])
def test_next_to_another_host_is_ignored(client, coordinator, target):
    response = post_login(client, "koordynator@example.org", factories.PASSWORD, next=target)
    assert response.location == "/"
    assert not is_safe_redirect(target)


def test_anonymous_visit_redirects_to_login_with_next(client):
    response = client.get("/?x=1")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_logout_needs_post(client, login, coordinator):
    login(coordinator)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token


def test_logout_ends_the_session_and_old_cookies_stop_working(app, client, login, coordinator):
    login(coordinator, remember=True)
    stolen = {cookie.key: cookie.value for cookie in client._cookies.values()}
    assert "remember_token" in stolen
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.location == "/login"
    assert client.get("/").status_code == 302
    replay = app.test_client()
    for key, value in stolen.items():
        replay.set_cookie(key, value)
    assert replay.get("/").status_code == 302  # neither the session nor the remember-me cookie works


def test_password_change_ends_other_sessions(app, client, login, coordinator):
    login(coordinator)
    with app.app_context():
        user = db.session.get(User, coordinator.id)
        user.set_password("a brand new password")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_passwords_are_stored_with_a_modern_kdf(app, coordinator):
    with app.app_context():
        stored = db.session.get(User, coordinator.id).password_hash
    assert stored.startswith("$argon2id$") and factories.PASSWORD not in stored


def test_language_switch_to_english_and_back(client, coordinator, login):
    login(coordinator)
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client)})
    assert response.location == "/"
    page = client.get("/").text
    assert 'lang="en"' in page and "in numbers" in page
    client.post("/language", data={"lang": "pl", "next": "https://evil.example/", "csrf_token": csrf_token(client)})
    assert 'lang="pl"' in client.get("/").text


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "csrf_token": csrf_token(client, "/login")})
    assert 'lang="pl"' in client.get("/login").text


def test_logout_keeps_the_chosen_language(client, login, coordinator):
    login(coordinator)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    page = client.get("/login").text
    assert 'lang="en"' in page and "You have been logged out." in page
