"""The imports' bulk writes (Core executemany, forum_crm.imports.bulk) give the rows the ORM path gives: the
models' derived keys, one change-log entry per record, consent history, affiliations, the duplicate finder's
name keys and the search indexes; a clash found while writing leaves nothing written."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum_crm.changelog import new_values
from forum_crm.extensions import db
from forum_crm.imports import bulk, services
from forum_crm.imports.parsing import read_table
from forum_crm.imports.plan import ORGANISATIONS, PEOPLE
from forum_crm.imports.plan_organisations import plan_organisations
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.services import import_organisations, import_people
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    NameKey,
    Organisation,
    Origin,
    Person,
    ReviewState,
)
from forum_crm.organisations.services import ORGANISATION_FIELDS
from forum_crm.people.services import AFFILIATION_FIELDS, PERSON_FIELDS
from tests import factories
from tests.test_imports import confirm, count, csv_bytes, upload

PEOPLE_HEADERS = ["Imię", "Nazwisko", "E-mail", "Telefon", "Miejscowość", "Organizacja", "Rola",
                  "Zgoda na katalog", "Zgoda na mapę", "Data zgody", "Źródło zgody", "Członek Forum"]
PEOPLE_ROWS = [
    ["Żaneta", "Ślęzak", "Zaneta.Slezak@Example.ORG", "+48 600 100 200", "Łódź", "Fundacja Łąka", "prezeska",
     "tak", "tak", "2024-03-01", "formularz Forum III", "tak"],
    ["Олена", "Шевченко", "olena@example.org", "", "", "", "", "", "tak", "", "", ""],
    ["Łucja", "Źdźbło", "", "42 123 45 67", "Gorzów Wlkp.", "Fundacja Łąka", "", "", "", "", "", "nie"],
]
ORGANISATION_HEADERS = ["Nazwa", "Skrót", "Sektor", "Miejscowość", "Obszary działania", "Języki", "E-mail"]
ORGANISATION_ROWS = [
    ["Stowarzyszenie Żółw", "SŻ", "", "Łódź", "edukacja, prawo migracyjne", "pl, uk", "Biuro@Zolw.PL"],
    ["Fundacja Ćma", "", "", "", "", "", ""],
]


def logged_when_created(person: Person) -> dict:
    """What log_saved logs for a person just flushed: its values, the consent moments still in UTC (SQLite
    reads them back without their zone)."""
    logged = new_values(person, PERSON_FIELDS)
    for name in ("directory_consent_at", "map_consent_at"):
        if name in logged:
            moment = getattr(person, name)
            logged[name][1] = at_utc(moment).isoformat()
    return logged


def at_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def orm_twin(person: Person) -> Person:
    """A person built by the ORM (as the forms do) from the stored person's entered values."""
    return Person(first_name=person.first_name, last_name=person.last_name, email=person.email, phone=person.phone)


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        factories.committed(factories.organisation(name="Fundacja Łąka"))
        user = factories.committed(factories.user())
    login(user)
    return user


