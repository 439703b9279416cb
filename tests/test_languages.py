"""Three interface languages: each account keeps its own (and gets its e-mails in it); the address can name one."""

from forum_crm.extensions import db
from forum_crm.models import Person, Role, User
from tests import factories
from tests.conftest import csrf_token


def choose(client, language: str) -> None:
    client.post("/language", data={"lang": language, "next": "/", "csrf_token": csrf_token(client, "/login")})


def test_the_language_chosen_while_logged_in_is_kept_by_the_account(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(Role.MEMBER))
    login(user)
    choose(client, "uk")
    with app.app_context():
        assert db.session.get(User, user.id).language == "uk"
    elsewhere = app.test_client()  # another browser: the account's language, with no choice in its session
    token = csrf_token(elsewhere, "/login")
    elsewhere.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert '<html lang="uk">' in elsewhere.get("/").text


def test_the_language_chosen_before_logging_in_becomes_the_accounts(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(Role.MEMBER, language="uk"))
    choose(client, "en")
    login(user)
    assert '<html lang="en">' in client.get("/").text
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"


def test_an_unknown_language_changes_nothing(app, client):
    choose(client, "xx")
    assert '<html lang="pl">' in client.get("/login").text
    assert '<html lang="pl">' in client.get("/login?lang=xx").text
    assert '<html lang="uk">' in client.get("/login?lang=uk").text


def test_the_switch_offers_the_two_other_languages(client):
    page = client.get("/login?lang=en").text
    assert 'value="pl"' in page and 'value="uk"' in page and 'value="en"' not in page.split("header-tools")[1][:600]


def test_pages_in_ukrainian(app, client, login):
    with app.app_context():
        edition = factories.edition(1)
        factories.participation(edition, factories.person("Ołena", "Szewczenko"))
        user = factories.committed(factories.user(Role.COORDINATOR, language="uk"))
        edition_id = edition.id
    login(user)
    for path in ("/", "/directory", "/directory/organisations", "/editions", f"/editions/{edition_id}",
                 f"/editions/{edition_id}/participants", "/map", "/me", "/reports", "/reports/summary?year=2023",
                 "/organisations", "/people", "/public/organisations", "/public/map"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<html lang="uk">' in page.text and "Log out" not in page.text and "Wyloguj" not in page.text, path
    assert "Вийти" in client.get("/").text
    assert "18 трав. 2023" in client.get("/editions").text  # dates in Ukrainian (CLDR)


def test_an_invitation_in_ukrainian_and_the_account_keeps_it(app, client, login, outbox):
    with app.app_context():
        factories.person("Ołena", "Szewczenko", email="olena@example.org")
        coordinator = factories.committed(factories.user(Role.COORDINATOR))
    login(coordinator)
    response = client.post("/accounts/invite", data={
        "csrf_token": csrf_token(client, "/accounts/invite"), "email": "olena@example.org", "role": "member",
        "person": "olena@example.org", "language": "uk"})
    assert response.status_code == 302, response.text
    [message] = outbox()
    assert message["Subject"].endswith("запрошення до довідника учасників")
    with app.app_context():
        assert db.session.scalar(db.select(User.language).where(User.email == "olena@example.org")) == "uk"


def test_a_members_language_is_their_persons_too(app, client, login):
    """Chosen on the switch, it is also the language of the e-mails and mailings sent to the person."""
    with app.app_context():
        person = factories.person("Ołena", "Szewczenko")
        user = factories.committed(factories.user(Role.MEMBER, person=person))
        person_id = person.id
    login(user)
    choose(client, "en")
    with app.app_context():
        assert db.session.get(Person, person_id).language == "en"
