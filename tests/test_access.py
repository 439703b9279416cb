"""The access matrix: every URL of the app, for every kind of visitor, allowed exactly as listed.

A new endpoint fails this test until it is added to EXPECTED with the roles that may use it.
"""

from datetime import date

import pytest

from forum_crm import create_app
from forum_crm.auth.services import issue_token
from forum_crm.extensions import db
from forum_crm.mailings.services import unsubscribe_token
from forum_crm.models import (
    ChangeLogEntry,
    EditionRegistration,
    ErasureRequest,
    ErasureSource,
    Mailing,
    Organisation,
    PanelSpeaker,
    Participation,
    Partnership,
    PersonMerge,
    ProgrammeItem,
    ProgrammeKind,
    Registration,
    Role,
    TokenPurpose,
)
from forum_crm.public.personal_calendar import calendar_token
from forum_crm.registration.tokens import personal_token
from tests import factories
from tests.conftest import TEST_SECRET, csrf_token

ANONYMOUS, MEMBER, COORDINATOR = "anonymous", "member", "coordinator"
EDITOR_A, EDITOR_B = "org_editor_a", "org_editor_b"
EVERYONE = {ANONYMOUS, MEMBER, EDITOR_A, EDITOR_B, COORDINATOR}
LOGGED_IN = EVERYONE - {ANONYMOUS}

