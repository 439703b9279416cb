"""Merging two people into one: the kept record takes the chosen values, everything attached to the other moves
over, and the merge is one change-log entry. What it changed is stored (PersonMerge) so it can be undone.

Functions flush, never commit; a merge that the rules refuse raises FieldProblem before anything is written.
"""

import enum
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from forum_crm.changelog import differences, record_change, snapshot
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    ConsentEvent,
    DayAttendance,
    ErasureRequest,
    MailingRecipient,
    OutboxMessage,
    PanelSpeaker,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    PersonMerge,
    User,
)
from forum_crm.models.base import as_utc, utcnow
from forum_crm.models.duplicates import prune_names, store_names
from forum_crm.people.services import PERSON_FIELDS

# The fields the coordinator chooses between, field by field.
MERGE_FIELDS = ("first_name", "last_name", "email", "phone", "locality_id", "expertise", "forum_member", "leader",
                "directory_consent_at", "map_consent_at", "photo_consent_at", "newsletter_withdrawn_at",
                "share_contact", "language", "notes")
# Rows that point at a person and simply move to the kept one.
MOVED = {"affiliation": Affiliation, "panel_speaker": PanelSpeaker, "user_account": User,
         "outbox_message": OutboxMessage, "consent_event": ConsentEvent, "mailing_recipient": MailingRecipient,
         "erasure_request": ErasureRequest}
# When both took part in an edition, the participation keeps the better status and the more specific role.
STATUS_RANK = [ParticipationStatus.CANCELLED, ParticipationStatus.NO_SHOW, ParticipationStatus.INVITED,
               ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED]
ROLE_RANK = [ParticipationRole.PARTICIPANT, ParticipationRole.GUEST, ParticipationRole.ORGANISER,
             ParticipationRole.SPEAKER]


def as_json(value: Any) -> Any:
    """A column value as JSON keeps it (undo reads it back with from_json)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_values(row: Any) -> dict[str, Any]:
    """Every column of a record, as JSON keeps them."""
    return {column.key: as_json(getattr(row, column.key)) for column in row.__table__.columns}


def chosen_values(kept: Person, other: Person, take_from_other: set[str]) -> dict[str, Any]:
    """The kept person's new values: the other's for the fields in `take_from_other`, and for fields the kept one
    has empty (never an empty value over a filled one)."""
    values = {}
    for name in MERGE_FIELDS:
        mine, theirs = getattr(kept, name), getattr(other, name)
        if name in take_from_other or (mine is None or mine == "") and theirs not in (None, ""):
            values[name] = theirs
    return {name: value for name, value in values.items() if value != getattr(kept, name)}


def _refuse(kept: Person, other: Person) -> None:
    if kept.id == other.id:
        raise FieldProblem("kept", _("Choose two different people."))
    if kept.anonymised_at or other.anonymised_at:
        raise FieldProblem("kept", _("An anonymised person cannot be merged."))
    accounts = db.session.scalar(sa.select(sa.func.count()).where(User.person_id.in_((kept.id, other.id))))
    if accounts > 1:
        raise FieldProblem("kept", _("Both people have a login account; remove one of the accounts first."))


def merge_people(kept: Person, other: Person, take_from_other: set[str]) -> PersonMerge:
    """Merge `other` into `kept` and delete `other`; returns the stored merge (undo reads it)."""
    _refuse(kept, other)
    before = snapshot(kept, PERSON_FIELDS)
    values = chosen_values(kept, other, take_from_other)
    merge = PersonMerge(kept_id=kept.id, removed_id=other.id, removed=row_values(other),
                        kept_before={name: as_json(getattr(kept, name)) for name in values}, moved={})
    label = f"{other.full_name} <{other.email}>" if other.email else other.full_name
    if "email" in values:
        other.email = None
        db.session.flush()  # the address is unique: free it first
    for name, value in values.items():
        setattr(kept, name, value)
    db.session.flush()
    joined = _join_participations(kept.id, other.id)
    moved = {table: _move(model, model.person_id, kept.id, other.id) for table, model in MOVED.items()}
    moved["participation"] = _move(Participation, Participation.person_id, kept.id, other.id)
    moved["change_log"] = _move(ChangeLogEntry, ChangeLogEntry.entity_id, kept.id, other.id,
                                ChangeLogEntry.entity_type == "person")
    moved["person_merge"] = _move(PersonMerge, PersonMerge.kept_id, kept.id, other.id)
    merge.moved = {**moved, "joined": joined}
    db.session.execute(sa.delete(Person).where(Person.id == other.id))
    prune_names(db.session.connection(), {(other.first_key, other.last_key)})
    db.session.expunge(other)
    db.session.expire_all()  # the moves were UPDATE statements: reload what the session holds
    counts = {"affiliations_moved": len(moved["affiliation"]), "participations_moved": len(moved["participation"]),
              "participations_joined": len(joined), "history_moved": len(moved["change_log"]),
              "speaker_roles_moved": len(moved["panel_speaker"]), "accounts_moved": len(moved["user_account"])}
    entry = record_change("person", kept, "merged", {
        "merged_with": [label, None], **differences(before, snapshot(kept, PERSON_FIELDS)),
        **{name: [None, count] for name, count in counts.items() if count}})
    db.session.flush()
    merge.change_log_id = entry.id
    db.session.add(merge)
    db.session.flush()
    return merge


def _move(model, column, kept_id: int, other_id: int, *conditions) -> list[int]:
    """Point the other's rows at the kept person in one UPDATE; returns their ids."""
    return list(db.session.scalars(
        sa.update(model).where(column == other_id, *conditions).values({column.key: kept_id}).returning(model.id),
        execution_options={"synchronize_session": False}))


