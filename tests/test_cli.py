"""The flask commands: report seed, demo network, accounts, quick start."""

from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    Base,
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    Origin,
    Participation,
    Partnership,
    Person,
    ProgrammeKind,
    Role,
    User,
)
from tests import factories


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        result = runner.invoke(args=list(args), input=input, catch_exceptions=False)
        return result

    return invoke


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def test_seed_report_loads_the_reports_facts(app, run):
    assert run("seed-report").exit_code == 0
    with app.app_context():
        editions = db.session.scalars(sa.select(Edition).order_by(Edition.number)).all()
        assert [(e.roman_number, e.start_date, e.end_date) for e in editions] == [
            ("I", date(2023, 5, 18), date(2023, 5, 19)),
            ("II", date(2023, 8, 31), date(2023, 9, 1)),
            ("III", date(2023, 11, 30), date(2023, 12, 1)),
        ]
        assert editions[0].locality.name == "Warszawa"
        assert editions[1].locality is None and editions[1].venue is None  # the report does not say
        assert "31.11" in editions[2].dates_note and editions[0].dates_note is None
        for edition in editions:
            assert {item.kind for item in edition.programme} == set(ProgrammeKind)
        panels = {e.number: [s.organisation.name for s in next(i for i in e.programme if i.kind == "panel").speakers]
                  for e in editions}
        assert panels[1] == ["UNHCR", "Komisja Europejska w Polsce", "Norwegian Refugee Council", "Oxfam",
                             "International Rescue Committee", "NGO Forum Razem"]
        assert panels[2] == ["Allegro", "Google"]
        assert len(panels[3]) == 3 and all("samorządowe" in name for name in panels[3])
        network_partners = db.session.scalars(
            sa.select(Organisation.name).join(Partnership).where(Partnership.edition_id.is_(None))).all()
        assert sorted(network_partners) == ["Google", "NGO Forum Razem", "Open Society Foundations",
                                            "Unia Metropolii Polskich"]
        assert len(editions[2].partnerships) == 2


def test_seed_report_geolocates_the_forum_towns(app, run):
    run("seed-report")
    with app.app_context():
        localities = db.session.scalars(sa.select(Locality)).all()
        assert len(localities) == 18  # the report names 18 of its "19 towns"
        located = {locality.name for locality in localities if locality.is_located}
        assert "Gorzów Wielkopolski" in located and "Warszawa" in located and len(located) == 17
        kamionka = next(locality for locality in localities if locality.name == "Kamionka")
        assert kamionka.voivodeship is None and kamionka.latitude is None and "Kamionka" in kamionka.note


def test_seed_report_twice_gives_the_same_rows(app, run):
    run("seed-report")
    first = row_counts(app)
    run("seed-report")
    assert row_counts(app) == first
    assert first["edition"] == 3 and first["panel_speaker"] == 11 and first["partnership"] == 6


def test_demo_data_gives_exactly_the_requested_counts(app, run):
    run("seed-report")
    result = run("demo-data", "--people", "104", "--organisations", "51", "--seed", "1")
    assert result.exit_code == 0 and "104 people, 51 organisations" in result.output
    with app.app_context():
        demo = Origin.DEMO
        assert db.session.scalar(sa.select(sa.func.count(Person.id)).where(Person.origin == demo)) == 104
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.origin == demo)) == 51
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(
            Organisation.forum_member_since.is_not(None))) == 51
        # every organisation has people; some people changed organisation
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Affiliation.organisation_id)))
                                 .where(Affiliation.ended_on.is_(None))) == 51
        assert db.session.scalar(sa.select(sa.func.count(Affiliation.id)).where(Affiliation.ended_on.is_not(None))) > 0
        assert db.session.scalar(sa.select(sa.func.count(Participation.id))) > 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DayAttendance)) > 0
        # spread over the report's towns only
        towns = set(db.session.scalars(sa.select(Organisation.locality_id).where(Organisation.origin == demo)))
        assert len(towns) == 18


