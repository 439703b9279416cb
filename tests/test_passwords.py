"""The password rule (length, common and context-specific passwords) wherever a password is set, and hashing."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from werkzeug.security import generate_password_hash

from forum_crm import create_app
from forum_crm.auth.passwords import password_problem
from forum_crm.auth.services import issue_token
from forum_crm.config import PASSWORD_HASH
from forum_crm.extensions import db
from forum_crm.models import Role, TokenPurpose, User
from forum_crm.models import auth as auth_models
from tests import factories
from tests.conftest import TEST_SECRET, csrf_token

EMAIL = "anna.kowalska@example.org"


@pytest.mark.parametrize("password", [
    "password1234", "qwertyuiop12", "1qaz2wsx3edc", "kochamcie123", "aaaaaaaaaaaaaaaa", "x" * 1000,
])
def test_common_and_easy_passwords_are_refused(ctx, password):
    with force_locale("en"):
        assert password_problem(password, email=EMAIL) == (
            "This password is too common or too easy to guess. Add a few more unrelated words.")


@pytest.mark.parametrize("password", [
    EMAIL + "1", "anna.kowalska1", "AnnaKowalska2024!", "Kowalska1234567", "forummigracyjne1",
    "Konsorcjum Migracyjne 2024", "Fundacja Alfa 12345",
])
def test_passwords_built_from_the_account_or_the_site_are_refused(ctx, password):
    with force_locale("en"):
        assert password_problem(password, email=EMAIL, names=["Anna", "Kowalska", "Fundacja Alfa"]) == (
            "The password must not be built from your e-mail address, your name or the name of this site.")


def test_length_is_twelve_to_1024_characters(ctx):
    with force_locale("en"):
        assert password_problem("Tg7#kq2!Wz9", email=EMAIL) == "The password needs at least 12 characters."
        assert password_problem("Tg7#kq2!Wz9x", email=EMAIL) is None
        assert password_problem("correct horse " * 80, email=EMAIL) == (
            "The password may have at most 1024 characters.")
    with force_locale("pl"):
        assert password_problem("krótkie", email=EMAIL) == "Hasło musi mieć co najmniej 12 znaków."


@pytest.mark.parametrize("password", [factories.PASSWORD, "Anna lubi kawę w Krakowie", "Tg7#kq2!Wz9x"])
def test_good_passwords_pass_even_with_a_name_in_them(ctx, password):
    assert password_problem(password, email=EMAIL, names=["Anna", "Kowalska"]) is None


# Every form that sets a password

def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **data})


def error_of(response) -> str:
    match = re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+)<', response.text)
    return match.group(1).strip() if match else response.text


@pytest.fixture
def member(app):
    with app.app_context():
        person = factories.person("Anna", "Kowalska", email=EMAIL)
        return factories.committed(factories.user(Role.MEMBER, email=EMAIL, person=person))


def link(app, user_id: int, purpose: TokenPurpose) -> str:
    with app.app_context():
        token = issue_token(db.session.get(User, user_id), purpose)
        db.session.commit()
    return {TokenPurpose.INVITATION: "/invitation/", TokenPurpose.PASSWORD_RESET: "/password/reset/"}[purpose] + token


@pytest.mark.parametrize("purpose", [TokenPurpose.INVITATION, TokenPurpose.PASSWORD_RESET])
def test_link_forms_refuse_the_accounts_own_words_in_polish(app, client, member, purpose):
    url = link(app, member.id, purpose)
    for password in (EMAIL + "1", "AnnaKowalska2024!"):
        response = post(client, url, {"password": password, "password_again": password})
        assert response.status_code == 422
        assert "Hasło nie może być zbudowane z Twojego adresu e-mail" in response.text
    response = post(client, url, {"password": factories.PASSWORD + " again", "password_again":
                                  factories.PASSWORD + " again"})
    assert response.status_code == 302


def test_change_password_form_refuses_a_common_password_in_english(app, client, login, member):
    login(member)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    response = post(client, "/me/password", {"current_password": factories.PASSWORD,
                                                  "password": "qwertyuiop12", "password_again": "qwertyuiop12"})
    assert response.status_code == 422
    assert "This password is too common or too easy to guess." in response.text
    with app.app_context():
        assert db.session.get(User, member.id).check_password(factories.PASSWORD)


# Hashing

def test_the_default_cost_is_argon2id_as_rfc_9106_recommends(database_url):
    assert PASSWORD_HASH == {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["PASSWORD_HASH"] == PASSWORD_HASH
    with app.app_context():
        user = User(email="a@example.org", role=Role.MEMBER)
        user.set_password(factories.PASSWORD)
        db.engine.dispose()
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert user.check_password(factories.PASSWORD) and not user.check_password("wrong")


def login_with(app, email: str, password: str) -> int:
    client = app.test_client()
    return post(client, "/login", {"email": email, "password": password}).status_code


def test_an_old_scrypt_hash_is_upgraded_at_the_next_login(app, member):
    old_hash = generate_password_hash(factories.PASSWORD, method="scrypt")
    with app.app_context():
        user = db.session.get(User, member.id)
        user.password_hash = old_hash
        session_token = user.session_token
        db.session.commit()
        assert user.check_password(factories.PASSWORD)  # the old hash still verifies
    assert login_with(app, EMAIL, "wrong password") == 401
    with app.app_context():
        assert db.session.get(User, member.id).password_hash == old_hash  # only a right password upgrades
    assert login_with(app, EMAIL, factories.PASSWORD) == 302
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.password_hash.startswith("$argon2id$") and user.check_password(factories.PASSWORD)
        assert user.session_token == session_token  # the upgrade ends no session
    assert login_with(app, EMAIL, factories.PASSWORD) == 302


def test_a_cheaper_argon2_hash_is_upgraded_to_the_configured_cost(app, member, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH", {"time_cost": 2, "memory_cost": 16, "parallelism": 1})
    assert login_with(app, EMAIL, factories.PASSWORD) == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.id == member.id))
    assert stored.startswith("$argon2id$v=19$m=16,t=2,p=1$")


def test_an_unknown_email_costs_a_check_at_the_configured_cost(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH", {"time_cost": 2, "memory_cost": 24, "parallelism": 1})
    checked = []
    real_verify = auth_models._verify
    monkeypatch.setattr(auth_models, "_verify", lambda stored, password: checked.append(stored)
                        or real_verify(stored, password))
    assert login_with(app, "nobody@example.org", factories.PASSWORD) == 401
    assert len(checked) == 1 and checked[0].startswith("$argon2id$v=19$m=24,t=2,p=1$")
