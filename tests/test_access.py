"""The access matrix: every URL of the app, for every kind of visitor, allowed exactly as listed.

A new endpoint fails this test until it is added to EXPECTED with the roles that may use it.
"""

import pytest

from forum_crm import create_app
from forum_crm.models import Role
from tests import factories
from tests.conftest import TEST_SECRET, csrf_token

ANONYMOUS, MEMBER, EDITOR_A, EDITOR_B, COORDINATOR = "anonymous", "member", "org_editor_a", "org_editor_b", "coordinator"
EVERYONE = {ANONYMOUS, MEMBER, EDITOR_A, EDITOR_B, COORDINATOR}
LOGGED_IN = EVERYONE - {ANONYMOUS}

EXPECTED = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.set_language": EVERYONE,
    "auth.logout": LOGGED_IN,
    "reports.home": LOGGED_IN,
}


@pytest.fixture
def visitors(app):
    """A logged-in test client for each role, and one that is not logged in."""
    with app.app_context():
        org_a, org_b = factories.organisation("Fundacja A"), factories.organisation("Fundacja B")
        member_person = factories.person("Maria", "Członkini")
        users = {
            MEMBER: factories.user(Role.MEMBER, person=member_person),
            EDITOR_A: factories.user(Role.ORG_EDITOR, organisation=org_a),
            EDITOR_B: factories.user(Role.ORG_EDITOR, organisation=org_b),
            COORDINATOR: factories.user(Role.COORDINATOR),
        }
        factories.committed(*users.values())
        emails = {role: user.email for role, user in users.items()}
    clients = {ANONYMOUS: app.test_client()}
    for role, email in emails.items():
        client = app.test_client()
        client.post("/login", data={"email": email, "password": factories.PASSWORD,
                                    "csrf_token": csrf_token(client, "/login")})
        clients[role] = client
    return clients


def url_for_rule(rule) -> str:
    """The rule's URL with real values for its arguments."""
    values = {"filename": "css/app.css"}
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", str(values[argument])).replace(
            f"<path:{argument}>", str(values[argument]))
    return path


def is_allowed(client, rule) -> bool:
    url = url_for_rule(rule)
    if "GET" in rule.methods:
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
    refused_anonymous = response.status_code == 302 and response.location.startswith("/login?next=")
    return response.status_code != 403 and not refused_anonymous


def test_every_endpoint_is_listed(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


def test_access_matrix(app, visitors):
    logout_last = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in logout_last:
        allowed = {role for role, client in visitors.items() if is_allowed(client, rule)}
        assert allowed == EXPECTED[rule.endpoint], rule.rule


def test_a_view_without_declared_roles_is_refused_to_everyone(app, database_url):
    """Deny by default: a view that forgot to declare its audience is closed, not open."""
    other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url})
    other.add_url_rule("/forgotten-check", "forgotten_check", lambda: "secret")
    with app.app_context():
        email = factories.committed(factories.user(Role.COORDINATOR)).email
    client = other.test_client()
    assert client.get("/forgotten-check").status_code == 302
    client.post("/login", data={"email": email, "password": factories.PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    assert client.get("/forgotten-check").status_code == 403