EXPECTED = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.set_language": EVERYONE,
    "auth.logout": LOGGED_IN,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.accept_invitation": EVERYONE,
    "me.password": LOGGED_IN,
    "me.confirm_password": LOGGED_IN,
    "me.security_log": {COORDINATOR},
    "accounts.account_list": {COORDINATOR},
    "accounts.account_invite": {COORDINATOR},
    "accounts.account_edit": {COORDINATOR},
    "directory.person_list": LOGGED_IN,
    "directory.organisation_list": LOGGED_IN,
    "directory.person_detail": LOGGED_IN,
    "directory.organisation_detail": LOGGED_IN,
    "me.profile": LOGGED_IN,
    "me.organisation": LOGGED_IN,
    "me.person_new": {EDITOR_A, EDITOR_B, COORDINATOR},  # editors: to their own organisation
    "organisations.organisation_confirm": {EDITOR_A, COORDINATOR},
    "changes.review": {COORDINATOR},
    "changes.revert": {COORDINATOR},
    "changes.merge_undo": {COORDINATOR},
    "home.index": LOGGED_IN,
    "changes.approve_email_change": {COORDINATOR},
    "changes.accept": {COORDINATOR},
    "changes.accept_shown": {COORDINATOR},

    "reports.overview": {COORDINATOR},
    "reports.organisations": {COORDINATOR},
    "reports.people": {COORDINATOR},
    "reports.edition": {COORDINATOR},
    "reports.summary": {COORDINATOR},
    "reports.reengage": {COORDINATOR},
    "reports.export": {COORDINATOR},
    "reports.edition_export": {COORDINATOR},
    "editions.edition_list": LOGGED_IN,
    "editions.edition_detail": LOGGED_IN,
    "editions.edition_new": {COORDINATOR},
    "editions.edition_edit": {COORDINATOR},
    "editions.programme_item_add": {COORDINATOR},
    "editions.programme_item_edit": {COORDINATOR},
    "editions.programme_item_delete": {COORDINATOR},
    "editions.speaker_add": {COORDINATOR},
    "editions.speaker_delete": {COORDINATOR},
    "editions.partner_add": {COORDINATOR},
    "editions.partner_delete": {COORDINATOR},
    "editions.participants": {COORDINATOR},
    "editions.participant_add": {COORDINATOR},
    "editions.participants_invite_organisations": {COORDINATOR},
    "editions.participants_invite_town": {COORDINATOR},
    "editions.participants_invite_matching": {COORDINATOR},
    "editions.participant_edit": {COORDINATOR},
    "editions.participant_delete": {COORDINATOR},
    "editions.checkin": {COORDINATOR},
    "editions.checkin_person": {COORDINATOR},
    "editions.checkin_undo": {COORDINATOR},
    "editions.checkin_walk_in": {COORDINATOR},
    "editions.checkin_badge": {COORDINATOR},
    "editions.badge_sheets": {COORDINATOR},
    "organisations.organisation_suggestions": {COORDINATOR},
    "organisations.organisation_quick_add": {COORDINATOR},
    "people.person_suggestions": {COORDINATOR},
    "organisations.organisation_list": {COORDINATOR},
    "organisations.organisation_new": {COORDINATOR},
    "organisations.organisation_detail": {COORDINATOR},
    "organisations.organisation_edit": {EDITOR_A, COORDINATOR},  # A's own organisation (see `ids`)
    "organisations.organisation_archive": {COORDINATOR},
    "people.person_list": {COORDINATOR},
    "people.person_new": {COORDINATOR},
    "people.person_detail": {COORDINATOR},
    "people.person_edit": {EDITOR_A, COORDINATOR},  # works at A's organisation
    "people.person_archive": {COORDINATOR},
    "people.affiliation_add": {COORDINATOR},
    "people.affiliation_end": {COORDINATOR},
    "people.affiliation_delete": {COORDINATOR},
    "mapping.member_map": LOGGED_IN,
    "localities.locality_list": {COORDINATOR},
    "localities.locality_new": {COORDINATOR},
    "localities.locality_edit": {COORDINATOR},
    "localities.locality_place": {COORDINATOR},
    "changes.recent": {COORDINATOR},
    "imports.upload": {COORDINATOR},
    "imports.confirm": {COORDINATOR},
    "imports.attendance_upload": {COORDINATOR},
    "imports.attendance_confirm": {COORDINATOR},
    "organisations.organisation_export": {COORDINATOR},
    "people.person_export": {COORDINATOR},
    "editions.participant_export": {COORDINATOR},
    "changes.change_export": {COORDINATOR},
    "outbox.message_list": {COORDINATOR},
    "demo.data_remove": {COORDINATOR},
    "duplicates.person_pairs": {COORDINATOR},
    "duplicates.organisation_pairs": {COORDINATOR},
    "duplicates.person_dismiss": {COORDINATOR},
    "duplicates.organisation_dismiss": {COORDINATOR},
    "duplicates.person_merge": {COORDINATOR},
    "duplicates.merge_list": {COORDINATOR},
    "duplicates.merge_undo": {COORDINATOR},
    "organisations.organisation_public": {EDITOR_A, COORDINATOR},
    "me.calendar_renew": LOGGED_IN,
    "public.organisation_map": EVERYONE,
    "public.organisation_map_script": EVERYONE,
    "public.organisation_list": EVERYONE,
    "public.organisation_detail": EVERYONE,
    "public.edition_calendar": EVERYONE,
    "public.personal_calendar": EVERYONE,
    "api.organisations": EVERYONE,
    "api.editions": EVERYONE,
    "api.openapi": EVERYONE,
    "mailings.mailing_list": {COORDINATOR},
    "mailings.mailing_new": {COORDINATOR},
    "mailings.mailing_detail": {COORDINATOR},
    "mailings.mailing_edit": {COORDINATOR},
    "mailings.mailing_test": {COORDINATOR},
    "mailings.mailing_send": {COORDINATOR},
    "mailings.unsubscribe": EVERYONE,  # public, guarded by its signed token
    "healthz.status": EVERYONE,
    "me.data_download": LOGGED_IN,
    "me.erasure_request": LOGGED_IN,
    "gdpr.privacy": LOGGED_IN,
    "gdpr.person_export": {COORDINATOR},
    "gdpr.person_erase": {COORDINATOR},
    "gdpr.request_list": {COORDINATOR},
    "gdpr.request_decline": {COORDINATOR},
    "gdpr.retention": {COORDINATOR},
    "registration.settings": {COORDINATOR},
    "registration.invitations_send": {COORDINATOR},
    "registration.invitation_send": {COORDINATOR},
    "registration.invitations_reengage": {COORDINATOR},
    "registration.answers": {COORDINATOR},
    "registration.answers_export": {COORDINATOR},
    "registration.answer": EVERYONE,  # public, guarded by the signed personal link
    "registration.new_link": EVERYONE,
    "registration.join": LOGGED_IN,
}