def test_demo_data_is_deterministic_and_rerunning_replaces_it(app, run):
    def snapshot():
        with app.app_context():
            return (db.session.execute(sa.select(Person.first_name, Person.last_name, Person.email)
                                       .order_by(Person.email)).all(),
                    db.session.execute(sa.select(Organisation.name).order_by(Organisation.name)).all())

    run("demo-data", "--people", "30", "--organisations", "10", "--seed", "7")
    first, first_counts = snapshot(), row_counts(app)
    run("demo-data", "--people", "30", "--organisations", "10", "--seed", "7")
    assert snapshot() == first and row_counts(app) == first_counts
    run("demo-data", "--people", "30", "--organisations", "10", "--seed", "8")
    assert snapshot() != first


def test_demo_data_leaves_real_records_alone(app, run):
    with app.app_context():
        real = factories.committed(factories.person("Prawdziwa", "Osoba"))
    run("demo-data", "--people", "5", "--organisations", "2")
    run("demo-data", "--people", "5", "--organisations", "2")
    with app.app_context():
        assert db.session.get(Person, real.id) is not None


def test_demo_data_scales_to_many_towns_and_editions(app, run):
    result = run("demo-data", "--people", "1200", "--organisations", "400", "--editions", "5")
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 5
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Organisation.locality_id)))) > 100
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1200


def test_demo_data_refuses_fewer_people_than_organisations(run):
    result = run("demo-data", "--people", "3", "--organisations", "5")
    assert result.exit_code != 0 and "at least as many people" in result.output


def test_create_user_reads_the_password_from_stdin(app, run):
    result = run("create-user", "Ala@Example.org", "--role", "coordinator", input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "ala@example.org" and user.role == Role.COORDINATOR
        assert user.check_password("a long enough password")


def test_create_user_generates_and_prints_a_password_once(app, run):
    result = run("create-user", "ola@example.org", "--role", "member", "--generate-password")
    password = result.output.split("Password (shown only now): ")[1].strip()
    with app.app_context():
        assert db.session.scalar(sa.select(User)).check_password(password)


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "org_editor"], "long enough pass\n", "needs --organisation"),
    (["--role", "org_editor", "--organisation", "999"], "long enough pass\n", "no organisation with id 999"),
    (["--role", "member", "--organisation", "1"], "long enough pass\n", "Only an org_editor"),
    (["--role", "member"], "eleven char\n", "The password needs at least 12 characters."),
    (["--role", "member"], "password1234\n", "too common or too easy to guess"),
    (["--role", "member"], "x@example.org1\n", "must not be built from your e-mail address"),
    (["--role", "admin"], "long enough pass\n", "Invalid value for '--role'"),
])
def test_create_user_refuses_bad_input(app, run, args, stdin, message):
    result = run("create-user", "x@example.org", *args, input=stdin)
    assert result.exit_code != 0 and message in result.output
    assert row_counts(app)["user_account"] == 0


def test_create_user_binds_an_org_editor_to_an_organisation(app, run):
    with app.app_context():
        organisation_id = factories.committed(factories.organisation()).id
    result = run("create-user", "r@example.org", "--role", "org_editor", "--organisation", str(organisation_id),
                 "--generate-password")
    assert result.exit_code == 0
    assert run("create-user", "R@example.org", "--role", "member", "--generate-password").exit_code != 0


def test_quickstart_loads_everything_once_and_prints_the_password_once(app, run):
    first = run("quickstart")
    assert "koordynator@example.org" in first.output and "password:" in first.output
    counts = row_counts(app)
    assert counts["person"] == 104 and counts["user_account"] == 1
    assert counts["edition"] == 6  # the report's I-III and three demo editions (CI-CIII) of the demo network
    second = run("quickstart")
    assert "password:" not in second.output and "exists already" in second.output
    assert row_counts(app) == counts


def test_every_command_has_help(run):
    for command in ("seed-report", "demo-data", "create-user", "quickstart", "import", "import organisations",
                    "import people"):
        result = run(*command.split(), "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
