"""A list's filter form is rendered once per what it shows (forum_crm.fragments): the same address values give the
same HTML, and whatever changes in it (a value, an error, a choice, the language) is rendered anew."""

import re

from forum_crm.extensions import db
from forum_crm.models import AreaOfWork, ChangeLogEntry, Origin, ReviewState, Role
from tests import factories
from tests.conftest import csrf_token

SELECTED = '<option selected value="{}">'


def filter_form(page: str) -> str:
    return re.search(r'<form method="get" class="filters".*?</form>', page, re.S).group(0)


def test_the_filter_form_follows_the_address_the_choices_and_the_language(app, client, login):
    with app.app_context():
        db.session.add(AreaOfWork(name="edukacja"))
        user = factories.committed(factories.user())
    login(user)
    first = filter_form(client.get("/organisations?sector=ngo").text)
    assert filter_form(client.get("/organisations?sector=ngo").text) == first
    assert SELECTED.format("ngo") in first
    other = filter_form(client.get("/organisations?sector=media&q=fundacja").text)
    assert 'value="fundacja"' in other and SELECTED.format("media") in other and SELECTED.format("ngo") not in other
    too_long = filter_form(client.get("/organisations?q=" + "x" * 250).text)
    assert "field-error" in too_long and "field-error" not in first
    with app.app_context():
        db.session.add(AreaOfWork(name="zdrowie psychiczne"))
        db.session.commit()
    with_area = filter_form(client.get("/organisations?sector=ngo").text)
    assert "zdrowie psychiczne" in with_area and "zdrowie psychiczne" not in first and "edukacja" in first
    english = filter_form(client.get("/organisations?sector=ngo&lang=en").text)
    assert "Voivodeship" in english and "Województwo" in first
    people = filter_form(client.get("/people?q=nowak").text)
    assert 'value="nowak"' in people and people != first



def menu(page: str) -> str:
    return re.search(r'<nav aria-label=".*?</nav>', page, re.S).group(0)


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    return client


def test_the_menu_and_the_demo_banner_follow_the_role_the_count_the_language(app):
    """The menu and the demo banner are rendered once per role, count and language: a member never gets the
    coordinator's menu, a new change to review shows at once, the demo banner follows the demo counts."""
    with app.app_context():
        coordinator, member = factories.committed(factories.user(),
                                                  factories.user(role=Role.MEMBER, person=factories.person()))
    coordinators, members = logged_in(app, coordinator), logged_in(app, member)
    assert 'href="/organisations"' in menu(coordinators.get("/editions").text)
    assert 'href="/organisations"' not in menu(members.get("/editions").text)
    assert "menu-count" not in menu(coordinators.get("/editions").text)
    assert "demo-banner" not in coordinators.get("/editions").text
    with app.app_context():
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=1, entity_label="Anna", action="updated",
                                      review_state=ReviewState.TO_REVIEW))
        factories.person(origin=Origin.DEMO)
        db.session.commit()
    page = coordinators.get("/editions").text
    assert re.search(r'<span class="menu-count"[^>]*>1</span>', menu(page))
    assert "1 osoba" in page and "Usuń dane demonstracyjne" in page
    page = members.get("/editions").text
    assert "1 osoba" in page and "Usuń dane demonstracyjne" not in page and "menu-count" not in page
    assert ">Organisations<" in menu(coordinators.get("/editions?lang=en").text)
