"""Lists page by key (`(name_sort, id) > last`): Next and Previous links, and pages asked by number, show exactly
the rows OFFSET showed, in either order, with filters, on every page."""

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from forum_crm.extensions import db
from forum_crm.models import Origin, Person, Sector
from forum_crm.organisations.queries import (
    OrganisationFilters,
    organisation_list,
    organisation_order,
    organisation_rows,
)
from forum_crm.pagination import KeysetPagination, paginate
from forum_crm.people.queries import PersonFilters, person_list, person_order
from forum_crm.security import record_urls
from forum_crm.validators import MAX_ID
from tests import factories

SURNAMES = ["Nowak", "Łukasik", "Lis", "Żak", "Zając", "Ślęzak", "Sowa", "Nowak", "Łukasik", "Adamska", "Ćwik"]


@pytest.fixture
def people(ctx):
    """63 people, many with the same name (the id decides their order)."""
    for number in range(63):
        factories.person("Anna" if number % 2 else "Jan", SURNAMES[number % len(SURNAMES)])
    factories.person("Ewa", "Archiwalna", archived_at=factories.datetime_now())
    db.session.flush()


def ids(query: sa.Select) -> list[int]:
    return [row[0].id for row in db.session.execute(query).unique()]


def page_of(app, filters: PersonFilters, query_string: str, per_page: int = 10) -> KeysetPagination:
    with app.test_request_context(f"/people?{query_string}"):
        return paginate(person_list(filters), per_page=per_page, order=person_order(filters))


@pytest.mark.parametrize("descending", [False, True])
def test_pages_by_number_are_the_offset_pages(app, people, descending):
    filters = PersonFilters(descending=descending)
    everyone = ids(person_list(filters))
    assert len(everyone) == 63
    for number in range(1, 9):
        page = page_of(app, filters, f"page={number}")
        assert [row[0].id for row in page.items] == everyone[(number - 1) * 10:number * 10]
        assert page.total == 63 and page.pages == 7


@pytest.mark.parametrize("filters", [PersonFilters(), PersonFilters(descending=True), PersonFilters(search="nowak"),
                                     PersonFilters(archived=None)])
def test_next_and_previous_walk_the_whole_list(app, people, filters):
    everyone, seen, query = ids(person_list(filters)), [], "page=1"
    while True:
        page = page_of(app, filters, query, per_page=7)
        seen += [row[0].id for row in page.items]
        if not page.has_next:
            break
        query = "&".join(f"{name}={value}" for name, value in page.next_args.items() if value is not None)
        assert "after=" in query
    assert seen == everyone
    backwards = []
    while page.has_prev:
        query = "&".join(f"{name}={value}" for name, value in page.prev_args.items() if value is not None)
        page = page_of(app, filters, query, per_page=7)
        backwards = [row[0].id for row in page.items] + backwards
        assert page.items
    assert backwards == everyone[:len(backwards)] and len(backwards) == (len(everyone) - 1) // 7 * 7


@pytest.mark.parametrize("query_string", ["page=3&after=nonsense", "page=3&after=AB.1", "page=3&before=x.y.z",
                                          "page=3&after=" + "a" * 500 + ".1"])
def test_a_malformed_key_is_ignored(app, people, query_string):
    everyone = ids(person_list(PersonFilters()))
    assert [row[0].id for row in page_of(app, PersonFilters(), query_string).items] == everyone[20:30]


def test_a_page_past_the_end_is_empty(app, people):
    page = page_of(app, PersonFilters(), "page=50")
    assert page.items == [] and page.total == 63


@pytest.mark.parametrize("descending", [False, True])
def test_organisations_page_by_key(app, ctx, descending):
    """The list page reads plain columns (organisation_rows), in organisation_list's order, and pages by their key."""
    for number in range(30):
        factories.organisation(f"Fundacja {'ABCŁŚŻ'[number % 6]} {number}")
    filters = OrganisationFilters(descending=descending)
    everyone = ids(organisation_list(filters))
    with app.test_request_context("/organisations?page=2"):
        page = paginate(organisation_rows(filters), per_page=10, order=organisation_order(filters), plain=True)
        assert [row.id for row in page.items] == everyone[10:20]
        assert page.next_args["after"] == f"{page.items[-1].name_sort}.{everyone[19]}"
        assert page.prev_args == {"page": 1, "after": None, "before": None}
    with app.test_request_context(f"/organisations?page=3&after={page.next_args['after']}"):
        later = paginate(organisation_rows(filters), per_page=10, order=organisation_order(filters), plain=True)
        assert [row.id for row in later.items] == everyone[20:30]
        assert later.prev_args["before"] == f"{later.items[0].name_sort}.{everyone[20]}"
    with app.test_request_context(f"/organisations?page=2&before={later.prev_args['before']}"):
        earlier = paginate(organisation_rows(filters), per_page=10, order=organisation_order(filters), plain=True)
        assert [row.id for row in earlier.items] == everyone[10:20]


