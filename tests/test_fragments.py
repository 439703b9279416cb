"""A list's filter form is rendered once per what it shows (forum_crm.fragments): the same address values give the
same HTML, and whatever changes in it (a value, an error, a choice, the language) is rendered anew."""

import re

from forum_crm.extensions import db
from forum_crm.models import AreaOfWork
from tests import factories

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
