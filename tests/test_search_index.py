"""Search through the trigram indexes (SQLite FTS5, PostgreSQL pg_trgm) finds exactly what the plain scan of the
folded text found before, and the index follows every insert, update and delete, bulk Core inserts included."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Locality, Organisation, Person, Voivodeship
from forum_crm.models.directory import person_keys
from forum_crm.organisations.queries import OrganisationFilters, organisation_list
from forum_crm.pagination import CountedOnceKeysetPagination, paginate
from forum_crm.people.queries import PersonFilters, counted_once, listed_people, person_list, person_order
from forum_crm.search import is_search_index, text_contains
from forum_crm.text import fold, polish_sort_key
from tests import factories

# Polish queries with and without hits, a one- and two-letter one (too short for trigrams), an empty one,
# LIKE's wildcards and FTS5's quote, which must be taken literally.
QUERIES = ["lodz", "Łódź", "zolw", "slezak", "Ślęzak", "ł", "a", "ow", "", "100%", "o_w", 'a"b', "jan ś"]


def scanned(model, search: str) -> set[int]:
    """The ids the list found before the indexes: LIKE over the folded text or the joined town's name."""
    folded = fold(search)
    query = sa.select(model.id).outerjoin(Locality, model.locality_id == Locality.id)
    if folded:
        query = query.where(sa.or_(model.search_text.contains(folded, autoescape=True),
                                   Locality.name_key.contains(folded, autoescape=True)))
    return set(db.session.scalars(query.where(model.archived_at.is_(None))))


def listed(query: sa.Select) -> list[int]:
    return [row[0].id for row in db.session.execute(query).unique()]


@pytest.fixture
def network(ctx):
    lodz = factories.locality("Łódź", Voivodeship.LODZKIE)
    zolwin = factories.locality("Żółwin", Voivodeship.MAZOWIECKIE)
    lublin = factories.locality("Lublin")
    for first, last, town, email in [("Jan", "Ślęzak", lublin, "jan@example.org"), ("Anna", "Ślęzakowa", None, None),
                                     ("Ewa", "Łódzka", lublin, "ewa@lodz.pl"), ("Piotr", "Nowak", lodz, None),
                                     ("Zofia", "Żółwińska", None, "z100%@example.org"), ("Olga", 'O"Brien', zolwin,
                                                                                         "o_w@example.org")]:
        factories.person(first, last, locality=town, email=email)
    for name, town in [("Fundacja Łódzka", None), ("Stowarzyszenie Żółw", lublin), ("Ślęzak i Syn", lodz),
                       ("Fundacja Ocalenie", zolwin)]:
        factories.organisation(name, locality=town)
    factories.person("Adam", "Archiwalny", archived_at=factories.datetime_now())
    db.session.flush()


@pytest.mark.parametrize("search", QUERIES)
def test_people_found_as_the_scan_found_them(network, search):
    found = listed(person_list(PersonFilters(search=search)))
    assert set(found) == scanned(Person, search)
    assert len(found) == len(set(found))


def search_page(app, filters: PersonFilters, query_string: str) -> CountedOnceKeysetPagination:
    """A page of the people list's search as /people pages it: the hits' keys and count from one statement."""
    with app.test_request_context(f"/people?{query_string}"):
        page = paginate(person_list(filters), per_page=2, order=person_order(filters), count_once=True,
                        rows=listed_people())
        assert isinstance(page, CountedOnceKeysetPagination)
        return page


