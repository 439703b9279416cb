"""Demo data kept apart from real data: it never links to real records, every page says it is there,
reports leave it out unless asked, and one command or one button removes all of it."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from forum_crm.editions.participation import add_participant, check_in
from forum_crm.editions.queries import next_edition_number
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    Base,
    ChangeLogEntry,
    Edition,
    Organisation,
    Origin,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    Role,
    User,
)
from forum_crm.reports.queries import Period, network_numbers
from forum_crm.reports.summary import build_summary
from forum_crm.seeding.report import seed_report
from tests import factories
from tests.conftest import csrf_token

DEMO = Origin.DEMO.value
# Shared reference data that demo and real records may both point at.
SHARED = {"locality", "area_of_work"}


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args), catch_exceptions=False)


def demo_to_real_links() -> list[str]:
    """Every foreign-key path by which a demo row reaches a real one, found with one query per pair.

    A table with an `origin` column is itself demo or real; a table without one (participation,
    affiliation, panel speaker...) must not join a demo row to a real row through two of its keys.
    """
    found = []
    for table in Base.metadata.sorted_tables:
        ends = [("self", table.c.origin, None)] if "origin" in table.c else []
        for key in table.foreign_keys:
            target = key.column.table
            if target.name not in SHARED and "origin" in target.c:
                alias = target.alias(f"{target.name}_{key.parent.name}")
                ends.append((f"{key.parent.name}->{target.name}", alias.c.origin, (alias, key.parent == alias.c.id)))
        for demo_name, demo_origin, demo_join in ends:
            for real_name, real_origin, real_join in ends:
                if demo_name == real_name:
                    continue
                query = sa.select(sa.func.count()).select_from(table)
                for join in (demo_join, real_join):
                    if join:
                        query = query.join(*join)
                count = db.session.scalar(query.where(demo_origin == DEMO, real_origin != DEMO))
                if count:
                    found.append(f"{table.name}: {count} row(s) with demo {demo_name} and real {real_name}")
    return found


def test_quickstart_gives_the_demo_network_editions_of_its_own(app, run):
    assert run("quickstart").exit_code == 0
    with app.app_context():
        real_editions = sa.select(Edition.id).where(Edition.origin != Origin.DEMO)
        demo_people = sa.select(Person.id).where(Person.origin == Origin.DEMO)
        assert db.session.scalar(sa.select(sa.func.count(Participation.id)).where(
            Participation.edition_id.in_(real_editions), Participation.person_id.in_(demo_people))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Participation.id))) > 0
        numbers = list(db.session.scalars(sa.select(Edition.number).order_by(Edition.number)))
        assert numbers == [1, 2, 3, 101, 102, 103]
        assert demo_to_real_links() == []


def test_the_link_check_finds_a_demo_person_in_a_real_edition(app):
    """The check above can fail: a demo participant of a real edition is found."""
    with app.app_context():
        edition = factories.edition(1)
        factories.participation(edition, factories.person(origin=Origin.DEMO))
        assert demo_to_real_links() == ["participation: 1 row(s) with demo person_id->person and real "
                                        "edition_id->edition"]
        db.session.rollback()


def test_demo_data_command_links_only_to_its_own_records(app, run):
    run("seed-report")
    with app.app_context():
        factories.committed(factories.person("Prawdziwa", "Osoba", forum_member=True))
    assert run("demo-data", "--people", "40", "--organisations", "8", "--editions", "2").exit_code == 0
    with app.app_context():
        assert demo_to_real_links() == []
        assert db.session.scalar(sa.select(sa.func.count(Edition.id)).where(Edition.origin == Origin.DEMO)) == 2


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (not the tables' versions, which every write bumps)."""
    with app.app_context():
        return {table.name: sorted(db.session.execute(sa.select(table)).tuples().all(), key=repr)
                for table in Base.metadata.sorted_tables if table.name != "table_version"}


def real_world(app) -> User:
    """The report's facts, a real member with a job, a participation and change-log history; a coordinator."""
    with app.app_context():
        seed_report()
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Stowarzyszenie Nomada"))
        person = factories.person("Olena", "Prawdziwa", forum_member=True)
        factories.affiliation(person, organisation)
        edition = db.session.scalar(sa.select(Edition).where(Edition.number == 1))
        factories.participation(edition, person, organisation=organisation, status=ParticipationStatus.ATTENDED)
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=person.id, entity_label="Olena Prawdziwa",
                                      action="updated", changes={"phone": [None, "123"]}))
        return factories.committed(factories.user(Role.COORDINATOR, email="koordynatorka@example.org"))


