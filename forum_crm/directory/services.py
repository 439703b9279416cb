"""Writes for the directory. Each function changes one record, logs the change, and flushes."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from forum_crm.changes.services import differences, readers, record_change, save_logged, snapshot
from forum_crm.extensions import db
from forum_crm.mapping.services import locality_label, stored_locality
from forum_crm.models import Affiliation, AreaOfWork, Organisation, OrganisationLanguage, Person
from forum_crm.models.base import utcnow


ORGANISATION_COLUMNS = ("name", "short_name", "sector", "krs", "nip", "website", "email", "phone", "description",
                        "forum_member_since", "consortium_member")
ORGANISATION_FIELDS = {
    **readers(*ORGANISATION_COLUMNS),
    "locality": locality_label,
    "areas": lambda row: [area.name for area in row.areas],
    "languages": lambda row: [language.code for language in row.languages],
}
PERSON_COLUMNS = ("first_name", "last_name", "email", "phone", "expertise", "forum_member", "leader",
                  "consent_source", "notes")
PERSON_FIELDS = {
    **readers(*PERSON_COLUMNS, "directory_consent_at", "map_consent_at"),
    "locality": locality_label,
}
AFFILIATION_FIELDS = {"organisation": lambda row: row.organisation.name,
                      **readers("role_title", "started_on", "ended_on", "is_primary")}


def _areas(names: list[str]) -> list[AreaOfWork]:
    """AreaOfWork rows for these names (matched without regard to case), created if new."""
    existing = {area.name.lower(): area for area in db.session.scalars(
        sa.select(AreaOfWork).where(sa.func.lower(AreaOfWork.name).in_([name.lower() for name in names])))}
    areas = []
    for name in names:
        area = existing.get(name.lower())
        if area is None:
            area = existing[name.lower()] = AreaOfWork(name=name[:80])
            db.session.add(area)
        areas.append(area)
    return areas


def save_organisation(organisation: Organisation, data: dict) -> Organisation:
    """Create or edit an organisation from OrganisationForm.data_for_service()."""

    def apply():
        for name in ORGANISATION_COLUMNS:
            setattr(organisation, name, data[name])
        organisation.locality = stored_locality(data["town"]) if data["town"] else None
        organisation.areas = _areas(data["areas"])
        wanted = set(data["languages"])
        organisation.languages = [language for language in organisation.languages if language.code in wanted] + [
            OrganisationLanguage(code=code) for code in data["languages"]
            if code not in {language.code for language in organisation.languages}]

    save_logged("organisation", organisation, ORGANISATION_FIELDS, apply)
    return organisation


def _consent_time(given_on: date | None) -> datetime:
    return datetime.combine(given_on, time(12, 0), UTC) if given_on else utcnow()


def save_person(person: Person, data: dict) -> Person:
    """Create or edit a person from PersonForm.data_for_service(); consent is dated when first given."""

    def apply():
        for name in PERSON_COLUMNS:
            setattr(person, name, data[name])
        person.locality = stored_locality(data["town"]) if data["town"] else None
        for kind in ("directory", "map"):
            column = f"{kind}_consent_at"
            if not data[f"{kind}_consent"]:
                setattr(person, column, None)
            elif getattr(person, column) is None:
                setattr(person, column, _consent_time(data["consent_given_on"]))

    save_logged("person", person, PERSON_FIELDS, apply)
    return person


def set_archived(row: Organisation | Person, entity_type: str, archived: bool) -> None:
    """Archive a record (it leaves the lists and counts but keeps its history), or restore it."""
    before = row.archived_at
    row.archived_at = utcnow() if archived else None
    db.session.flush()
    record_change(entity_type, row, "archived" if archived else "restored",
                  {"archived_at": [before and before.isoformat(), row.archived_at and row.archived_at.isoformat()]})


def add_affiliation(person: Person, organisation: Organisation, role_title: str | None, started_on: date | None,
                    ended_on: date | None, is_primary: bool, replaces_current: bool) -> Affiliation:
    """Link a person to an organisation; when they move, their current affiliations end the day before."""
    if replaces_current and started_on:
        for current in person.affiliations:
            if current.ended_on is None or current.ended_on >= started_on:
                current.ended_on = max(started_on - timedelta(days=1), current.started_on or date.min)
                current.is_primary = False
    if is_primary:
        for other in person.affiliations:
            other.is_primary = False
    affiliation = Affiliation(person=person, organisation=organisation, role_title=role_title,
                              started_on=started_on, ended_on=ended_on, is_primary=is_primary)
    db.session.add(affiliation)
    db.session.flush()
    record_change("person", person, "affiliation_added",
                  differences(dict.fromkeys(AFFILIATION_FIELDS), snapshot(affiliation, AFFILIATION_FIELDS)))
    return affiliation


def end_affiliation(affiliation: Affiliation, ended_on: date) -> None:
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    affiliation.ended_on = ended_on
    db.session.flush()
    record_change("person", affiliation.person, "affiliation_updated",
                  {"organisation": [before["organisation"], before["organisation"]],
                   **differences(before, snapshot(affiliation, AFFILIATION_FIELDS))})


def remove_affiliation(affiliation: Affiliation) -> None:
    """Delete an affiliation entered by mistake (to record a move, end it instead)."""
    person = affiliation.person
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    db.session.delete(affiliation)
    db.session.flush()
    record_change("person", person, "affiliation_removed", {name: [value, None] for name, value in before.items()})
