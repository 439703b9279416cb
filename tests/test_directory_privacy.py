"""The members' directory templates get only what a member may see: never a Person record, never its notes."""

from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from flask import template_rendered

from forum_crm.models import Person, Role
from tests import factories

NOTE = "tajna notatka koordynatora"


@contextmanager
def rendered_contexts(app):
    """The context of every template rendered inside the block."""
    contexts = []

    def record(_sender, template, context, **_extra):
        contexts.append((template.name, context))

    template_rendered.connect(record, app)
    try:
        yield contexts
    finally:
        template_rendered.disconnect(record, app)


def values_in(value, depth=0):
    """The value and what it holds (lists, dicts, dataclasses, pages of rows), a few levels down."""
    yield value
    if depth > 4 or isinstance(value, str | bytes):
        return
    if is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, f.name) for f in fields(value)]
    elif isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list | tuple | sa.Row):
        children = list(value)
    elif hasattr(value, "items") and isinstance(getattr(value, "items", None), list):
        children = value.items  # a page of rows
    else:
        return
    for child in children:
        yield from values_in(child, depth + 1)


@pytest.fixture
def anna(app):
    with app.app_context():
        organisation = factories.organisation("Fundacja Alfa", forum_member_since=date(2023, 5, 18))
        person = factories.person("Anna", "Alfowa", email="anna@example.org", phone="+48 600 000 001", notes=NOTE,
                                  expertise="prawo migracyjne", share_contact=True,
                                  directory_consent_at=factories.datetime_now(), locality=factories.locality())
        factories.affiliation(person, organisation, role_title="prezeska")
        member = factories.user(Role.MEMBER, email="member@example.org")
        factories.committed(organisation, person, member)
        return {"id": person.id, "organisation": organisation.id, "member": member}


@pytest.mark.parametrize("url", ["/directory/people/{id}", "/directory", "/directory/organisations/{organisation}"])
def test_directory_templates_get_no_person_record_and_no_notes(app, client, login, anna, url):
    login(anna["member"])
    with rendered_contexts(app) as contexts:
        response = client.get(url.format(**anna))
    assert response.status_code == 200
    assert NOTE not in response.text
    (name, context), = [(name, context) for name, context in contexts if name.startswith("directory/")]
    for key, value in context.items():
        if key in ("current_user", "g", "request", "session"):
            continue  # the logged-in member's own account, and Flask's globals
        for held in values_in(value):
            assert not isinstance(held, Person), f"{name} got a Person in {key!r}"
            assert not (isinstance(held, str) and NOTE in held), f"{name} got the notes in {key!r}"


def test_the_person_page_shows_what_a_member_may_see(client, login, anna):
    login(anna["member"])
    page = client.get(f"/directory/people/{anna['id']}").text
    assert "Anna Alfowa" in page and "prawo migracyjne" in page and "prezeska" in page
    assert f'/directory/organisations/{anna["organisation"]}">Fundacja Alfa</a>' in page
    assert "anna@example.org" in page and "+48 600 000 001" in page
