"""A demo network, as `demo-data` makes it (its names, towns, editions, accounts), written with SQLAlchemy Core
into the tables a database has at whatever revision it is at: reflected, never today's models.

A column this code sets but the revision does not have yet is left out; a required column of the revision that
this code does not know (a later migration's) gets a plain value of its type, or the first value its CHECK
constraint allows. So the same data can be loaded at the previous revision however the schema moves on.
"""

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher

from forum_crm.search import is_search_index
from forum_crm.seeding.demo import AREAS, FEMALE_FIRST, LAST_NAMES, ORGANISATION_KINDS, ORGANISATION_NAMES
from forum_crm.text import fold, polish_sort_key
from tests import factories

COORDINATOR_EMAIL = "koordynatorka@demo.example.org"
# "state IN ('queued', ...)" (SQLite) or "((state)::text = ANY ((ARRAY['queued'::character varying, ...]" (PostgreSQL)
CHOICES = (re.compile(r"^\(?\s*\"?(\w+)\"?\s+IN\s*\(\s*'([^']*)'", re.IGNORECASE),
           re.compile(r"^\(*(\w+)\)?::text\s*=\s*ANY\s*\(+ARRAY\['([^']*)'", re.IGNORECASE))
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
TOWNS = (("Lublin", "lubelskie", 51.25, 22.57), ("Białystok", "podlaskie", 53.13, 23.16),
         ("Łódź", "łódzkie", 51.77, 19.46))


def insert_network(connection: sa.Connection, people: int = 30, organisations: int = 8) -> None:
    """Towns, areas of work, organisations, people with their jobs, two editions with participants and their
    check-ins, and a coordinator's and a member's account (password factories.PASSWORD)."""
    tables = sa.MetaData()
    tables.reflect(connection)
    write = _Writer(connection, tables)
    towns = write("locality", [{"name": name, "voivodeship": region, "latitude": lat, "longitude": lon,
                                "name_key": fold(name), "name_sort": polish_sort_key(name)}
                               for name, region, lat, lon in TOWNS])
    areas = write("area_of_work", [{"name": area} for area in AREAS[:5]])
    org_names = [f"{ORGANISATION_KINDS[i % len(ORGANISATION_KINDS)]} {ORGANISATION_NAMES[i % len(ORGANISATION_NAMES)]}"
                 f" {i + 1}" for i in range(organisations)]
    orgs = write("organisation", [
        {"name": name, "short_name": f"ORG{i}", "sector": "ngo", "locality_id": towns[i % len(towns)],
         "email": f"biuro{i}@demo.example.org", "consortium_member": i % 3 == 0, "origin": "demo",
         "forum_member_since": date(2023, 5, 18), "created_at": NOW, "updated_at": NOW, "version": 1,
         "name_key": fold(name), "search_text": fold(name), "name_sort": polish_sort_key(name),
         "short_key": fold(f"ORG{i}")} for i, name in enumerate(org_names)])
    write("organisation_area", [{"organisation_id": org, "area_id": areas[i % len(areas)]}
                                for i, org in enumerate(orgs)])
    names = [(FEMALE_FIRST[i % len(FEMALE_FIRST)], LAST_NAMES[i % len(LAST_NAMES)][1]) for i in range(people)]
    persons = write("person", [
        {"first_name": first, "last_name": last, "email": f"{fold(first)}.{fold(last)}.{i}@demo.example.org",
         "phone": f"+48 600 100 {i:03d}", "locality_id": towns[i % len(towns)], "expertise": "prawo migracyjne",
         "forum_member": True, "leader": i % 10 == 0, "directory_consent_at": NOW, "origin": "demo",
         "created_at": NOW, "updated_at": NOW, "version": 1, "search_text": fold(f"{first} {last}"),
         "name_sort": polish_sort_key(f"{last} {first}"), "first_key": fold(first), "last_key": fold(last),
         "phone_key": f"48600100{i:03d}", "share_contact": False} for i, (first, last) in enumerate(names)])
    write("affiliation", [{"person_id": person, "organisation_id": orgs[i % len(orgs)], "role_title": "prezeska",
                           "is_primary": True, "started_on": date(2022, 1, 1)} for i, person in enumerate(persons)])
    editions = write("edition", [
        {"number": 101 + i, "start_date": date(2025, 5, 18) + timedelta(days=100 * i),
         "end_date": date(2025, 5, 19) + timedelta(days=100 * i), "locality_id": towns[i], "venue": "Centrum",
         "theme": "Integracja", "origin": "demo", "created_at": NOW, "updated_at": NOW, "version": 1}
        for i in range(2)])
    taking_part = [(edition, person, i) for edition in editions for i, person in enumerate(persons) if i % 2 == 0]
    participations = write("participation", [
        {"edition_id": edition, "person_id": person, "organisation_id": orgs[i % len(orgs)], "status": "attended",
         "role": "participant", "created_at": NOW} for edition, person, i in taking_part])
    write("day_attendance", [{"participation_id": participation, "day": date(2025, 5, 18), "checked_in_at": NOW}
                             for participation in participations])
    password = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(factories.PASSWORD)
    write("user_account", [
        {"email": COORDINATOR_EMAIL, "password_hash": password, "role": "coordinator", "active": True,
         "session_token": "a" * 32, "created_at": NOW},
        {"email": "czlonkini@demo.example.org", "password_hash": password, "role": "member", "active": True,
         "person_id": persons[1], "session_token": "b" * 32, "created_at": NOW}])


