"""Writes of imports: a checked plan becomes records, in the caller's transaction (flushed, never committed).

Records created get origin=import and a change-log entry "imported"; records whose empty fields
were filled get an "updated" entry with those fields; attendance gets an "attendance_imported"
entry on the edition (as the door check-in does). New records are inserted with Core executemany
(imports.bulk), WRITE_BATCH rows a statement; filled records, loaded already, are written by the ORM, one flush a batch.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from forum_crm.changelog import Fields, differences, log_saved, new_values, record_change, snapshot
from forum_crm.consents import consent_time, give_unsaved, record_consent
from forum_crm.extensions import db
from forum_crm.imports.bulk import (
    NewPerson,
    affiliation_row,
    insert_records,
    insert_rows,
    log_added,
    log_created,
    store_person_names,
)
from forum_crm.imports.collector import without_cycle_collection
from forum_crm.imports.plan import (
    CREATE,
    ORGANISATIONS,
    PEOPLE,
    SKIP,
    UNCHANGED,
    UNKNOWN,
    UPDATE,
    Kind,
    Plan,
    Planned,
    Progress,
    advance,
)
from forum_crm.imports.plan_organisations import plan_organisations
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.queries import areas_by_name, organisations_to_link, people_by_id
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.services import stored_locality
from forum_crm.models import (
    Affiliation,
    AreaOfWork,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    OrganisationLanguage,
    Origin,
    Participation,
    ParticipationStatus,
    Person,
    Sector,
)
from forum_crm.models.directory import organisation_area
from forum_crm.organisations.services import ORGANISATION_FIELDS
from forum_crm.people.services import AFFILIATION_FIELDS, PERSON_FIELDS

ORGANISATION_VALUES = ("name", "short_name", "krs", "nip", "website", "email", "phone", "description",
                       "forum_member_since")
PERSON_VALUES = ("first_name", "last_name", "email", "phone", "expertise", "notes")
# The consents a file's columns give, each recorded in the consent history (source: import); the column
# "Źródło zgody" (consent_source) becomes its note.
IMPORTED_CONSENTS = {"directory_consent": ConsentPurpose.DIRECTORY, "map_consent": ConsentPurpose.MAP}
WRITE_BATCH = 1_000  # rows written (and flushed) at a time
CHECK_IN_HOUR = time(9, 0)  # sign-in sheets have no times: the morning of the day
ATTENDANCE_FIELDS = ("status", "days_attended")


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int
    unchanged: int
    skipped: int


def outcome(plan: Plan) -> Outcome:
    counts = plan.counts()
    return Outcome(counts[CREATE], counts[UPDATE], counts[UNCHANGED], counts[SKIP] + counts[UNKNOWN])


def _refuse_invalid(plan: Plan) -> None:
    if not plan.is_valid:
        raise ValueError(f"the {plan.kind} file has {len(plan.problems)} problems; nothing may be written")


class Places:
    """The stored locality of each town of a file, gazetteer places stored once."""

    def __init__(self):
        self.stored: dict[tuple[str, Any], Locality] = {}

    def locality(self, town: Locality | Place | None) -> Locality | None:
        if town is None or isinstance(town, Locality):
            return town
        key = (town.name, town.voivodeship)
        if key not in self.stored:
            self.stored[key] = stored_locality(town)
        return self.stored[key]


class Areas:
    """Areas of work by name (any case), loaded once; new names are created."""

    def __init__(self):
        self.by_name = areas_by_name()

    def named(self, names: Iterable[str]) -> list[AreaOfWork]:
        areas = []
        for name in names:
            area = self.by_name.get(name.casefold())
            if area is None:
                area = self.by_name[name.casefold()] = AreaOfWork(name=name)
                db.session.add(area)
            areas.append(area)
        return areas


Written = tuple[Any, dict | None]  # a record, and its logged fields before the change (None: created)


def _create_in_batches(plan: Plan, insert_batch: Callable[[list[Planned]], None], progress: Progress) -> None:
    """Insert the records a plan creates WRITE_BATCH rows at a time, with Core (see imports.bulk)."""
    rows = plan.rows_to(CREATE)
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start:start + WRITE_BATCH]
        insert_batch(batch)
        if progress is not None:
            progress(len(batch))


def _fill_in_batches(plan: Plan, entity_type: str, fields: Fields, fill: Callable[[Planned], Any],
                     progress: Progress, after_flush: Callable[[], None] | None = None) -> None:
    """Fill the empty fields of stored records WRITE_BATCH rows at a time: flush, then log each record's
    "updated" entry with the fields filled. The records are loaded already (the plan compared them)."""
    rows = plan.rows_to(UPDATE)
    for start in range(0, len(rows), WRITE_BATCH):
        written: list[Written] = []
        for planned in rows[start:start + WRITE_BATCH]:
            record = plan.records[planned.record_id]
            before = snapshot(record, fields)
            fill(planned)
            written.append((record, before))
        db.session.flush()
        for record, before in written:
            log_saved(entity_type, record, fields, before)
        if after_flush is not None:
            after_flush()
        db.session.flush()
        if progress is not None:
            progress(len(written))


@without_cycle_collection
def import_organisations(plan: Plan, progress: Progress = None) -> Outcome:
    """Create and fill the organisations of a valid plan (see imports.plan_organisations)."""
    _refuse_invalid(plan)
    places, areas = Places(), Areas()

    def new_organisation(planned: Planned) -> Organisation:
        values = planned.values
        organisation = Organisation(
            origin=Origin.IMPORT, sector=values.get("sector") or Sector.NGO,
            consortium_member=bool(values.get("consortium_member")),
            **{name: values.get(name) for name in ORGANISATION_VALUES})
        organisation.locality = places.locality(values.get("town"))
        organisation.areas = areas.named(values["areas"])
        organisation.languages = [OrganisationLanguage(code=code) for code in values.get("languages", [])]
        return organisation

    def insert_batch(batch: list[Planned]) -> None:
        organisations = [new_organisation(planned) for planned in batch]
        db.session.flush()  # the towns and areas of work first named by this batch
        insert_records(organisations, Organisation)
        insert_rows(organisation_area, [{"organisation_id": organisation.id, "area_id": area.id}
                                        for organisation in organisations for area in organisation.areas])
        insert_rows(OrganisationLanguage.__table__, [
            {"organisation_id": organisation.id, "code": language.code}
            for organisation in organisations for language in organisation.languages])
        log_created("organisation", organisations, ORGANISATION_FIELDS)

    def fill(planned: Planned) -> None:
        organisation = plan.records[planned.record_id]
        for name, value in planned.fills.items():
            if name == "town":
                organisation.locality = places.locality(value)
            elif name == "areas":
                organisation.areas = [*organisation.areas, *areas.named(value)]
            elif name == "languages":
                organisation.languages.extend(OrganisationLanguage(code=code) for code in value)
            else:
                setattr(organisation, name, value)

    _create_in_batches(plan, insert_batch, progress)
    _fill_in_batches(plan, "organisation", ORGANISATION_FIELDS, fill, progress)
    return outcome(plan)


def _import_consent(person: Person, column: str, values: dict) -> None:
    """Record a consent the file gives (written with the batch), dated as the file says, noted as it says."""
    record_consent(person, IMPORTED_CONSENTS[column], True, ConsentSource.IMPORT, note=values.get("consent_source"),
                   at=consent_time(values.get("consent_given_on")), flush=False)


@without_cycle_collection
def import_people(plan: Plan, progress: Progress = None) -> Outcome:
    """Create and fill the people of a valid plan, and link them to their organisations."""
    _refuse_invalid(plan)
    places = Places()
    linked = [planned for planned in plan.rows_to(CREATE, UPDATE)
              if planned.values.get("organisation_id") and (planned.action == CREATE or "affiliation" in planned.fills)]
    organisations = organisations_to_link(planned.values["organisation_id"] for planned in linked)
    affiliations: list[Affiliation] = []  # added in the current batch of updates, logged after its flush
    created: list[NewPerson] = []

    def new_person(planned: Planned) -> tuple[NewPerson, list[dict]]:
        """A new person as the file gives it, and the history rows of the consents it gives."""
        values = planned.values
        person = NewPerson({"origin": Origin.IMPORT, "forum_member": bool(values.get("forum_member")),
                            "leader": bool(values.get("leader")), **{name: values.get(name) for name in PERSON_VALUES}},
                           places.locality(values.get("town")))
        consents = [give_unsaved(person, purpose, ConsentSource.IMPORT, values.get("consent_source"),
                                 consent_time(values.get("consent_given_on")))
                    for name, purpose in IMPORTED_CONSENTS.items() if values.get(name)]
        return person, consents

    def insert_batch(batch: list[Planned]) -> None:
        built = [new_person(planned) for planned in batch]
        people = [person for person, _consents in built]
        db.session.flush()  # the towns first named by this batch
        insert_records(people, Person)
        insert_rows(ConsentEvent.__table__, [{**row, "person_id": person.id}
                                             for person, consents in built for row in consents])
        log_created("person", people, PERSON_FIELDS)
        linked_people, added, rows = [], [], []
        for person, planned in zip(people, batch, strict=True):
            if planned.values.get("organisation_id"):
                row, logged = affiliation_row(person.id, organisations[planned.values["organisation_id"]],
                                              planned.values.get("role_title"), is_primary=True)
                rows.append(row)
                added.append(logged)
                linked_people.append(person)
        insert_rows(Affiliation.__table__, rows)
        log_added("person", linked_people, added, AFFILIATION_FIELDS, "affiliation_added")
        created.extend(people)

    def affiliate(person: Person, values: dict, is_primary: bool) -> None:
        # By id: setting the relationship would load each organisation's affiliations (its other end). The
        # organisations loaded above stay in the session, so the change log reads their names without a query.
        affiliation = Affiliation(person=person, organisation_id=organisations[values["organisation_id"]].id,
                                  role_title=values.get("role_title"), is_primary=is_primary)
        db.session.add(affiliation)
        affiliations.append(affiliation)

    def fill(planned: Planned) -> None:
        person = plan.records[planned.record_id]
        for name, value in planned.fills.items():
            if name == "town":
                person.locality = places.locality(value)
            elif name in IMPORTED_CONSENTS:
                _import_consent(person, name, planned.values)
            elif name == "affiliation":
                affiliate(person, planned.values, is_primary=value)
            else:
                setattr(person, name, value)

    def log_affiliations() -> None:
        for affiliation in affiliations:
            record_change("person", affiliation.person, "affiliation_added",
                          new_values(affiliation, AFFILIATION_FIELDS))
        affiliations.clear()

    _create_in_batches(plan, insert_batch, progress)
    store_person_names(created)  # once: the batches share most names
    _fill_in_batches(plan, "person", PERSON_FIELDS, fill, progress, log_affiliations)
    return outcome(plan)


def _attendance(participation: Participation | None) -> dict[str, Any]:
    if participation is None:
        return dict.fromkeys(ATTENDANCE_FIELDS)
    return {"status": participation.status.value,
            "days_attended": [day.day.isoformat() for day in participation.days_attended]}


@without_cycle_collection
def import_attendance(plan: Plan, edition: Edition, progress: Progress = None) -> Outcome:
    """Record who attended which days of `edition`: participations created, days and statuses added.

    Like the door check-in, each person's change is logged on the edition.
    """
    _refuse_invalid(plan)
    changed = plan.rows_to(CREATE, UPDATE)
    people = people_by_id(planned.record_id for planned in changed)
    recorded = []
    for planned in changed:
        participation = plan.records.get(planned.record_id)
        before = _attendance(participation)
        if participation is None:
            participation = Participation(edition=edition, person=people[planned.record_id],
                                          status=ParticipationStatus.ATTENDED)
            db.session.add(participation)
        for name, value in planned.fills.items():
            if name == "days":
                participation.days_attended.extend(
                    DayAttendance(day=day, checked_in_at=datetime.combine(day, CHECK_IN_HOUR, UTC)) for day in value)
                participation.days_attended.sort(key=lambda attendance: attendance.day)
            else:
                setattr(participation, name, value)
        recorded.append((people[planned.record_id], participation, before))
        advance(progress)
    db.session.flush()
    for person, participation, before in recorded:
        record_change("edition", edition, "attendance_imported",
                      {"person": [person.full_name] * 2, **differences(before, _attendance(participation))})
    db.session.flush()
    return outcome(plan)


@dataclass(frozen=True)
class Importer:
    """An import of records from a file: its columns, how a file is checked, and how it is written."""

    kind: Kind
    plan: Callable[..., Plan]  # (table, fields, progress=None, town_picks=None)
    write: Callable[[Plan, Progress], Outcome]


IMPORTERS = {
    "organisations": Importer(ORGANISATIONS, plan_organisations, import_organisations),
    "people": Importer(PEOPLE, plan_people, import_people),
}
