"""The access matrix: every URL of the app, for every kind of visitor, allowed exactly as listed.

A new endpoint fails this test until it is added to EXPECTED with the roles that may use it.
"""

import pytest

from forum_crm import create_app
from forum_crm.extensions import db
from forum_crm.models import PanelSpeaker, Partnership, ProgrammeItem, ProgrammeKind, Role
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
    "events.edition_list": LOGGED_IN,
    "events.edition_detail": LOGGED_IN,
    "events.edition_new": {COORDINATOR},
    "events.edition_edit": {COORDINATOR},
    "events.programme_item_add": {COORDINATOR},
    "events.programme_item_edit": {COORDINATOR},
    "events.programme_item_delete": {COORDINATOR},
    "events.speaker_add": {COORDINATOR},
    "events.speaker_delete": {COORDINATOR},
    "events.partner_add": {COORDINATOR},
    "events.partner_delete": {COORDINATOR},
    "directory.organisation_list_page": {COORDINATOR},
    "directory.organisation_new": {COORDINATOR},
    "directory.organisation_detail": {COORDINATOR},
    "directory.organisation_edit": {COORDINATOR},
    "directory.organisation_archive": {COORDINATOR},
    "directory.person_list_page": {COORDINATOR},
    "directory.person_new": {COORDINATOR},
    "directory.person_detail": {COORDINATOR},
    "directory.person_edit": {COORDINATOR},
    "directory.person_archive": {COORDINATOR},
    "directory.affiliation_add": {COORDINATOR},
    "directory.affiliation_end": {COORDINATOR},
    "directory.affiliation_delete": {COORDINATOR},
    "mapping.locality_list": {COORDINATOR},
    "mapping.locality_new": {COORDINATOR},
    "mapping.locality_edit": {COORDINATOR},
    "changes.recent": {COORDINATOR},
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


@pytest.fixture
def ids(app):
    """Real records for the URL arguments, by the path they appear in."""
    with app.app_context():
        organisation = factories.organisation("Urząd Miasta")
        person = factories.person("Jan", "Kowalski")
        affiliation = factories.affiliation(person, organisation)
        locality = factories.locality()
        edition = factories.edition(1)
        panel = ProgrammeItem(edition=edition, kind=ProgrammeKind.PANEL, title="Panel")
        speaker = PanelSpeaker(programme_item=panel, organisation=organisation)
        partnership = Partnership(edition=edition, organisation=organisation)
        db.session.add_all([panel, speaker, partnership])
        factories.committed(organisation, person, affiliation, locality, edition, panel, speaker, partnership)
        return {
            "/editions/": {"id": edition.id, "item_id": panel.id, "speaker_id": speaker.id,
                           "partnership_id": partnership.id},
            "/organisations/": {"id": organisation.id},
            "/people/": {"id": person.id, "affiliation_id": affiliation.id},
            "/localities/": {"id": locality.id},
        }


def url_for_rule(rule, ids) -> str:
    """The rule's URL with the ids of real records for its arguments."""
    values = {"filename": "css/app.css"}
    for prefix, prefix_values in ids.items():
        if rule.rule.startswith(prefix):
            values.update(prefix_values)
    path = rule.rule
    for argument in rule.arguments:
        for converter in ("", "path:", "int:"):
            path = path.replace(f"<{converter}{argument}>", str(values[argument]))
    return path


def visit(client, rule, ids):
    """GET the rule's URL, or POST to it (with a CSRF token) if it only takes POST."""
    url = url_for_rule(rule, ids)
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/")})


def is_allowed(response) -> bool:
    refused_anonymous = response.status_code == 302 and response.location.startswith("/login?next=")
    return response.status_code != 403 and not refused_anonymous


def test_every_endpoint_is_listed(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


def test_access_matrix(app, visitors, ids):
    logout_last = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in logout_last:
        responses = {role: visit(client, rule, ids) for role, client in visitors.items()}
        allowed = {role for role, response in responses.items() if is_allowed(response)}
        assert allowed == EXPECTED[rule.endpoint], rule.rule
        if "GET" in rule.methods and rule.endpoint != "auth.login":
            # the ids are real: every page the coordinator may open opens
            assert responses[COORDINATOR].status_code == 200, rule.rule


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
