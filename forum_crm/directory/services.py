"""Writes for the directory. Each function changes one record, logs the change, and flushes."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from forum_crm.changes.services import differences, loggable, readers, record_change, save_logged, snapshot
from forum_crm.extensions import db
from forum_crm.mapping.services import locality_label, stored_locality
from forum_crm.models import (
    Affiliation, AreaOfWork, ChangeLogEntry, Locality, Organisation, OrganisationLanguage, Person, Sector,
)
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
                  "share_contact", "consent_source", "notes")
PERSON_FIELDS = {
    **readers(*PERSON_COLUMNS, "directory_consent_at", "map_consent_at"),
    "locality": locality_label,
}
# Where a consent came from when the person gave it on their own profile page.
OWN_PROFILE_CONSENT = "own profile in forum-crm"
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
    """Create or edit an organisation from OrganisationForm or OrganisationProfileForm.data_for_service().

    Only the columns in `data` change: an editor's form has no sector or membership fields.
    """

    def apply():
        for name in ORGANISATION_COLUMNS:
            if name in data:
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
    """Create or edit a person from the data_for_service() of PersonForm, PersonSelfForm or PersonContactForm.

    Only the columns in `data` change. Consent is dated when first given; given on the person's own
    profile, its source says so.
    """

    def apply():
        for name in PERSON_COLUMNS:
            if name in data:
                setattr(person, name, data[name])
        person.locality = stored_locality(data["town"]) if data["town"] else None
        for kind in ("directory", "map"):
            column = f"{kind}_consent_at"
            if f"{kind}_consent" not in data:
                continue
            if not data[f"{kind}_consent"]:
                setattr(person, column, None)
            elif getattr(person, column) is None:
                setattr(person, column, _consent_time(data.get("consent_given_on")))
                if "consent_source" not in data:
                    person.consent_source = OWN_PROFILE_CONSENT

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
    """Link a person to an organisation; when they move, their current affiliations end the day before.

    Each other affiliation this changes (ended, or no longer the main one) is logged too.
    """
    before = [(other, snapshot(other, AFFILIATION_FIELDS)) for other in person.affiliations]
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
    for other, old in before:
        _log_affiliation_update(other, old)
    record_change("person", person, "affiliation_added",
                  differences(dict.fromkeys(AFFILIATION_FIELDS), snapshot(affiliation, AFFILIATION_FIELDS)))
    return affiliation


def end_affiliation(affiliation: Affiliation, ended_on: date) -> None:
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    affiliation.ended_on = ended_on
    db.session.flush()
    _log_affiliation_update(affiliation, before)


def _log_affiliation_update(affiliation: Affiliation, before: dict) -> None:
    """Log what changed in an affiliation since `before` (its snapshot), naming its organisation; nothing if nothing."""
    changes = differences(before, snapshot(affiliation, AFFILIATION_FIELDS))
    if changes:
        record_change("person", affiliation.person, "affiliation_updated",
                      {"organisation": [before["organisation"], before["organisation"]], **changes})


def remove_affiliation(affiliation: Affiliation) -> None:
    """Delete an affiliation entered by mistake (to record a move, end it instead)."""
    person = affiliation.person
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    db.session.delete(affiliation)
    db.session.flush()
    record_change("person", person, "affiliation_removed", {name: [value, None] for name, value in before.items()})


# Profile confirmation and reminders

def confirm_profile(organisation: Organisation) -> None:
    """An editor (or the coordinator) confirms the organisation's profile is up to date."""
    before = organisation.profile_confirmed_at
    organisation.profile_confirmed_at = utcnow()
    db.session.flush()
    record_change("organisation", organisation, "confirmed",
                  {"profile_confirmed_at": [loggable(before), loggable(organisation.profile_confirmed_at)]})


def record_reminder(organisation: Organisation) -> None:
    """Remember when the editors were last reminded (not a change to the profile, so not versioned or logged)."""
    db.session.execute(sa.update(Organisation).where(Organisation.id == organisation.id)
                       .values(profile_reminder_sent_at=utcnow()))


# Reverting a change made by an editor or member

# Consent is only ever given or withdrawn by the person: a revert leaves it (and where it came from) as it is.
NEVER_REVERTED = frozenset({"directory_consent_at", "map_consent_at", "share_contact", "consent_source"})
REVERTIBLE = {"organisation": (Organisation, ORGANISATION_FIELDS), "person": (Person, PERSON_FIELDS)}


class RevertRefused(Exception):
    """The change cannot be reverted: `fields` changed again since (or the record is gone, if empty)."""

    def __init__(self, fields: list[str]):
        super().__init__(fields)
        self.fields = fields


def revertible_fields(entry: ChangeLogEntry) -> list[str]:
    """The fields of an edit that a revert would restore (none for other kinds of change)."""
    if entry.action != "updated" or entry.entity_type not in REVERTIBLE:
        return []
    fields = REVERTIBLE[entry.entity_type][1]
    return [name for name in entry.changes if name in fields and name not in NEVER_REVERTED]


def revert_change(entry: ChangeLogEntry) -> Organisation | Person:
    """Put back the old values of an edit, if none of its fields has changed since; the revert is logged."""
    names = revertible_fields(entry)
    model, fields = REVERTIBLE.get(entry.entity_type, (None, {}))
    row = db.session.get(model, entry.entity_id) if names else None
    if row is None:
        raise RevertRefused([])
    now = snapshot(row, {name: fields[name] for name in names})
    changed_since = [name for name in names if now[name] != entry.changes[name][1]]
    if changed_since:
        raise RevertRefused(changed_since)

    def apply():
        for name in names:
            _restore(row, name, entry.changes[name][0])

    save_logged(entry.entity_type, row, fields, apply, action="reverted")
    return row


def _restore(row: Organisation | Person, name: str, logged) -> None:
    """Set a field back to a value as the change log wrote it (see changes.services.loggable)."""
    if name == "locality":
        row.locality = _locality_labelled(logged)
    elif name == "areas":
        row.areas = _areas(logged or [])
    elif name == "languages":
        kept = [language for language in row.languages if language.code in (logged or [])]
        row.languages = kept + [OrganisationLanguage(code=code) for code in logged or []
                                if code not in {language.code for language in kept}]
    elif name == "sector":
        row.sector = Sector(logged)
    elif name == "forum_member_since":
        row.forum_member_since = date.fromisoformat(logged) if logged else None
    else:
        setattr(row, name, logged)


def _locality_labelled(label: str | None) -> Locality | None:
    """The stored locality whose label (mapping.services.locality_label) is `label`."""
    if not label:
        return None
    name = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    for locality in db.session.scalars(sa.select(Locality).where(Locality.name.in_({label, name}))):
        if locality.label == label:
            return locality
    raise RevertRefused(["locality"])
