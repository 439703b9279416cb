"""Writes for participation and the door check-in. Changes are logged on the edition; functions flush, never commit.

Adding people and checking them in are INSERT ... ON CONFLICT DO NOTHING statements, so two coordinators
inviting or checking in the same person at the same moment create one row and raise no error. A value the rules
refuse raises FieldProblem naming its field, before anything is written.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date, gettext
from sqlalchemy.dialects import postgresql, sqlite

from forum_crm.changelog import record_change
from forum_crm.editions.participation_queries import (
    email_taken,
    participation_of,
    represented_organisation,
    walk_in_already_added,
)
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    Origin,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
)
from forum_crm.models.base import utcnow
from forum_crm.people.services import save_person

ATTENDED = ParticipationStatus.ATTENDED


def _insert(model) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can skip rows that already exist, in the session's database dialect."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _typed(column: sa.Column, value) -> sa.BindParameter:
    return sa.literal(value, column.type)


def _same_kind_as(edition: Edition) -> sa.ColumnElement[bool]:
    """Demo people take part only in demo editions and real people only in real ones: demo never links to real."""
    return Person.origin == Origin.DEMO if edition.origin == Origin.DEMO else Person.origin != Origin.DEMO


def _add_participations(edition: Edition, person_ids: sa.Select, role: ParticipationRole,
                        status: ParticipationStatus) -> int:
    """Add the people of `person_ids` (a select of person ids) who do not take part yet, in one statement.

    Each represents their current organisation (see represented_organisation). Anonymised people, and
    demo people for a real edition (or real people for a demo one), are skipped. Returns how many were added.
    """
    edition_id = edition.id
    table = Participation.__table__
    taking_part = sa.exists().where(Participation.edition_id == edition_id, Participation.person_id == Person.id)
    rows = sa.select(
        _typed(table.c.edition_id, edition_id), Person.id, represented_organisation(Person.id),
        _typed(table.c.status, status), _typed(table.c.role, role), _typed(table.c.created_at, utcnow()),
    ).where(Person.id.in_(person_ids), Person.anonymised_at.is_(None), _same_kind_as(edition), ~taking_part)
    statement = (_insert(Participation)
                 .from_select(["edition_id", "person_id", "organisation_id", "status", "role", "created_at"], rows)
                 .on_conflict_do_nothing(index_elements=["edition_id", "person_id"])
                 .returning(Participation.id))  # counts what was inserted (rowcount of an INSERT is not reliable)
    return len(db.session.execute(statement).all())


def _logged_participation(participation: Participation) -> dict[str, list]:
    return {
        "person": [None, participation.person.full_name],
        "organisation": [None, participation.organisation.name if participation.organisation else None],
        "role": [None, participation.role.value], "status": [None, participation.status.value],
    }


def add_participant(edition: Edition, person: Person, role: ParticipationRole,
                    status: ParticipationStatus) -> Participation:
    """Add one person to the edition (if someone added them meanwhile, their participation stays as it is)."""
    if participation_of(edition.id, person.id):
        raise FieldProblem("person", gettext("%(name)s is already on the list of this edition.",
                                                  name=person.full_name))
    if (person.origin == Origin.DEMO) != (edition.origin == Origin.DEMO):
        raise FieldProblem("person", gettext("Demo people take part only in demo editions, and real people only "
                                             "in real editions."))
    status, role = _member(ParticipationStatus, status, "status"), _member(ParticipationRole, role, "role")
    added = _add_participations(edition, sa.select(Person.id).where(Person.id == person.id), role, status)
    participation = participation_of(edition.id, person.id)
    if added:
        record_change("edition", edition, "participant_added", _logged_participation(participation))
    return participation


def _invite(edition: Edition, person_ids: sa.Select, chosen_by: list[str]) -> int:
    added = _add_participations(edition, person_ids, ParticipationRole.PARTICIPANT, ParticipationStatus.INVITED)
    if added:
        record_change("edition", edition, "participants_invited",
                      {"participants": [None, added], "chosen_by": [None, chosen_by]})
    return added


def invite_organisations(edition: Edition, organisations: list[Organisation]) -> int:
    """Invite everyone who works at these organisations now; returns how many were not invited before."""
    people = sa.select(Affiliation.person_id).join(Person, Person.id == Affiliation.person_id).where(
        Affiliation.organisation_id.in_([organisation.id for organisation in organisations]), Affiliation.is_current,
        Person.archived_at.is_(None))
    return _invite(edition, people, [organisation.name for organisation in organisations])


def invite_town(edition: Edition, town: Locality) -> int:
    """Invite everyone who lives in the town or works now at an organisation based there."""
    works_there = (sa.select(Affiliation.person_id).join(Organisation, Organisation.id == Affiliation.organisation_id)
                   .where(Organisation.locality_id == town.id, Organisation.archived_at.is_(None),
                          Affiliation.is_current))
    people = sa.select(Person.id).where(
        sa.or_(Person.locality_id == town.id, Person.id.in_(works_there)), Person.archived_at.is_(None))
    return _invite(edition, people, [town.label])


def invite_matching(edition: Edition, people: sa.Select, description: list[str]) -> int:
    """Invite everyone a people-list query finds (directory.queries.person_list)."""
    return _invite(edition, people.with_only_columns(Person.id).order_by(None), description)


def _member(kind: type[ParticipationStatus] | type[ParticipationRole], value, field: str):
    """`value` as one of the statuses or roles; anything else is refused."""
    try:
        return kind(value)
    except ValueError:
        raise FieldProblem(field, gettext("Choose one of the values listed.")) from None


def _check_day(edition: Edition, day: date) -> None:
    if day not in edition.days:
        raise FieldProblem("day", gettext("Choose one of the days of this edition."))


def update_participation(participation: Participation, status: ParticipationStatus,
                         role: ParticipationRole) -> None:
    """A participant's status and role; someone checked in stays "attended" until their check-ins are undone."""
    status, role = _member(ParticipationStatus, status, "status"), _member(ParticipationRole, role, "role")
    days = participation.days_attended
    if status != ATTENDED and days:
        raise FieldProblem("status", gettext(
            "Checked in on %(days)s: undo the check-in on the check-in page first.",
            days=", ".join(format_date(attendance.day, "medium") for attendance in days)))
    before = {"status": participation.status.value, "role": participation.role.value}
    participation.status, participation.role = status, role
    db.session.flush()
    changes = {name: [before[name], value] for name, value in (("status", status.value), ("role", role.value))
               if before[name] != value}
    if changes:
        name = participation.person.full_name
        record_change("edition", participation.edition, "participant_updated", {"person": [name, name], **changes})