def test_imported_people_have_the_rows_the_orm_path_writes(app, client, coordinator, monkeypatch):
    monkeypatch.setattr(services, "WRITE_BATCH", 1)  # batches with and without affiliations and consents
    upload(client, "/imports/people", csv_bytes([PEOPLE_HEADERS, *PEOPLE_ROWS]))
    assert confirm(client, "/imports/people/confirm").status_code == 302
    with app.app_context():
        people = db.session.scalars(sa.select(Person).order_by(Person.id)).all()
        assert [person.full_name for person in people] == ["Żaneta Ślęzak", "Олена Шевченко", "Łucja Źdźbło"]
        derived = ("email", "search_text", "name_sort", "first_key", "last_key", "phone_key")
        for person in people:
            twin = orm_twin(person)
            assert {name: getattr(person, name) for name in derived} == {name: getattr(twin, name) for name in derived}
            assert person.origin is Origin.IMPORT and person.version == 1 and person.created_at is not None
        zaneta, olena, lucja = people
        assert zaneta.email == "zaneta.slezak@example.org" and zaneta.phone_key == "600100200"
        assert zaneta.forum_member and not lucja.forum_member and zaneta.locality.name == "Łódź"

        entries = db.session.scalars(sa.select(ChangeLogEntry).order_by(ChangeLogEntry.id)).all()
        assert [(entry.action, entry.entity_id) for entry in entries] == [
            ("imported", zaneta.id), ("affiliation_added", zaneta.id), ("imported", olena.id),
            ("imported", lucja.id), ("affiliation_added", lucja.id)]
        for entry, person in zip([entries[0], entries[2], entries[3]], people, strict=True):
            assert entry.changes == logged_when_created(person)
            assert (entry.entity_type, entry.entity_label, entry.entity_version, entry.user_id, entry.review_state) \
                == ("person", person.full_name, 1, coordinator.id, None)
        affiliations = db.session.scalars(sa.select(Affiliation).order_by(Affiliation.id)).all()
        assert [(a.person_id, a.role_title, a.is_primary) for a in affiliations] == [
            (zaneta.id, "prezeska", True), (lucja.id, None, True)]
        assert [entries[1].changes, entries[4].changes] == [new_values(a, AFFILIATION_FIELDS) for a in affiliations]

        events = db.session.scalars(sa.select(ConsentEvent).order_by(ConsentEvent.id)).all()
        assert [(event.person_id, event.purpose) for event in events] == [
            (zaneta.id, ConsentPurpose.DIRECTORY), (zaneta.id, ConsentPurpose.MAP), (olena.id, ConsentPurpose.MAP)]
        assert all(event.given and event.source is ConsentSource.IMPORT and event.recorded_by_id == coordinator.id
                   and event.wording_version for event in events)
        assert events[0].note == "formularz Forum III" and events[2].note is None
        assert at_utc(events[0].decided_at) == datetime(2024, 3, 1, 12, tzinfo=UTC)
        assert at_utc(zaneta.directory_consent_at) == datetime(2024, 3, 1, 12, tzinfo=UTC)
        assert olena.map_consent_at is not None and olena.directory_consent_at is None

        stored = set(db.session.execute(sa.select(NameKey.first_key, NameKey.last_key).distinct()).tuples())
        assert {(person.first_key, person.last_key) for person in people} <= stored

    for query, name in [("slezak", "Ślęzak"), ("ZDZBLO", "Źdźbło"), ("шевч", "Шевченко"), ("olena@example", "Олена")]:
        assert name in client.get(f"/people?q={query}").text, query


def test_imported_organisations_have_the_rows_the_orm_path_writes(app, client, coordinator):
    upload(client, "/imports/organisations", csv_bytes([ORGANISATION_HEADERS, *ORGANISATION_ROWS]))
    assert confirm(client, "/imports/organisations/confirm").status_code == 302
    with app.app_context():
        zolw, cma = db.session.scalars(sa.select(Organisation).where(Organisation.origin == Origin.IMPORT)
                                       .order_by(Organisation.id)).all()
        derived = ("name_key", "search_text", "name_sort", "short_key", "email")
        for organisation in (zolw, cma):
            twin = Organisation(name=organisation.name, short_name=organisation.short_name, email=organisation.email)
            assert {name: getattr(organisation, name) for name in derived} == \
                {name: getattr(twin, name) for name in derived}
            assert organisation.version == 1
        assert zolw.email == "biuro@zolw.pl" and zolw.short_key == "sz" and cma.short_key is None
        assert [area.name for area in zolw.areas] == ["edukacja", "prawo migracyjne"]
        assert sorted(language.code for language in zolw.languages) == ["pl", "uk"] and cma.languages == []
        entries = db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.entity_type == "organisation")
                                     .order_by(ChangeLogEntry.id)).all()
        assert [(entry.action, entry.entity_id, entry.entity_version) for entry in entries] == [
            ("imported", zolw.id, 1), ("imported", cma.id, 1)]
        assert [entry.changes for entry in entries] == [new_values(zolw, ORGANISATION_FIELDS),
                                                        new_values(cma, ORGANISATION_FIELDS)]
    assert "Stowarzyszenie Żółw" in client.get("/organisations?q=zolw").text


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield
        db.session.rollback()