@pytest.mark.parametrize(("descending", "archived"), [(False, False), (True, False), (False, None)])
@pytest.mark.parametrize("search", QUERIES)
def test_the_search_pages_show_the_list_in_order_and_count_it(app, network, search, descending, archived):
    """Page by page (by number, then Next and Previous by key), the search's pages show exactly the list's rows in
    its order, and each page counts all of them."""
    filters = PersonFilters(search=search, descending=descending, archived=archived)
    everyone = listed(person_list(filters))
    for number in range(1, len(everyone) // 2 + 3):
        page = search_page(app, filters, f"page={number}")
        assert [row[0].id for row in page.items] == everyone[(number - 1) * 2:number * 2]
        assert page.total == len(everyone)
    seen, page = [], search_page(app, filters, "page=1")
    while True:
        seen += [row[0].id for row in page.items]
        assert page.total == len(everyone)
        if not page.has_next:
            break
        page = search_page(app, filters, "&".join(f"{name}={value}" for name, value in page.next_args.items()
                                                  if value is not None))
    assert seen == everyone
    while page.has_prev:
        page = search_page(app, filters, "&".join(f"{name}={value}" for name, value in page.prev_args.items()
                                                  if value is not None))
        assert [row[0].id for row in page.items] == everyone[(page.page - 1) * 2:page.page * 2]
        assert page.total == len(everyone)


def test_searches_the_index_answers_are_counted_once():
    """Searches of three letters or more page and count their hits at once; shorter ones (most people match) page
    along the name order, as the list without a search does."""
    assert [counted_once(PersonFilters(search=search)) for search in ("lodz", "Łód", "ło", "ł", "  ", None)] == [
        True, True, False, False, False, False]


@pytest.mark.parametrize("search", QUERIES)
def test_organisations_found_as_the_scan_found_them(network, search):
    assert set(listed(organisation_list(OrganisationFilters(search=search)))) == scanned(Organisation, search)


def test_the_queries_find_someone(network):
    """The comparison above is not vacuous: the Polish queries find people by name, e-mail and town."""
    names = {query: {row[0].last_name for row in db.session.execute(person_list(PersonFilters(search=query)))}
             for query in ("lodz", "slezak", "zolw", "ł")}
    assert names["lodz"] == {"Łódzka", "Nowak"}
    assert names["slezak"] == {"Ślęzak", "Ślęzakowa"}
    assert names["zolw"] == {"Żółwińska", 'O"Brien'}
    assert names["ł"] == {"Łódzka", "Ślęzak", "Ślęzakowa", "Nowak", "Żółwińska", 'O"Brien'}


def test_the_index_is_used_for_three_letters_or_more(ctx):
    dialect = db.session.get_bind().dialect.name
    tables = set(sa.inspect(db.engine).get_table_names())
    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes("person")}
    if dialect == "sqlite":
        assert "person_search" in tables and "organisation_search" in tables
        assert "MATCH" in str(text_contains(Person, "lodz").compile())
    else:
        assert "ix_person_search_text_trgm" in indexes
    assert "MATCH" not in str(text_contains(Person, "lo").compile())
    assert is_search_index("person_search_data") and not is_search_index("person")


def found(search: str) -> set[str]:
    return {person.last_name for person in db.session.scalars(sa.select(Person).where(text_contains(Person, search)))}


def test_the_index_follows_bulk_inserts_updates_and_deletes(ctx):
    rows = []
    for number in range(3):
        rows.append({"first_name": "Bolesław", "last_name": f"Żółtowski{number}",
                     **person_keys("Bolesław", f"Żółtowski{number}", None)})
    db.session.execute(sa.insert(Person), rows)  # Core executemany, as imports and demo-data write
    assert found("zoltowski") == {"Żółtowski0", "Żółtowski1", "Żółtowski2"}

    person = db.session.scalar(sa.select(Person).where(Person.last_name == "Żółtowski1"))
    person.last_name = "Kowalczyk"
    db.session.flush()
    assert found("zoltowski") == {"Żółtowski0", "Żółtowski2"}
    assert found("kowalczyk") == {"Kowalczyk"}

    db.session.execute(sa.update(Person).where(Person.last_name == "Żółtowski2")
                       .values(search_text="ktos inny", name_sort=polish_sort_key("inny")))
    db.session.execute(sa.delete(Person).where(Person.last_name == "Żółtowski0"))
    assert found("zoltowski") == set()
    assert found("ktos inn") == {"Żółtowski2"}
    db.session.rollback()
    assert found("zoltowski") == set()


def test_the_people_page_searches_through_the_index(app, client, login):
    with app.app_context():
        town = factories.locality("Łódź", Voivodeship.LODZKIE)
        factories.person("Jan", "Ślęzak", locality=town)
        factories.person("Ewa", "Kowalska")
        user = factories.committed(factories.user())
    login(user)
    assert "Ślęzak" in client.get("/people?q=lodz").text
    page = client.get("/people?q=slezak").text
    assert "Ślęzak" in page and "Kowalska" not in page
    assert "Ślęzak" not in client.get("/people?q=zolw").text


def test_the_people_page_shows_each_hit_with_its_current_organisations(app, client, login):
    with app.app_context():
        jan = factories.person("Jan", "Kowalski")
        for name, ended in [("Fundacja Ocalenie", None), ("Stowarzyszenie Dawne", date(2001, 1, 1)),
                            ("Fundacja Łódzka", None)]:
            factories.affiliation(jan, factories.organisation(name), ended_on=ended)
        factories.person("Ewa", "Kowalska")
        user = factories.committed(factories.user())
    login(user)
    page = client.get("/people?q=kowal").text
    assert "Fundacja Ocalenie; Fundacja Łódzka" in page and "Dawne" not in page
    assert re.search(r"Kowalska Ewa</a>\s*</td>\s*<td>—</td>", page)
    assert "2 osoby" in page