def remove_participant(participation: Participation) -> None:
    """Take a person off the edition's list, with their check-ins."""
    edition = participation.edition
    logged = {name: [after, None] for name, (_, after) in _logged_participation(participation).items()}
    db.session.delete(participation)
    db.session.flush()
    record_change("edition", edition, "participant_removed", logged)


def check_in(edition: Edition, person_id: int, day: date,
             role: ParticipationRole = ParticipationRole.PARTICIPANT) -> bool:
    """Check a person in for a day of the edition, adding them as a participant (in `role`) if they are not one.

    Safe when two devices check in the same person at once: both rows are inserted only if missing.
    Returns False if they were already checked in that day. Raises LookupError for an anonymised person.
    """
    _check_day(edition, day)
    _add_participations(edition, sa.select(Person.id).where(Person.id == person_id), role, ATTENDED)
    participation = participation_of(edition.id, person_id)
    if participation is None:
        raise LookupError(person_id)
    inserted = db.session.execute(
        _insert(DayAttendance).values(participation_id=participation.id, day=day, checked_in_at=utcnow())
        .on_conflict_do_nothing(index_elements=["participation_id", "day"])
        .returning(DayAttendance.day)).first() is not None
    before = participation.status
    if before != ATTENDED:
        participation.status = ATTENDED
        db.session.flush()
    if inserted:
        changes = {"person": [participation.person.full_name] * 2, "day": [None, day.isoformat()]}
        if before != ATTENDED:
            changes["status"] = [before.value, ATTENDED.value]
        record_change("edition", edition, "checked_in", changes)
    return inserted


def undo_check_in(participation: Participation, day: date) -> bool:
    """Remove a day's check-in; with no day left, the participant is back to registered. False if there was none."""
    _check_day(participation.edition, day)
    removed = db.session.execute(sa.delete(DayAttendance).where(
        DayAttendance.participation_id == participation.id, DayAttendance.day == day)).rowcount
    if not removed:
        return False
    changes = {"person": [participation.person.full_name] * 2, "day": [day.isoformat(), None]}
    other_days = db.session.scalar(sa.select(sa.exists().where(DayAttendance.participation_id == participation.id)))
    if not other_days and participation.status == ATTENDED:
        participation.status = ParticipationStatus.REGISTERED
        changes["status"] = [ATTENDED.value, ParticipationStatus.REGISTERED.value]
    db.session.flush()
    record_change("edition", participation.edition, "check_in_undone", changes)
    return True


def add_walk_in(edition: Edition, data: dict, day: date) -> tuple[Person, bool]:
    """Someone not in the directory arrives: add them (first and last name, e-mail) and check them in.

    The same walk-in submitted again (see walk_in_already_added) is checked in, not added twice.
    Returns the person and whether they were added now.
    """
    _check_day(edition, day)
    existing = walk_in_already_added(edition.id, data["first_name"], data["last_name"], data["email"])
    if existing:
        check_in(edition, existing.id, day, data["role"])
        return existing, False
    if data["email"] and email_taken(data["email"]):
        raise FieldProblem("email", gettext("Another person has this e-mail address."))
    walk_in = Person(origin=Origin.DEMO if edition.origin == Origin.DEMO else Origin.MANUAL)  # never demo and real
    person = save_person(walk_in, {"first_name": data["first_name"], "last_name": data["last_name"],
                                   "email": data["email"], "town": None})
    check_in(edition, person.id, day, data["role"])
    return person, True