class _Writer:
    """Inserts rows into a reflected table, fitted to its columns; returns their ids."""

    def __init__(self, connection: sa.Connection, tables: sa.MetaData):
        self.connection, self.tables = connection, tables

    def __call__(self, name: str, rows: list[dict]) -> list[int]:
        table = self.tables.tables[name]
        choices = self._choices(name)
        fitted = [self._fit(table, row, index, choices) for index, row in enumerate(rows)]
        ids = []
        for row in fitted:
            result = self.connection.execute(table.insert().values(row))
            ids.append(result.inserted_primary_key[0] if "id" in table.c else None)
        return ids

    def _choices(self, name: str) -> dict[str, str]:
        """The first value each column's CHECK (column IN ('a', 'b'...)) allows."""
        found = {}
        for check in sa.inspect(self.connection).get_check_constraints(name):
            for pattern in CHOICES:
                match = pattern.match(check["sqltext"].strip())
                if match:
                    found[match.group(1)] = match.group(2)
        return found

    @staticmethod
    def _fit(table: sa.Table, row: dict, index: int, choices: dict[str, str]) -> dict:
        fitted = {key: value for key, value in row.items() if key in table.c}
        for column in table.c:
            needed = (not column.nullable and column.server_default is None and column.name not in fitted
                      and not (column.primary_key and column.autoincrement in (True, "auto")
                               and isinstance(column.type, sa.Integer)))
            if needed:
                fitted[column.name] = choices.get(column.name) or _plain_value(column, index)
        return fitted


def _plain_value(column: sa.Column, index: int):
    """A value of the column's type, different for each row (a later column might be unique)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return index + 1
    if isinstance(kind, sa.Float | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return NOW.date()
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.LargeBinary):
        return b""
    length = getattr(kind, "length", None) or 40
    return f"{column.name}-{index}"[:length]


def read_all(connection: sa.Connection) -> dict[str, dict[tuple, dict]]:
    """Every row of every table (Alembic's and the search indexes' aside: derived, rebuilt by their triggers), by
    table and primary key."""
    tables = sa.MetaData()
    tables.reflect(connection)
    found = {}
    for table in tables.sorted_tables:
        if table.name == "alembic_version" or is_search_index(table.name):
            continue
        key = [column.name for column in table.primary_key.columns] or [column.name for column in table.c]
        found[table.name] = {tuple(row[name] for name in key): dict(row)
                             for row in connection.execute(sa.select(table)).mappings()}
    return found
