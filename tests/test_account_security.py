"""Account security: invitations and password resets by e-mail, login throttling shared by every
worker process, password changes, re-authentication, the security log, CSRF on every form, security headers."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm import create_app
from forum_crm.auth.permissions import PASSWORD_CONFIRMED_AT, recent_password_required
from forum_crm.extensions import db
from forum_crm.models import AccountToken, AuthEvent, AuthEventKind, LoginAttempt, Organisation, Role, User
from forum_crm.models.base import as_utc
from tests import factories
from tests.conftest import TEST_SECRET, csrf_token
from tests.test_access import ids, url_for_rule  # noqa: F401  (ids is a fixture)

NEW_PASSWORD = "a brand new long password"


def link_in(message) -> str:
    """The path of the link in an e-mail (links point at BASE_URL)."""
    match = re.search(r"http://127\.0\.0\.1:5000(/\S+)", message.get_body(("plain",)).get_content())
    assert match, message.get_body(("plain",)).get_content()
    return match.group(1)


def english(client):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/login")})


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})}, **kwargs)


def post_login(client, email_address, password, environ_base=None, **data):
    return post(client, "/login", {"email": email_address, "password": password, **data},
                environ_base=environ_base or {})


def events(app, kind: AuthEventKind) -> list[AuthEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuthEvent).options(joinedload(AuthEvent.user))
                                       .where(AuthEvent.kind == kind).order_by(AuthEvent.id)))


@pytest.fixture
def coordinator(app):
    with app.app_context():
        return factories.committed(factories.user(Role.COORDINATOR, email="koordynator@example.org"))


@pytest.fixture
def organisation(app):
    with app.app_context():
        return factories.committed(factories.organisation("Fundacja Alfa"))


# Invitations

def invite(client, **values):
    data = {"email": "nowa@example.org", "role": "org_editor", "organisation": "Fundacja Alfa", "person": ""}
    data.update(values)
    return post(client, "/accounts/invite", data)


def test_invitation_sets_a_password_once(app, client, login, coordinator, organisation, outbox):
    login(coordinator)
    form = client.get(f"/accounts/invite?organisation={organisation.id}").text
    assert 'value="Fundacja Alfa"' in form and '<option selected value="org_editor">' in form
    response = invite(client)
    assert response.status_code == 302 and response.location == "/accounts"
    [message] = outbox()
    assert message["To"] == "nowa@example.org" and "Fundacja Alfa" in message.get_body(("plain",)).get_content()
    link = link_in(message)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nowa@example.org"))
        assert not user.active and user.role == Role.ORG_EDITOR and user.organisation.name == "Fundacja Alfa"
        stored = db.session.scalar(sa.select(AccountToken))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert post_login(app.test_client(), "nowa@example.org", NEW_PASSWORD).status_code == 401

    newcomer = app.test_client()
    english(newcomer)
    assert "Choose a password for nowa@example.org" in newcomer.get(link).text
    mismatch = post(newcomer, link, {"password": NEW_PASSWORD, "password_again": "something else"})
    assert mismatch.status_code == 422 and "The two passwords are not the same." in mismatch.text
    too_short = post(newcomer, link, {"password": "short", "password_again": "short"})
    assert too_short.status_code == 422
    accepted = post(newcomer, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert accepted.status_code == 302 and accepted.location == "/"
    assert "Fundacja Alfa" in newcomer.get("/me/organisation").text
    assert newcomer.get(link).status_code == 404  # single use
    other = "another long password"
    again = post(app.test_client(), link, {"password": other, "password_again": other})
    assert again.status_code == 404
    assert post_login(app.test_client(), "nowa@example.org", NEW_PASSWORD).status_code == 302
    assert [event.user.email for event in events(app, AuthEventKind.INVITATION_ACCEPTED)] == ["nowa@example.org"]


def test_tampered_and_expired_invitations_do_not_work(app, client, login, coordinator, organisation, outbox):
    login(coordinator)
    invite(client)
    link = link_in(outbox()[0])
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    assert client.get(tampered).status_code == 404
    assert client.get(link + "x").status_code == 404
    assert client.get("/password/reset/" + link.rsplit("/", 1)[1]).status_code == 404  # not a reset link
    with app.app_context():
        db.session.execute(sa.update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.session.commit()
    expired = app.test_client()
    english(expired)
    page = expired.get(link)
    assert page.status_code == 404 and "Ask the coordinator to send you a new invitation." in page.text


def test_invitation_lasts_seven_days_and_a_new_one_replaces_it(app, client, login, coordinator, organisation, outbox):
    login(coordinator)
    invite(client)
    with app.app_context():
        token = db.session.scalar(sa.select(AccountToken))
        assert timedelta(days=6, hours=23) < token.expires_at - token.created_at <= timedelta(days=7)
        user_id = token.user_id
    first = link_in(outbox()[0])
    assert client.get(f"/accounts/invite?account={user_id}").status_code == 200
    assert invite(client).status_code == 302  # the account is not active yet: invited again
    second = link_in(outbox()[1])
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_invitation_needs_what_the_role_is_bound_to(app, client, login, coordinator, outbox):
    with app.app_context():
        factories.committed(factories.person("Maria", "Członkini", email="maria@example.org"))
    login(coordinator)
    english(client)
    no_organisation = invite(client, organisation="")
    assert no_organisation.status_code == 422 and "needs the organisation they edit" in no_organisation.text
    no_person = invite(client, role="member", organisation="")
    assert no_person.status_code == 422 and "A member needs their record in the directory." in no_person.text
    existing = invite(client, email="koordynator@example.org", role="coordinator")
    assert existing.status_code == 422 and "already has an account" in existing.text
    assert invite(client, role="member", organisation="", person="maria@example.org").status_code == 302
    assert outbox() and "Fundacja" not in outbox()[0].get_body(("plain",)).get_content()
    with app.app_context():
        member = db.session.scalar(sa.select(User).where(User.email == "nowa@example.org"))
        assert member.role == Role.MEMBER and member.person.full_name == "Maria Członkini"


# Password reset

def test_forgot_password_gives_the_same_answer_for_unknown_addresses(app, coordinator, outbox):
    answers = []
    for address in ("koordynator@example.org", "nikt@example.org"):
        client = app.test_client()
        response = post(client, "/password/forgot", {"email": address})
        page = client.get(response.location).text
        answers.append((response.status_code, response.location, re.findall(r'class="flash[^"]*"[^>]*>([^<]+)<', page)))
    assert answers[0] == answers[1] and answers[0][2]
    assert [message["To"] for message in outbox()] == ["koordynator@example.org"]


def test_reset_link_sets_a_new_password_and_ends_other_sessions(app, login, client, coordinator, outbox):
    login(coordinator)  # a session elsewhere
    visitor = app.test_client()
    post(visitor, "/password/forgot", {"email": "Koordynator@Example.org"})
    link = link_in(outbox()[0])
    with app.app_context():
        token = db.session.scalar(sa.select(AccountToken))
        assert timedelta(minutes=59) < token.expires_at - token.created_at <= timedelta(hours=1)
    response = post(visitor, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302 and visitor.get("/").status_code == 200
    assert client.get("/").status_code == 302  # the other session is over
    assert post_login(app.test_client(), coordinator.email, factories.PASSWORD).status_code == 401
    assert post_login(app.test_client(), coordinator.email, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(link).status_code == 404


def test_reset_links_expire_after_an_hour_and_only_the_newest_works(app, coordinator, outbox):
    client = app.test_client()
    post(client, "/password/forgot", {"email": coordinator.email})
    with app.app_context():  # the next e-mail may go five minutes later
        db.session.execute(sa.update(AccountToken).values(created_at=datetime.now(UTC) - timedelta(minutes=6)))
        db.session.commit()
    post(client, "/password/forgot", {"email": coordinator.email})
    first, second = (link_in(message) for message in outbox())
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(second).status_code == 404


def test_at_most_one_reset_email_every_five_minutes(app, coordinator, outbox):
    client = app.test_client()
    for _ in range(3):
        post(client, "/password/forgot", {"email": coordinator.email})
    assert len(outbox()) == 1


def test_no_reset_for_a_switched_off_account(app, outbox):
    with app.app_context():
        factories.committed(factories.user(email="off@example.org", active=False))
    post(app.test_client(), "/password/forgot", {"email": "off@example.org"})
    assert outbox() == []


# Throttling, shared by every worker process through the database

@pytest.fixture
def second_worker(database_url):
    """Another instance of the application on the same database, as a second gunicorn worker would be."""
    other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url})
    yield other
    with other.app_context():
        db.engine.dispose()


def test_sixth_failure_across_two_workers_is_refused(app, second_worker, coordinator):
    clients = [app.test_client(), second_worker.test_client()]
    for attempt in range(5):
        assert post_login(clients[attempt % 2], coordinator.email, "wrong password").status_code == 401
    for client in clients:
        english(client)
        refused = post_login(client, coordinator.email, factories.PASSWORD)  # even the right password
        assert refused.status_code == 429
        assert "Too many failed attempts. Try again in 15 minutes." in refused.text
    assert len(events(app, AuthEventKind.LOGIN_FAILED)) == 5
    assert len(events(app, AuthEventKind.LOGIN_THROTTLED)) == 2
    other_address = post_login(app.test_client(), coordinator.email, factories.PASSWORD,
                               environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other_address.status_code == 429  # the account is locked from everywhere


def test_the_lock_ends_when_the_failures_leave_the_window(app, coordinator):
    client = app.test_client()
    for _ in range(5):
        post_login(client, coordinator.email, "wrong password")
    move_attempts_back(app, timedelta(minutes=14))
    english(client)
    assert "Try again in 1 minute." in post_login(client, coordinator.email, factories.PASSWORD).text
    move_attempts_back(app, timedelta(minutes=2))
    assert post_login(client, coordinator.email, factories.PASSWORD).status_code == 302


def move_attempts_back(app, by: timedelta) -> None:
    with app.app_context():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.attempted_at = as_utc(attempt.attempted_at) - by
        db.session.commit()


def test_a_successful_login_forgets_the_accounts_failures(app, coordinator):
    client = app.test_client()
    for _ in range(4):
        post_login(client, coordinator.email, "wrong password")
    assert post_login(client, coordinator.email, factories.PASSWORD).status_code == 302
    other = app.test_client()
    for _ in range(4):
        assert post_login(other, coordinator.email, "wrong password").status_code == 401
    assert post_login(other, coordinator.email, factories.PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_refused(app, second_worker, coordinator):
    guesser = {"REMOTE_ADDR": "192.0.2.7"}
    for number in range(20):
        worker = (app, second_worker)[number % 2]
        response = post_login(worker.test_client(), f"ktos{number}@example.org", "guess", environ_base=guesser)
        assert response.status_code == 401
    assert post_login(app.test_client(), coordinator.email, factories.PASSWORD,
                      environ_base=guesser).status_code == 429
    assert post_login(app.test_client(), coordinator.email, factories.PASSWORD).status_code == 302
    with app.app_context():
        stored = db.session.scalars(sa.select(LoginAttempt.key)).all()
        assert all(len(key) == 64 and "@" not in key and "192.0.2.7" not in key for key in stored)


# Passwords and sessions

def test_password_change_keeps_this_session_and_ends_the_others(app, login, coordinator):
    this, other = app.test_client(), app.test_client()
    for client in (this, other):
        post_login(client, coordinator.email, factories.PASSWORD)
    english(this)
    wrong = post(this, "/me/password", {"current_password": "wrong", "password": NEW_PASSWORD,
                                             "password_again": NEW_PASSWORD})
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    response = post(this, "/me/password", {"current_password": factories.PASSWORD, "password": NEW_PASSWORD,
                                                "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert post_login(app.test_client(), coordinator.email, NEW_PASSWORD).status_code == 302
    assert [event.kind for event in events(app, AuthEventKind.PASSWORD_CHANGED)] == [AuthEventKind.PASSWORD_CHANGED]


def test_password_change_with_remember_me_keeps_a_working_cookie(app, coordinator):
    client = app.test_client()
    post_login(client, coordinator.email, factories.PASSWORD, remember="y")
    post(client, "/me/password", {"current_password": factories.PASSWORD, "password": NEW_PASSWORD,
                                       "password_again": NEW_PASSWORD})
    cookie = client.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/").status_code == 200


def test_sensitive_pages_need_the_password_typed_recently(app, client, login, coordinator):
    login(coordinator)
    assert client.get("/accounts/invite").status_code == 200  # just logged in
    with client.session_transaction() as session:
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    response = client.get("/accounts/invite")
    assert response.status_code == 302
    assert response.location == "/me/confirm-password?next=/accounts/invite"
    assert post(client, "/accounts/invite", {"email": "x@example.org", "role": "coordinator"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None
    wrong = post(client, response.location, {"password": "wrong", "next": "/accounts/invite"})
    assert wrong.status_code == 422
    right = post(client, response.location, {"password": factories.PASSWORD, "next": "/accounts/invite"})
    assert right.status_code == 302 and right.location == "/accounts/invite"
    assert client.get("/accounts/invite").status_code == 200
    assert callable(recent_password_required)


def test_role_change_is_logged_and_switching_off_ends_sessions(app, client, login, coordinator, organisation):
    with app.app_context():
        person = factories.person("Maria", "Członkini", email="maria@example.org")
        member = factories.committed(factories.user(Role.MEMBER, email="maria.konto@example.org", person=person))
    member_client = app.test_client()
    post_login(member_client, member.email, factories.PASSWORD)
    login(coordinator)
    form = client.get(f"/accounts/{member.id}/edit").text
    assert 'value="maria@example.org"' in form
    response = post(client, f"/accounts/{member.id}/edit", {
        "role": "org_editor", "organisation": "Fundacja Alfa", "person": "maria@example.org", "active": "y"})
    assert response.status_code == 302
    assert member_client.get("/me/organisation").status_code == 200
    with app.app_context():
        changed = db.session.get(User, member.id)
        assert changed.role == Role.ORG_EDITOR and changed.organisation_id == organisation.id
    [event] = events(app, AuthEventKind.ACCOUNT_CHANGED)
    assert "role: member -> org_editor" in event.detail
    post(client, f"/accounts/{member.id}/edit", {"role": "org_editor", "organisation": "Fundacja Alfa",
                                                 "person": "maria@example.org"})
    assert member_client.get("/").status_code == 302
    assert post_login(app.test_client(), member.email, factories.PASSWORD).status_code == 401


def test_the_coordinator_cannot_demote_themselves(app, client, login, coordinator):
    login(coordinator)
    response = post(client, f"/accounts/{coordinator.id}/edit", {"role": "member", "active": "y"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, coordinator.id).role == Role.COORDINATOR


# The security log

def test_logins_failures_and_refusals_are_in_the_security_log(app, client, login, coordinator):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER, email="czlonek@example.org"))
    post_login(app.test_client(), coordinator.email, "wrong password")
    member_client = app.test_client()
    post_login(member_client, member.email, factories.PASSWORD)
    assert member_client.get("/me/security-log").status_code == 403
    assert member_client.get("/organisations").status_code == 403
    [refused, _] = events(app, AuthEventKind.ACCESS_REFUSED)
    assert refused.user.email == member.email and refused.path == "/me/security-log"
    assert refused.address == "127.0.0.1"
    login(coordinator)
    english(client)
    page = client.get("/me/security-log").text
    assert "Wrong password" in page and "Page refused" in page and "Logged in" in page
    assert "czlonek@example.org" in page and "/organisations" in page


def test_security_log_is_paginated(app, client, login, coordinator):
    with app.app_context():
        db.session.add_all(AuthEvent(kind=AuthEventKind.LOGIN_FAILED, email=f"x{n}@example.org") for n in range(60))
        db.session.commit()
    login(coordinator)
    first = client.get("/me/security-log").text
    assert first.count("<tr>") == 51  # the header and 50 events
    assert "x59@example.org" in first and client.get("/me/security-log?page=2").status_code == 200


# CSRF on every form, security headers on every response

def test_every_post_without_a_csrf_token_is_refused(app, client, login, coordinator, ids):  # noqa: F811
    login(coordinator)
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(rules) > 20
    for rule in rules:
        assert client.post(url_for_rule(rule, ids), data={"name": "x"}).status_code == 400, rule.rule
    assert client.get("/").status_code == 200  # still logged in: the logout was refused too
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.name).where(Organisation.name == "x")) is None


REQUIRED_CSP = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'",
                "form-action 'self'", "img-src 'self' data:")


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert all(directive in csp for directive in REQUIRED_CSP), csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_everywhere(app, client, login, coordinator):
    for url, status in (("/login", 200), ("/static/css/app.css", 200), ("/no-such-page", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers
    login(coordinator)
    assert_security_headers(client.get("/"))
    assert_security_headers(client.get("/organisations/999"))
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_each_response_has_its_own_nonce_and_tiles_are_allowed(app, client, monkeypatch):
    nonces = {re.search(r"'nonce-([^']+)'", client.get("/login").headers["Content-Security-Policy"]).group(1)
              for _ in range(2)}
    assert len(nonces) == 2
    monkeypatch.setitem(app.config, "MAP_TILES", "https://tile.example.org/{z}/{x}/{y}.png|© Example")
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.example.org;" in csp


def test_behind_a_proxy_the_client_address_and_https_come_from_the_proxy(database_url, coordinator):
    proxied = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url,
                          "PROXIES": 1})
    client = proxied.test_client()
    forwarded = {"REMOTE_ADDR": "10.0.0.1"}
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": coordinator.email, "password": "wrong", "csrf_token": token},
                           environ_base=forwarded, headers=headers)
    assert response.status_code == 401
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    with proxied.app_context():
        assert db.session.scalar(sa.select(AuthEvent.address)) == "203.0.113.9"
        db.engine.dispose()