def test_the_organisations_list_shows_its_rows_columns(app, client, login):
    """Each row of the list page: its link, name, short name, badges, town, sector, date and people now."""
    with app.app_context():
        town = factories.locality("Łódź")
        listed = factories.organisation("Fundacja <b>Ala</b>", short_name="F&A", locality=town,
                                        sector=Sector.UNIVERSITY,
                                        forum_member_since=date(2023, 5, 18), origin=Origin.DEMO,
                                        archived_at=factories.datetime_now())
        factories.affiliation(factories.person("Jan", "Nowak"), listed)
        factories.affiliation(factories.person("Ewa", "Lis"), listed, ended_on=date(2024, 1, 31))  # not now
        factories.organisation("Stowarzyszenie Bez Miasta")
        user = factories.committed(factories.user())
        listed_id = listed.id
    login(user)
    page = client.get("/organisations?status=all&lang=en").text
    row = re.search(rf'<tr>\s*<td><a href="/organisations/{listed_id}">(.*?)</tr>', page, re.S).group(1)
    assert "Fundacja &lt;b&gt;Ala&lt;/b&gt;</a>" in row and "(F&amp;A)" in row
    assert '<span class="badge">archived</span>' in row and '<span class="badge">demo</span>' in row
    assert "<td>Łódź</td>" in row and "<td>University</td>" in row and "18 May 2023" in row
    assert '<td class="num">1</td>' in row
    other = re.search(r"Stowarzyszenie Bez Miasta</a>(.*?)</tr>", page, re.S).group(1)
    assert "<td>—</td>" in other and '<td class="num">0</td>' in other and "badge" not in other


def test_the_people_page_links_next_and_previous_by_key(app, client, login):
    with app.app_context():
        for number in range(60):
            factories.person("Jan", f"{SURNAMES[number % len(SURNAMES)]}{number:02}")
        user = factories.committed(factories.user())
        order = list(db.session.scalars(sa.select(Person.last_name).order_by(Person.name_sort, Person.id)))
    login(user)
    page = client.get("/people").text
    for _ in range(3):
        link = re.search(r'href="([^"]+)" rel="next"', page)
        if not link:
            break
        assert "after=" in link.group(1) and "None" not in link.group(1)
        page = client.get(html.unescape(link.group(1))).text
    assert "Strona 3 z 3" in page or "Page 3 of 3" in page
    assert order[-1] in page and order[49] not in page
    previous = re.search(r'href="([^"]+)" rel="prev"', page).group(1)
    assert "before=" in previous
    back = client.get(html.unescape(previous)).text
    assert order[25] in back and order[49] in back and order[50] not in back


def test_lists_without_a_unique_order_still_page_by_number(app, people):
    with app.test_request_context("/people?page=2"):
        page = paginate(person_list(PersonFilters()), per_page=10)
        assert not isinstance(page, KeysetPagination)
        assert page.next_args == {"page": 3} and page.prev_args == {"page": 1}
        assert [row[0].id for row in page.items] == ids(person_list(PersonFilters()))[10:20]


@pytest.mark.parametrize("address", ["/people?after=zzz.1", "/people?q=nowak&after=zzz.1", "/organisations?after=zzz.1",
                                     "/people?before=a.1"])
def test_a_key_past_either_end_shows_an_empty_page_with_links_by_number(app, client, login, address):
    """A key beyond the last row (an old link, a list that shrank) gives an empty page, not an error."""
    with app.app_context():
        for number in range(30):
            factories.person("Jan", f"Nowak{number:02}")
            factories.organisation(f"Fundacja {number:02}")
        user = factories.committed(factories.user())
    login(user)
    response = client.get(address)
    assert response.status_code == 200
    links = re.findall(r'href="([^"]+)" rel="(?:next|prev)"', response.text)
    assert all("after=" not in link and "before=" not in link for link in links)


def test_list_statements_are_built_once_but_searches_and_the_time_anew(ctx):
    """listing.built_once: the same filters give the same statement (its cache key worked out once), a search or
    "not confirmed for a year" (compared with the time now) a new one each time."""
    assert person_list(PersonFilters(town="Lublin")) is person_list(PersonFilters(town="Lublin"))
    assert person_list(PersonFilters(town="Lublin")) is not person_list(PersonFilters(town="Lublin", archived=None))
    assert organisation_list(OrganisationFilters()) is organisation_list(OrganisationFilters())
    for filters in (OrganisationFilters(stale=True), OrganisationFilters(search="fundacja")):
        assert organisation_list(filters) is not organisation_list(filters)
    assert person_list(PersonFilters(search="nowak")) is not person_list(PersonFilters(search="nowak"))


@pytest.mark.parametrize("script_root", ["", "/crm"])
def test_record_urls_are_url_for_of_each_id(app, script_root):
    """A page's row addresses, built once and filled with each id, are url_for's, where the app is mounted too."""
    with app.test_request_context("/organisations", base_url=f"http://localhost{script_root}"):
        for endpoint in ("organisations.organisation_detail", "organisations.organisation_edit"):
            address = record_urls(endpoint)
            for id in (1, 42, 2**31 - 2, MAX_ID):
                assert address(id) == url_for(endpoint, id=id)
        assert record_urls("organisations.organisation_edit")(7) == f"{script_root}/organisations/7/edit"
