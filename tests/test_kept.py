"""Figures kept between requests (forum_crm.kept): computed once per version of the tables they read, and never
served after a write the app made to one of those tables, whether through the ORM, Core statements or a delete the
database carries on to other tables."""

import sqlalchemy as sa
from flask import g

from forum_crm.extensions import db
from forum_crm.kept import MISSING, Kept, kept_html, kept_row, kept_scalar, table_versions
from forum_crm.models import Affiliation, Edition, Locality, Organisation, Origin, Person, Sector, TableVersion
from tests import factories
from tests.conftest import csrf_token

PEOPLE = sa.select(sa.func.count()).select_from(Person)
CURRENT_AFFILIATIONS = sa.select(sa.func.count()).select_from(Affiliation)


def statements_run(app, action):
    """The SQL statements `action` ran."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return seen


def new_request_figure(app, statement):
    """The kept figure as a new request would see it (a new application context: a new `g` and session)."""
    with app.app_context(), app.test_request_context():
        return kept_scalar(statement)


def test_a_figure_is_computed_once_per_version_of_its_tables(app, ctx):
    factories.person()
    db.session.commit()
    assert new_request_figure(app, PEOPLE) == 1
    again = statements_run(app, lambda: new_request_figure(app, PEOPLE))
    assert [statement for statement in again if "count" in statement] == []  # only the versions were read
    assert any("table_version" in statement for statement in again)


def test_a_figure_of_mapped_columns_is_read_on_the_connection(app, ctx):
    """Kept figures run on the session's connection (kept._figures), not through the ORM: plain values of what the
    database holds, and a record added meanwhile is not flushed for them."""
    factories.organisation("Fundacja A")
    db.session.commit()
    db.session.add(Organisation(name="Fundacja Z", sector=Sector.NGO))
    with app.test_request_context():
        row = kept_row(sa.select(sa.func.count(Organisation.id), sa.func.max(Organisation.name)))
    assert tuple(row) == (1, "Fundacja A") and len(db.session.new) == 1


def test_versions_are_read_once_a_request(app, ctx):
    factories.person()
    db.session.commit()
    with app.app_context(), app.test_request_context():
        kept_scalar(PEOPLE)
        ran = statements_run(app, lambda: (kept_scalar(PEOPLE), kept_scalar(CURRENT_AFFILIATIONS)))
        assert sum("table_version" in statement for statement in ran) == 0
        assert "table_versions" in g


def test_an_orm_write_shows_at_once(app, ctx):
    assert new_request_figure(app, PEOPLE) == 0
    factories.person()
    db.session.commit()
    assert new_request_figure(app, PEOPLE) == 1
    person = db.session.scalars(sa.select(Person)).one()
    db.session.delete(person)
    db.session.commit()
    assert new_request_figure(app, PEOPLE) == 0


def test_core_inserts_updates_and_deletes_show_at_once(app, ctx):
    demo_people = sa.select(sa.func.count()).select_from(Person).where(Person.origin == Origin.DEMO)
    db.session.execute(sa.insert(Person), [{"first_name": "Ala", "last_name": f"Kot{n}", "name_sort": f"kot{n}",
                                            "search_text": f"ala kot{n}", "origin": Origin.DEMO} for n in range(3)])
    db.session.commit()
    assert new_request_figure(app, demo_people) == 3
    db.session.execute(sa.update(Person).where(Person.last_name == "Kot0").values(origin=Origin.MANUAL))
    db.session.commit()
    assert new_request_figure(app, demo_people) == 2
    db.session.execute(sa.delete(Person).where(Person.origin == Origin.DEMO))
    db.session.commit()
    assert new_request_figure(app, demo_people) == 0


def test_a_delete_bumps_the_tables_the_database_deletes_from_with_it(app, ctx):
    person = factories.person()
    factories.affiliation(person, factories.organisation())
    db.session.commit()
    assert new_request_figure(app, CURRENT_AFFILIATIONS) == 1
    before = table_versions_now(app)
    db.session.execute(sa.delete(Person).where(Person.id == person.id))  # affiliations: ON DELETE CASCADE
    db.session.commit()
    assert table_versions_now(app)["affiliation"] > before["affiliation"]
    assert new_request_figure(app, CURRENT_AFFILIATIONS) == 0


def table_versions_now(app):
    with app.app_context(), app.test_request_context():
        return table_versions()


def test_a_rolled_back_write_bumps_nothing(app, ctx):
    factories.person()
    db.session.commit()
    before = table_versions_now(app)
    factories.person()
    db.session.rollback()
    db.session.execute(sa.select(Person.id)).all()
    db.session.commit()  # a later read-only transaction on the same pooled connection
    assert table_versions_now(app) == before


def test_only_the_tables_written_are_bumped(app, ctx):
    factories.person()
    db.session.commit()
    before = table_versions_now(app)
    factories.locality()
    db.session.commit()
    after = table_versions_now(app)
    assert after["person"] == before["person"]
    assert after["locality"] == before.get("locality", 0) + 1
    assert db.session.get(TableVersion, "table_version") is None


def test_figures_differ_by_their_values(app, ctx):
    factories.person(first_name="Ala")
    factories.person(first_name="Ola")
    db.session.commit()
    with app.app_context(), app.test_request_context():
        named = [kept_scalar(sa.select(sa.func.count()).select_from(Person).where(Person.first_name == name))
                 for name in ("Ala", "Ola", "Ela")]
        in_list = kept_row(sa.select(sa.func.count()).where(Person.first_name.in_(["Ala", "Ola"])))
    assert named == [1, 1, 0]
    assert tuple(in_list) == (2,)


def test_an_entry_older_than_its_max_age_is_made_again(monkeypatch):
    kept, versions = Kept(max_age=10), lambda: {"person": 1}
    clock = iter([100.0, 105.0, 111.0])  # stored; asked 5 s later; asked 11 s later
    monkeypatch.setattr("forum_crm.kept.time.monotonic", lambda: next(clock))
    kept.put("key", ("person",), versions(), "value")
    assert kept.get("key", versions) == "value"
    assert kept.get("key", versions) is MISSING


def test_an_entry_is_served_while_its_tables_keep_their_versions():
    kept = Kept()
    kept.put("key", ("organisation", "person"), {"person": 1}, "value")
    assert kept.get("key", lambda: {"person": 1, "edition": 7}) == "value"
    assert kept.get("key", lambda: {"person": 2}) is MISSING
    assert kept.get("key", lambda: {"person": 1, "organisation": 1}) is MISSING


def test_the_least_recently_used_entries_go_first():
    kept, versions = Kept(size=2), lambda: {}
    for key in ("a", "b"):
        kept.put(key, ("person",), versions(), key)
    assert kept.get("a", versions) == "a"
    kept.put("c", ("person",), versions(), "c")
    assert kept.get("b", versions) is MISSING
    assert [kept.get(key, versions) for key in ("a", "c")] == ["a", "c"]


def test_list_totals_follow_edits_made_through_the_pages(app, client, login):
    with app.app_context():
        coordinator = factories.user()
        person_id = factories.person(first_name="Zofia", last_name="Kowalska").id
        db.session.commit()
        login(coordinator)
    assert '<p class="count" role="status">1 osoba</p>' in client.get("/people").text
    archive = f"/people/{person_id}/archive"
    response = client.post(archive, data={"csrf_token": csrf_token(client, archive)})
    assert response.status_code == 302, response.text
    assert '<p class="count" role="status">0 osób</p>' in client.get("/people").text


def kept_html_now(app, key, render):
    with app.app_context(), app.test_request_context():
        return kept_html(key, render)


def test_html_is_kept_until_a_table_it_read_changes(app, ctx):
    renders = []

    def render():
        renders.append(1)
        return ", ".join(db.session.scalars(sa.select(Person.first_name).order_by(Person.first_name)))

    person = factories.person(first_name="Ala")
    db.session.commit()
    assert [kept_html_now(app, "names", render) for _ in range(2)] == ["Ala", "Ala"] and len(renders) == 1
    factories.locality()  # a table the HTML did not read
    db.session.commit()
    assert kept_html_now(app, "names", render) == "Ala" and len(renders) == 1
    person.first_name = "Ola"
    db.session.commit()
    assert kept_html_now(app, "names", render) == "Ola" and len(renders) == 2


def test_html_depends_on_the_figures_it_used_even_when_they_were_kept(app, ctx):
    factories.person()
    db.session.commit()
    with app.app_context(), app.test_request_context():
        kept_scalar(PEOPLE)  # kept: the page below runs no statement on `person`
    assert kept_html_now(app, "count", lambda: str(kept_scalar(PEOPLE))) == "1"
    factories.person()
    db.session.commit()
    assert kept_html_now(app, "count", lambda: str(kept_scalar(PEOPLE))) == "2"


def test_html_that_ran_plain_sql_is_not_kept(app, ctx):
    renders = []

    def render():
        renders.append(1)
        return str(db.session.execute(sa.text("SELECT count(*) FROM person")).scalar_one())

    assert [kept_html_now(app, "plain", render) for _ in range(2)] == ["0", "0"] and len(renders) == 2


def test_the_lists_show_edits_to_the_records_and_records_they_show(app, client, login):
    with app.app_context():
        coordinator = factories.user()
        town = factories.locality("Lublin")
        factories.affiliation(factories.person("Zofia", "Kowalska", locality=town),
                              factories.organisation("Fundacja Ala", locality=town))
        db.session.commit()
        login(coordinator)
    for path in ("/people", "/organisations"):
        assert "Lublin" in client.get(path).text and "Fundacja Ala" in client.get(path).text
    with app.app_context():
        db.session.execute(sa.update(Locality).values(name="Lubartów"))
        db.session.execute(sa.update(Organisation).values(name="Fundacja Ola"))
        db.session.commit()
    for path in ("/people", "/organisations"):
        page = client.get(path).text
        assert "Lubartów" in page and "Lublin" not in page and "Fundacja Ola" in page
    assert "People" in client.get("/people?lang=en").text and "Osoby" in client.get("/people").text


def test_an_edition_report_follows_edits_to_the_edition_and_its_invitees(app, client, login):
    with app.app_context():
        coordinator = factories.user()
        edition = factories.edition(1, locality=factories.locality("Lublin"))
        factories.participation(edition, factories.person())
        db.session.commit()
        edition_id = edition.id
        login(coordinator)
    invited = '<dt>Zaproszeni</dt><dd>{} <small'
    report = client.get(f"/reports/editions/{edition_id}").text
    assert "2023, Lublin</p>" in report and invited.format(1) in report
    with app.app_context():
        db.session.execute(sa.update(Locality).values(name="Lubartów"))
        factories.participation(db.session.get(Edition, edition_id), factories.person())
        db.session.commit()
    report = client.get(f"/reports/editions/{edition_id}").text
    assert "2023, Lubartów</p>" in report and invited.format(2) in report


def test_a_search_page_follows_edits_to_its_hits_and_their_organisations(app, client, login):
    """The people search's page (its hits' keys and count from one statement, their organisations read apart) is
    kept, and made again when a hit, its count or an organisation it shows changes."""
    with app.app_context():
        coordinator = factories.user()
        person_id = factories.person("Zofia", "Kowalska").id
        factories.person("Jan", "Kowalski")
        db.session.commit()
        login(coordinator)
    with app.app_context():
        first = statements_run(app, lambda: client.get("/people?q=kowal"))
        assert any("WITH found" in statement for statement in first)
        assert not any("WITH found" in statement for statement in statements_run(
            app, lambda: client.get("/people?q=kowal")))  # kept: the search does not run again
        person = db.session.get(Person, person_id)
        person.last_name = "Nowak"
        factories.affiliation(db.session.scalar(sa.select(Person).where(Person.last_name == "Kowalski")),
                              factories.organisation("Fundacja Ala"))
        db.session.commit()
    page = client.get("/people?q=kowal").text
    assert '<p class="count" role="status">1 osoba</p>' in page and "Nowak" not in page and "Fundacja Ala" in page
    with app.app_context():
        db.session.execute(sa.update(Organisation).values(name="Fundacja Ola"))
        db.session.commit()
    assert "Fundacja Ola" in client.get("/people?q=kowal").text


def test_html_made_by_a_statement_run_before_depends_on_its_tables_too(app, ctx):
    """The tables a statement reads are found once per compiled form, which SQLAlchemy reuses: the second page,
    made by the same statement, still follows the table."""

    def render():
        return str(db.session.scalar(sa.select(sa.func.count(Person.id))))

    assert (kept_html_now(app, "first", render), kept_html_now(app, "second", render)) == ("0", "0")
    factories.person()
    db.session.commit()
    assert (kept_html_now(app, "first", render), kept_html_now(app, "second", render)) == ("1", "1")
