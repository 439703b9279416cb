"""Shared template pieces: field hints come from the form, permissions from template globals."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField

from forum_crm.models import Role
from tests import factories

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class HintedForm(FlaskForm):
    town = StringField("Town", description="Type the town's name.")
    name = StringField("Name")


def test_field_shows_the_description_as_its_hint(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros.html" import field %}{{ field(form.town) }}{{ field(form.name) }}',
            form=HintedForm(meta={"csrf": False}))
    assert '<p class="hint" id="town-hint">Type the town&#39;s name.</p>' in html
    assert 'aria-describedby="town-hint"' in html
    assert "name-hint" not in html and html.count('class="hint"') == 1


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_templates_ask_permission_helpers_instead_of_comparing_roles(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"current_user\.role|Role\.|[!=]=\s*[\"'](coordinator|org_editor|member)[\"']", text)
    assert not re.search(r"field\(([\w.]+), \1\.description\)", text), "field() shows the description already"


@pytest.mark.parametrize(("role", "coordinator_menu", "editor_menu"), [
    (Role.COORDINATOR, True, False), (Role.ORG_EDITOR, False, True), (Role.MEMBER, False, False)])
def test_menu_follows_the_permission_helpers(app, client, login, role, coordinator_menu, editor_menu):
    with app.app_context():
        organisation = factories.organisation() if role == Role.ORG_EDITOR else None
        user = factories.user(role, organisation=organisation)
        factories.committed(*filter(None, (organisation, user)))
        email = user.email
    login(SimpleNamespace(email=email))
    page = client.get("/").text
    assert ('href="/accounts"' in page) is coordinator_menu and ('href="/people"' in page) is coordinator_menu
    assert ('href="/me/organisation"' in page) is editor_menu
