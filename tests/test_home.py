"""The home page: the network in numbers, in Polish and English."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, ngettext

from forum_crm.reports.queries import network_numbers
from tests import factories
from tests.conftest import csrf_token


def build_network():
    lublin, lodz = factories.locality(), factories.locality("Łódź", "łódzkie", 51.77, 19.47)
    member_since = date(2023, 5, 18)
    factories.organisation("Fundacja 1", locality=lublin, forum_member_since=member_since)
    factories.organisation("Fundacja 2", locality=lublin, forum_member_since=member_since)
    factories.organisation("Fundacja 3", locality=lodz, forum_member_since=member_since)
    factories.organisation("Nie członek", locality=lodz)
    factories.organisation("Zarchiwizowana", forum_member_since=member_since, archived_at=datetime.now(UTC))
    factories.person(forum_member=True)
    factories.person(forum_member=True, anonymised_at=datetime.now(UTC))  # still counts
    factories.person(forum_member=True, archived_at=datetime.now(UTC))  # does not
    factories.person(forum_member=False)
    factories.edition(1)


def test_network_numbers_count_members_only(ctx):
    build_network()
    numbers = network_numbers()
    assert (numbers.people, numbers.organisations, numbers.localities, numbers.editions) == (2, 3, 2, 1)


@pytest.mark.parametrize(("count", "people", "organisations"), [
    (1, "osoba", "organizacja"), (2, "osoby", "organizacje"), (5, "osób", "organizacji"),
    (22, "osoby", "organizacje"), (104, "osoby", "organizacje"), (112, "osób", "organizacji"),
    (0, "osób", "organizacji"),
])
def test_polish_plural_forms(ctx, count, people, organisations):
    with force_locale("pl"):
        assert ngettext("person", "people", count) == people
        assert ngettext("organisation", "organisations", count) == organisations


def test_english_plural_forms(ctx):
    with force_locale("en"):
        assert [ngettext("person", "people", n) for n in (1, 2, 104)] == ["person", "people", "people"]


def test_home_page_shows_the_numbers_in_both_languages(app, client, login):
    with app.app_context():
        build_network()
        user = factories.committed(factories.user())
    login(user)
    page = " ".join(client.get("/").text.split())
    assert "<strong>2</strong> osoby" in page and "<strong>3</strong> organizacje" in page
    assert "<strong>2</strong> miejscowości" in page and "<strong>1</strong> edycja Forum" in page
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    page = " ".join(client.get("/").text.split())
    assert "<strong>2</strong> people" in page and "<strong>1</strong> forum edition " in page