def _join_participations(kept_id: int, other_id: int) -> list[dict[str, Any]]:
    """Editions both took part in: the kept participation takes the better status and role, the other's
    organisation if it had none, and the other's days; the other's participation goes. Returns what undo needs.

    A few statements whatever the number of editions: one SELECT of the pairs, one of their days, then bulk
    UPDATEs and one DELETE."""
    mine = aliased(Participation)
    pairs = db.session.execute(
        sa.select(mine, Participation)
        .join(Participation, sa.and_(Participation.edition_id == mine.edition_id, Participation.person_id == other_id))
        .where(mine.person_id == kept_id)).all()
    if not pairs:
        return []
    days = defaultdict(list)
    for attendance in db.session.scalars(sa.select(DayAttendance).where(
            DayAttendance.participation_id.in_([participation.id for pair in pairs for participation in pair]))):
        days[attendance.participation_id].append(attendance)
    joined, moved_days, kept_values = [], [], []
    for kept, other in pairs:
        kept_days = {attendance.day for attendance in days[kept.id]}
        moving = [attendance.day for attendance in days[other.id] if attendance.day not in kept_days]
        joined.append({"kept": row_values(kept), "removed": row_values(other),
                       "removed_days": [row_values(attendance) for attendance in days[other.id]],
                       "moved_days": [day.isoformat() for day in moving]})
        moved_days += [{"moved_from": other.id, "moved_day": day, "moved_to": kept.id} for day in moving]
        kept_values.append({"kept_id": kept.id, "new_status": max(kept.status, other.status, key=STATUS_RANK.index),
                            "new_role": max(kept.role, other.role, key=ROLE_RANK.index),
                            "new_organisation_id": kept.organisation_id or other.organisation_id})
    days_table, participations = DayAttendance.__table__, Participation.__table__
    if moved_days:
        db.session.execute(sa.update(days_table).where(
            days_table.c.participation_id == sa.bindparam("moved_from"), days_table.c.day == sa.bindparam("moved_day"),
        ).values(participation_id=sa.bindparam("moved_to")), moved_days)
    db.session.execute(sa.update(participations).where(participations.c.id == sa.bindparam("kept_id")).values(
        status=sa.bindparam("new_status"), role=sa.bindparam("new_role"),
        organisation_id=sa.bindparam("new_organisation_id")), kept_values)
    others = [other for _kept, other in pairs]
    db.session.execute(sa.delete(participations).where(participations.c.id.in_([other.id for other in others])))
    for other in others:
        db.session.expunge(other)
    return joined


# Undoing a merge

UNDO_WITHIN = timedelta(days=30)


def from_json(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """Column values stored by row_values, back in their Python types."""
    restored = {}
    for column in table.columns:
        value = values.get(column.key)
        if value is not None and isinstance(column.type, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, sa.Date):
            value = date.fromisoformat(value)
        restored[column.key] = value
    return restored


def can_undo(merge: PersonMerge) -> bool:
    return merge.undone_at is None and as_utc(merge.merged_at) > utcnow() - UNDO_WITHIN


def undo_merge(merge: PersonMerge) -> Person:
    """Bring the merged-away person back with everything that was theirs, and the kept one's overwritten values;
    returns the person brought back. FieldProblem if it was undone already or is older than UNDO_WITHIN."""
    if merge.undone_at is not None:
        raise FieldProblem("merge", _("This merge has been undone already."))
    if not can_undo(merge):
        raise FieldProblem("merge", _("This merge is older than %(days)s days and can no longer be undone.",
                                          days=UNDO_WITHIN.days))
    kept = db.session.get(Person, merge.kept_id)
    before = snapshot(kept, PERSON_FIELDS)
    for name, value in from_json(Person.__table__, merge.kept_before).items():
        if name in merge.kept_before:
            setattr(kept, name, value)
    db.session.flush()  # gives back an e-mail address the kept person took over
    brought_back = from_json(Person.__table__, merge.removed)
    db.session.execute(sa.insert(Person), [brought_back])
    store_names(db.session.connection(), {(brought_back["first_key"], brought_back["last_key"])})
    for joined in merge.moved["joined"]:
        db.session.execute(sa.delete(DayAttendance).where(
            DayAttendance.participation_id == joined["kept"]["id"],
            DayAttendance.day.in_([date.fromisoformat(day) for day in joined["moved_days"]])))
        restored = from_json(Participation.__table__, joined["kept"])
        db.session.execute(sa.update(Participation).where(Participation.id == restored.pop("id")).values(restored))
        db.session.execute(sa.insert(Participation), [from_json(Participation.__table__, joined["removed"])])
        if joined["removed_days"]:
            db.session.execute(sa.insert(DayAttendance), [from_json(DayAttendance.__table__, attendance)
                                                          for attendance in joined["removed_days"]])
    tables = {**MOVED, "participation": Participation, "change_log": ChangeLogEntry, "person_merge": PersonMerge}
    for table, model in tables.items():
        column = {"change_log": ChangeLogEntry.entity_id, "person_merge": PersonMerge.kept_id}.get(table)
        column = column if column is not None else model.person_id
        if merge.moved[table]:
            db.session.execute(
                sa.update(model).where(model.id.in_(merge.moved[table])).values({column.key: merge.removed_id}),
                execution_options={"synchronize_session": False})
    merge.undone_at = utcnow()
    db.session.flush()
    db.session.expire_all()
    removed = db.session.get(Person, merge.removed_id)
    record_change("person", kept, "merge_undone", {"merged_with": [None, removed.full_name],
                                                   **differences(before, snapshot(kept, PERSON_FIELDS))})
    db.session.flush()
    return removed