def test_the_button_removes_every_demo_row_and_nothing_real(app, client, login, run):
    coordinator = real_world(app)
    login(coordinator)
    before = snapshot(app)
    run("demo-data", "--people", "5", "--organisations", "2", "--editions", "1")
    with app.app_context():
        demo_person = db.session.scalar(sa.select(Person).where(Person.origin == Origin.DEMO).limit(1))
        demo_edition = db.session.scalar(sa.select(Edition).where(Edition.origin == Origin.DEMO))
        factories.user(Role.MEMBER, email="demo-konto@example.org", person=demo_person)
        db.session.add_all([
            ChangeLogEntry(entity_type="person", entity_id=demo_person.id, entity_label="demo", action="updated",
                           changes={"phone": [None, "1"]}),
            ChangeLogEntry(entity_type="edition", entity_id=demo_edition.id, entity_label="demo", action="updated",
                           changes={"venue": [None, "Sala"]}),
        ])
        db.session.commit()

    home = client.get("/").text
    assert "demo-banner" in home and "5 osób, 2 organizacje, 1 edycja" in home
    assert 'href="/demo/remove"' in home
    confirmation = client.get("/demo/remove").text
    assert "5 osób, 2 organizacje, 1 edycja" in confirmation
    assert "1 konto" in confirmation and "2 wpisy w historii zmian" in confirmation

    response = client.post("/demo/remove", data={"csrf_token": csrf_token(client, "/demo/remove")})
    assert response.status_code == 302
    after = snapshot(app)
    for table in SHARED:  # the demo may have added towns and areas of work; none went away
        assert set(before.pop(table)) <= set(after.pop(table))
    assert after == before
    after_removal = client.get("/").text
    assert "Usunięto dane demonstracyjne: 5 osób, 2 organizacje, 1 edycja." in after_removal  # the flash
    assert "demo-banner" not in after_removal and "demo-banner" not in client.get("/").text


def test_removal_takes_real_rows_that_point_at_demo_ones(app, run):
    """Someone real added by hand to a demo edition: the participation goes, the person stays."""
    run("demo-data", "--people", "4", "--organisations", "2", "--editions", "1")
    with app.app_context():
        real = factories.person("Jan", "Prawdziwy")
        edition = db.session.scalar(sa.select(Edition).where(Edition.origin == Origin.DEMO))
        factories.participation(edition, real)
        real_id = factories.committed(real).id
    result = run("demo-data", "--remove")
    assert "Demo data removed: 4 people, 2 organisations, 1 edition" in result.output
    with app.app_context():
        assert db.session.get(Person, real_id) is not None
        assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 0