def test_a_clash_while_writing_leaves_nothing_written(ctx, monkeypatch):
    """A person with a file's e-mail address saved after the check (by someone else): the insert fails as a
    whole, however many batches were written before it, and the caller's rollback leaves nothing."""
    monkeypatch.setattr(services, "WRITE_BATCH", 1)
    table = read_table(csv_bytes([PEOPLE_HEADERS, *PEOPLE_ROWS]))
    factories.organisation(name="Fundacja Łąka")
    db.session.flush()
    plan = plan_people(table, PEOPLE.guess(table))
    assert plan.is_valid
    db.session.add(factories.person("Inna", "Osoba", email="olena@example.org"))
    with pytest.raises(IntegrityError):
        import_people(plan)
    db.session.rollback()
    assert count(Person) == count(ChangeLogEntry) == count(ConsentEvent) == count(Affiliation) == 0


def test_an_organisation_name_taken_after_the_check_leaves_nothing_written(ctx):
    table = read_table(csv_bytes([ORGANISATION_HEADERS, *ORGANISATION_ROWS]))
    plan = plan_organisations(table, ORGANISATIONS.guess(table))
    assert plan.is_valid
    db.session.add(factories.organisation(name="FUNDACJA CMA"))
    with pytest.raises(IntegrityError):
        import_organisations(plan)
    db.session.rollback()
    assert count(Organisation) == count(ChangeLogEntry) == 0


def test_stored_records_get_their_empty_fields_filled_and_logged_beside_new_ones(ctx):
    """Filled records stay on the ORM path (loaded for the comparison anyway): one "updated" entry each."""
    stored = factories.organisation(name="Fundacja Ćma")
    db.session.flush()
    run_rows = [ORGANISATION_HEADERS, ["Fundacja Ćma", "", "", "Łódź", "edukacja", "uk", ""]]
    table = read_table(csv_bytes(run_rows))
    plan = plan_organisations(table, ORGANISATIONS.guess(table))
    done = []
    assert import_organisations(plan, done.append).updated == 1 and done == [1]
    assert stored.locality.name == "Łódź" and [area.name for area in stored.areas] == ["edukacja"]
    assert [language.code for language in stored.languages] == ["uk"]
    entry = db.session.scalar(sa.select(ChangeLogEntry))
    assert entry.action == "updated" and set(entry.changes) == {"locality", "areas", "languages"}


def test_an_invalid_plan_is_never_written(ctx):
    table = read_table(csv_bytes([ORGANISATION_HEADERS, ["Fundacja X", "", "", "", "", "", "not an e-mail"]]))
    plan = plan_organisations(table, ORGANISATIONS.guess(table))
    assert not plan.is_valid
    with pytest.raises(ValueError, match="nothing may be written"):
        import_organisations(plan)


def test_records_inserted_in_one_batch_get_their_own_ids(app, client, coordinator):
    """The ids a batch's one INSERT returns go to the records in their order (on PostgreSQL: from arrays, by
    ordinality): each entry, affiliation and consent is on the person the row was about."""
    upload(client, "/imports/people", csv_bytes([PEOPLE_HEADERS, *PEOPLE_ROWS]))
    assert confirm(client, "/imports/people/confirm").status_code == 302
    with app.app_context():
        people = {person.id: person for person in db.session.scalars(sa.select(Person))}
        entries = db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "imported")).all()
        assert sorted(entry.entity_label for entry in entries) == sorted(p.full_name for p in people.values())
        assert all(people[entry.entity_id].full_name == entry.entity_label for entry in entries)
        assert all(people[entry.entity_id].email == entry.changes.get("email", [None, None])[1] for entry in entries)
        linked = {people[a.person_id].last_name for a in db.session.scalars(sa.select(Affiliation))}
        consents = {people[event.person_id].last_name for event in db.session.scalars(sa.select(ConsentEvent))}
        assert linked == {"Ślęzak", "Źdźbło"} and consents == {"Ślęzak", "Шевченко"}


