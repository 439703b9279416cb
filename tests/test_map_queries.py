"""The member map's queries: who is counted where, and the index that counts the people on the map."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.mapping.queries import (
    MapFilters,
    map_data,
    organisations_by_voivodeship,
    town_counts,
    town_organisations,
    voivodeship_totals,
)
from forum_crm.models import AreaOfWork, ParticipationStatus, Sector, Voivodeship
from tests import factories

CONSENT = datetime(2023, 5, 18, tzinfo=UTC)
MEMBER_SINCE = date(2023, 5, 18)


@pytest.fixture
def towns(app):
    """Lublin: 2 member organisations (one in the area "prawo", one that attended edition 7) and 3 people on
    the map (one attended edition 7), besides everyone who must not count; Kraków: 1 member organisation of
    another sector and 1 person; Opole: people only; Kamionka: no voivodeship."""
    with app.app_context():
        lublin = factories.locality("Lublin", Voivodeship.LUBELSKIE, 51.25, 22.57)
        krakow = factories.locality("Kraków", Voivodeship.MALOPOLSKIE, 50.06, 19.94)
        opole = factories.locality("Opole", Voivodeship.OPOLSKIE, 50.67, 17.93)
        kamionka = factories.locality("Kamionka", None, None, None)
        law = AreaOfWork(name="prawo")
        lawyers = factories.organisation("Fundacja Prawna", locality=lublin, forum_member_since=MEMBER_SINCE)
        lawyers.areas.append(law)
        visitors = factories.organisation("Stowarzyszenie Gości", locality=lublin, forum_member_since=MEMBER_SINCE)
        factories.organisation("Nie Członek", locality=lublin)
        factories.organisation("Zarchiwizowana", locality=lublin, forum_member_since=MEMBER_SINCE,
                               archived_at=CONSENT)
        factories.organisation("Uczelnia", locality=krakow, forum_member_since=MEMBER_SINCE, sector=Sector.UNIVERSITY)
        factories.organisation("Fundacja z Kamionki", locality=kamionka, forum_member_since=MEMBER_SINCE)
        edition = factories.edition(7)
        on_map = [factories.person(locality=lublin, map_consent_at=CONSENT) for _ in range(3)]
        factories.participation(edition, on_map[0], organisation=visitors, status=ParticipationStatus.ATTENDED)
        for hidden in (factories.person(locality=lublin),  # no consent
                       factories.person(locality=lublin, map_consent_at=CONSENT, archived_at=CONSENT),
                       factories.person(locality=lublin, map_consent_at=CONSENT, anonymised_at=CONSENT),
                       factories.person(locality=lublin, map_consent_at=CONSENT, archived_at=CONSENT,
                                        anonymised_at=CONSENT)):
            factories.participation(edition, hidden, status=ParticipationStatus.ATTENDED)
        factories.person(map_consent_at=CONSENT)  # in no town
        factories.person(locality=krakow, map_consent_at=CONSENT)
        factories.person(locality=opole, map_consent_at=CONSENT)
        factories.person(locality=opole, map_consent_at=CONSENT)
        db.session.commit()
        yield law.id


def counts(filters: MapFilters) -> dict[str, tuple[int, int]]:
    return {town.name: (town.organisations, town.people) for town in town_counts(filters)}


def test_people_count_only_with_consent_neither_archived_nor_anonymised(app, towns):
    with app.app_context():
        assert counts(MapFilters()) == {"Lublin": (2, 3), "Kraków": (1, 1), "Opole": (0, 2), "Kamionka": (1, 0)}
        assert counts(MapFilters(edition=7)) == {"Lublin": (1, 1)}
        assert counts(MapFilters(voivodeship=Voivodeship.OPOLSKIE)) == {"Opole": (0, 2)}
        assert counts(MapFilters(sector=Sector.UNIVERSITY)) == {"Kraków": (1, 0)}


def test_coverage_summed_from_the_towns_equals_its_own_query(app, towns):
    with app.app_context():
        for filters in (MapFilters(), MapFilters(edition=7), MapFilters(sector=Sector.UNIVERSITY),
                        MapFilters(area_id=towns), MapFilters(sector=Sector.NGO, edition=7)):
            assert voivodeship_totals(town_counts(filters)) == organisations_by_voivodeship(filters), filters
        assert voivodeship_totals(town_counts(MapFilters())) == {Voivodeship.LUBELSKIE: 2, Voivodeship.MALOPOLSKIE: 1}
        # With a voivodeship the towns are that voivodeship's; coverage stays national.
        opole = MapFilters(voivodeship=Voivodeship.OPOLSKIE)
        assert map_data(opole, 25).by_voivodeship == organisations_by_voivodeship(replace(opole, voivodeship=None))


def index_definition(name: str) -> str:
    """PostgreSQL's definition of an index (the tests' data are too few for PostgreSQL to prefer an index)."""
    return db.session.scalar(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": name})


def sqlite_plan_of_first_statement(action):
    """What `action` returned, and SQLite's plan (EXPLAIN QUERY PLAN) of the first statement it ran."""
    statements = []
    listen = lambda _c, _cur, statement, parameters, _x, _many: statements.append((statement, parameters))  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    statement, parameters = statements[0]
    explained = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    return result, [row[3] for row in explained]


def test_people_on_the_map_are_counted_in_their_partial_index(app, towns):
    """The index's condition is Person.is_on_map's: SQLite reads no person row to count them."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert index_definition("ix_person_on_map_locality_id").endswith(
                "(locality_id) WHERE ((map_consent_at IS NOT NULL) AND (archived_at IS NULL)"
                " AND (anonymised_at IS NULL))")
            return
        _, plan = sqlite_plan_of_first_statement(lambda: town_counts(MapFilters()))
        assert "SCAN person USING INDEX ix_person_on_map_locality_id" in plan, plan


def test_popup_names_are_read_in_order_from_the_member_index_alone(app, towns):
    """SQLite reads the member organisations' names for the popups from the covering partial index, not the table;
    on PostgreSQL the index's definition is checked (too few rows here for it to prefer an index)."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert index_definition("ix_organisation_member_name_sort").endswith(
                "(name_sort, id, locality_id, name, forum_member_since, archived_at)"
                " WHERE ((forum_member_since IS NOT NULL) AND (archived_at IS NULL))")
            return
        names, plan = sqlite_plan_of_first_statement(lambda: town_organisations(MapFilters(), 25))
        assert plan == ["SCAN organisation USING COVERING INDEX ix_organisation_member_name_sort"], plan
        assert sorted(len(listed) for listed in names.values()) == [1, 1, 2]


def test_towns_read_as_plain_rows_carry_voivodeships_and_integer_counts(app, towns):
    with app.app_context():
        read = {town.name: town for town in town_counts(MapFilters())}
        assert read["Lublin"].voivodeship is Voivodeship.LUBELSKIE and read["Kamionka"].voivodeship is None
        assert {type(value) for town in read.values() for value in (town.id, town.organisations, town.people)} == {int}
        assert read["Lublin"].is_located and not read["Kamionka"].is_located