def test_only_the_coordinator_removes_demo_data(app, client, login, run):
    run("demo-data", "--people", "3", "--organisations", "1", "--editions", "0")
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    home = client.get("/").text
    assert "3 osoby, 1 organizacja, 0 edycji" in home and "/demo/remove" not in home
    assert client.post("/demo/remove", data={"csrf_token": csrf_token(client)}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 3


def test_no_banner_without_demo_data_or_when_logged_out(app, client, login, run):
    with app.app_context():
        coordinator = factories.committed(factories.user())
    login(coordinator)
    assert "demo-banner" not in client.get("/").text
    run("demo-data", "--people", "3", "--organisations", "1", "--editions", "0")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "demo-banner" not in client.get("/login").text


def small_world():
    """Real: organisation A, person Ala (attended edition I). Demo: organisation D, two people (attended CI)."""
    member_since = date(2023, 1, 1)
    joined = datetime(2023, 1, 1, tzinfo=UTC)  # people count in a period's summary once recorded by its end
    lublin = factories.locality()
    real_organisation = factories.organisation("A", locality=lublin, forum_member_since=member_since)
    demo_organisation = factories.organisation("D", locality=factories.locality("Rybnik", None),
                                               forum_member_since=member_since, origin=Origin.DEMO)
    real_edition = factories.edition(1, date(2023, 5, 18), date(2023, 5, 19))
    demo_edition = factories.edition(101, date(2023, 9, 7), date(2023, 9, 8), origin=Origin.DEMO)
    ala = factories.person("Ala", "Prawdziwa", forum_member=True, created_at=joined)
    factories.participation(real_edition, ala, organisation=real_organisation, status=ParticipationStatus.ATTENDED)
    for name in ("Demo1", "Demo2"):
        person = factories.person(name, "Fikcyjna", forum_member=True, origin=Origin.DEMO, created_at=joined)
        factories.participation(demo_edition, person, organisation=demo_organisation,
                                status=ParticipationStatus.ATTENDED)


def test_reports_leave_demo_records_out_unless_asked(ctx):
    small_world()
    assert network_numbers() == network_numbers(include_demo=False)
    real, everything = network_numbers(), network_numbers(include_demo=True)
    assert (real.people, real.organisations, real.localities, real.editions) == (1, 1, 1, 1)
    assert (everything.people, everything.organisations, everything.localities, everything.editions) == (3, 2, 2, 2)
    text = build_summary(Period(date(2023, 1, 1), date(2023, 12, 31))).plain_text()
    assert "skupia 1 osobę z 1 organizacji" in text and "CI Forum" not in text and "demonstracyjn" not in text
    included = build_summary(Period(date(2023, 1, 1), date(2023, 12, 31), include_demo=True)).plain_text()
    assert included.startswith("Te liczby obejmują dane demonstracyjne")
    assert "skupia 3 osoby z 2 organizacji" in included and "CI Forum" in included


def test_report_pages_and_command_include_demo_only_when_asked(app, client, login):
    with app.app_context():
        small_world()
        coordinator = factories.committed(factories.user())
    login(coordinator)
    people = client.get("/reports/people?year=2023").text
    assert "Prawdziwa" in people and "Fikcyjna" not in people
    people = client.get("/reports/people?year=2023&demo=1").text
    assert "Fikcyjna" in people and "Te liczby obejmują dane demonstracyjne" in people
    assert ">D</a>" not in client.get("/reports/organisations?year=2023").text
    assert "CI Forum" not in client.get("/reports?year=2023").text
    assert "CI Forum" in client.get("/reports?year=2023&demo=1").text
    summary = client.get("/reports/summary?year=2023&demo=1").text
    assert "CI Forum" in summary and "Te liczby obejmują dane demonstracyjne" in summary
    assert "Fikcyjna" not in client.get("/reports/export/people.csv?year=2023").text
    assert "Fikcyjna" in client.get("/reports/export/people.csv?year=2023&demo=1").text

    runner = app.test_cli_runner()
    plain = runner.invoke(args=["report", "summary", "--from", "2023-01-01", "--to", "2023-12-31", "--lang", "en"])
    assert "brings together 1 person" in plain.output and "CI Forum" not in plain.output
    included = runner.invoke(args=["report", "summary", "--from", "2023-01-01", "--to", "2023-12-31", "--lang", "en",
                                   "--include-demo"])
    assert included.output.startswith("These figures include demo records")
    assert "brings together 3 people" in included.output and "CI Forum" in included.output


def test_the_next_edition_number_ignores_demo_editions(ctx):
    small_world()
    assert next_edition_number() == 2


def test_a_demo_person_never_joins_a_real_edition_nor_a_real_person_a_demo_one(ctx):
    """Adding one by hand is refused with a message; bulk invitations and check-in skip them."""
    real_edition = factories.edition(1, date(2023, 5, 18), date(2023, 5, 19))
    demo_edition = factories.edition(101, date(2023, 9, 7), date(2023, 9, 8), origin=Origin.DEMO)
    real = factories.person("Ala", "Prawdziwa")
    demo = factories.person("Demo", "Fikcyjna", origin=Origin.DEMO)
    db.session.flush()
    for edition, person in ((real_edition, demo), (demo_edition, real)):
        with pytest.raises(FieldProblem) as refused:
            add_participant(edition, person, ParticipationRole.PARTICIPANT, ParticipationStatus.INVITED)
        assert refused.value.field == "person"
        with pytest.raises(LookupError):
            check_in(edition, person.id, edition.start_date)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 0
    add_participant(demo_edition, demo, ParticipationRole.PARTICIPANT, ParticipationStatus.INVITED)
    add_participant(real_edition, real, ParticipationRole.PARTICIPANT, ParticipationStatus.INVITED)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 2