@pytest.fixture
def visitors(app, ids):
    """A logged-in test client for each role, and one that is not logged in.

    Organisation editor A edits the organisation of the URLs (and so the person who works there); B another.
    """
    with app.app_context():
        org_a, org_b = db.session.get(Organisation, ids["/organisations/"]["id"]), factories.organisation("Fundacja B")
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
        organisation = factories.organisation("Urząd Miasta", forum_member_since=date(2023, 5, 18),
                                              public_since=factories.datetime_now())
        person = factories.person("Jan", "Kowalski", directory_consent_at=factories.datetime_now())
        affiliation = factories.affiliation(person, organisation)
        other_person, other_organisation = factories.person("Janina", "Kowalska"), factories.organisation("Urząd")
        locality = factories.locality()
        edition = factories.edition(1)
        panel = ProgrammeItem(edition=edition, kind=ProgrammeKind.PANEL, title="Panel")
        speaker = PanelSpeaker(programme_item=panel, organisation=organisation)
        partnership = Partnership(edition=edition, organisation=organisation)
        participation = Participation(edition=edition, person=person)
        edit = ChangeLogEntry(entity_type="person", entity_id=person.id, entity_label="Jan Kowalski", action="updated",
                              changes={"expertise": [None, "prawo"]})
        mailing = Mailing(source="people", source_args={}, subject_pl="Temat", body_pl="Treść")
        merged = ChangeLogEntry(entity_type="person", entity_id=person.id, entity_label="Jan Kowalski",
                                action="merged", changes={"merged_with": ["Jan Kowalsky", None]})
        db.session.add_all([panel, speaker, partnership, participation, edit, merged])
        db.session.flush()
        undone = PersonMerge(kept_id=person.id, removed_id=0, removed={}, kept_before={}, moved={},
                             undone_at=factories.datetime_now(), change_log_id=merged.id)
        waiting = ErasureRequest(person=other_person, source=ErasureSource.PERSON)
        db.session.add_all([panel, speaker, partnership, participation, undone, mailing, waiting])
        invited = factories.user(Role.MEMBER, email="zaproszona@example.org", person=person)
        tokens = {purpose: issue_token(invited, purpose) for purpose in TokenPurpose}
        db.session.add(EditionRegistration(edition=edition, opens_on=date.today(), closes_on=date.today(),
                                           capacity=10))
        registration = Registration(participation=participation)
        db.session.add(registration)
        db.session.flush()
        link = personal_token(registration)
        factories.committed(organisation, person, affiliation, locality, edition, panel, speaker, partnership, edit,
                            invited, participation, undone, mailing)
        return {
            "/directory/organisations/": {"id": organisation.id},
            "/directory/people/": {"id": person.id},
            "/accounts/": {"id": invited.id},
            "/changes/review/": {"entry_id": merged.id},
            "/invitation/": {"token": tokens[TokenPurpose.INVITATION]},
            "/password/reset/": {"token": tokens[TokenPurpose.PASSWORD_RESET]},
            "/reports/": {"table": "trend", "file_format": "csv"},
            "/reports/editions/": {"id": edition.id, "table": "attendance", "file_format": "xlsx"},
            "/editions/": {"id": edition.id, "item_id": panel.id, "speaker_id": speaker.id,
                           "partnership_id": partnership.id, "participation_id": participation.id,
                           "person_id": person.id, "fmt": "csv"},
            "/organisations/": {"id": organisation.id, "fmt": "csv"},
            "/people/": {"id": person.id, "affiliation_id": affiliation.id, "fmt": "xlsx"},
            "/localities/": {"id": locality.id},
            "/imports/": {"kind": "people", "id": edition.id},
            "/changes/": {"fmt": "xlsx"},
            "/duplicates/merges/": {"merge_id": undone.id},
            "/mailings/": {"id": mailing.id, "token": unsubscribe_token(person.id, mailing.id)},
            "/duplicates/people/": {"first_id": person.id, "second_id": other_person.id},
            "/duplicates/organisations/": {"first_id": organisation.id, "second_id": other_organisation.id},
            "/public/organisations/": {"id": organisation.id},
            "/public/calendar/": {"token": calendar_token(invited)},
            "/gdpr/": {"id": person.id, "request_id": waiting.id},
            "/registration/": {"id": edition.id, "participation_id": participation.id, "token": link,
                               "fmt": "xlsx"},
        }


def url_for_rule(rule, ids) -> str:
    """The rule's URL with the ids of real records for its arguments."""
    values = {"filename": "css/app.css"}
    for prefix, prefix_values in ids.items():
        if rule.rule.startswith(prefix):
            values.update(prefix_values)
    path = rule.rule
    for argument in rule.arguments:
        for converter in ("", "path:", "id:"):
            path = path.replace(f"<{converter}{argument}>", str(values[argument]))
    return path


def visit(client, rule, ids):
    """GET the rule's URL, or POST to it (with a CSRF token) if it only takes POST."""
    url = url_for_rule(rule, ids)
    if "GET" in rule.methods:
        return client.get(url, buffered=True)  # a streamed download is read to its end and closed, as servers do
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