def test_change_log_entries_from_json_are_those_executemany_writes(ctx):
    """On PostgreSQL the change log goes in from one JSON document (insert_log_rows): the same columns, the
    changes the same JSON text, in the entries' order, as Core's executemany writes (SQLite uses it)."""
    user = factories.user()
    db.session.flush()
    changes = [{"first_name": [None, "Żaneta"], "notes": [None, 'cudzysłów " i \\ ukośnik\nnowa linia\t\u202e'],
                "areas": [None, ["edukacja", "prawo"]], "forum_member": [None, True], "version": [1, 2]},
               {}, {"organisation": [None, "Олена 😀"], "started_on": [None, "2024-03-01"], "ratio": [None, 1.5]}]
    rows = [{"entity_type": "person", "entity_id": number, "entity_label": f"Osoba „{number}”", "action": action,
             "changes": changes[number % 3], "entity_version": number % 2 or None,
             "user_id": user.id if number % 2 else None,
             "review_state": ReviewState.TO_REVIEW if number % 3 == 1 else None}
            for number, action in enumerate(["imported", "affiliation_added"] * 4)]
    columns = (ChangeLogEntry.entity_type, ChangeLogEntry.entity_id, ChangeLogEntry.entity_label,
               ChangeLogEntry.action, sa.cast(ChangeLogEntry.changes, sa.Text), ChangeLogEntry.entity_version,
               ChangeLogEntry.user_id, ChangeLogEntry.review_state)

    def written(insert) -> list[tuple]:
        start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ChangeLogEntry.id), 0)))
        insert()
        entries = db.session.execute(sa.select(*columns, ChangeLogEntry.occurred_at)
                                     .where(ChangeLogEntry.id > start).order_by(ChangeLogEntry.id)).all()
        assert all(entry.occurred_at is not None for entry in entries)
        return [tuple(entry)[:-1] for entry in entries]

    by_executemany = written(lambda: bulk.insert_rows(ChangeLogEntry.__table__, rows))
    assert by_executemany == written(lambda: bulk.insert_log_rows(rows))
    assert [entry[1] for entry in by_executemany] == list(range(8))
    if db.session.get_bind().dialect.name == "postgresql":  # too long a label still fails (SQLite takes it)
        with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
            bulk.insert_log_rows([{**rows[0], "entity_label": "x" * 301}])


@pytest.mark.parametrize("values", [
    {"first_name": " Żaneta ", "last_name": "Ślęzak-Nowak", "email": "  Zaneta@Example.ORG ",
     "phone": "+48 600-100-200"},
    {"first_name": "Олена", "last_name": "Шевченко", "email": "", "phone": "12 34"},
    {"first_name": "Łucja", "last_name": "Źdźbło", "email": None, "phone": None},
])
def test_a_new_person_row_has_the_columns_a_person_derives(ctx, values):
    person, row = Person(**values), bulk.NewPerson(values, locality=None)
    for name in ("first_name", "last_name", "email", "phone", "search_text", "name_sort", "first_key", "last_key",
                 "phone_key"):
        assert getattr(row, name) == getattr(person, name), name
    assert row.directory_consent_at is None and row.id is None  # not given, as on a new Person
    assert str(row) == person.full_name
    with pytest.raises(AttributeError):
        row.full_name  # noqa: B018 (only the columns read as None)
