"""Reading editions: the list with its counts, one edition with its programme, partners and participants."""

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import (
    DayAttendance,
    Edition,
    Organisation,
    Origin,
    PanelSpeaker,
    Participation,
    ParticipationStatus,
    PartnerRole,
    Partnership,
    ProgrammeItem,
)


def editions_with_counts() -> sa.Select:
    """Editions, newest number first, with how many people attended and how many programme items they had."""
    attended = (sa.select(sa.func.count(Participation.id))
                .where(Participation.edition_id == Edition.id, Participation.status == ParticipationStatus.ATTENDED)
                .correlate(Edition).scalar_subquery())
    items = (sa.select(sa.func.count(ProgrammeItem.id)).where(ProgrammeItem.edition_id == Edition.id)
             .correlate(Edition).scalar_subquery())
    return (sa.select(Edition, attended.label("attended"), items.label("programme_items"))
            .options(joinedload(Edition.locality)).order_by(Edition.number.desc()))


def edition_with_programme(edition_id: int) -> Edition | None:
    """One edition with its town, programme items and the panels' guests loaded (a fixed number of queries)."""
    return db.session.scalar(
        sa.select(Edition).where(Edition.id == edition_id)
        .options(joinedload(Edition.locality),
                 selectinload(Edition.programme).selectinload(ProgrammeItem.speakers)
                 .options(joinedload(PanelSpeaker.organisation), joinedload(PanelSpeaker.person))))


@dataclass(frozen=True)
class ProgrammeDay:
    day: date | None  # None: the source does not say which day
    items: list[ProgrammeItem]


def _item_order(item: ProgrammeItem) -> tuple:
    return item.starts_at is None, item.starts_at or time.min, item.id


def programme_by_day(items: list[ProgrammeItem]) -> list[ProgrammeDay]:
    """Items grouped by day in date order, by start time within a day; the unknown day comes last."""
    days: dict[date | None, list[ProgrammeItem]] = {}
    for item in items:
        days.setdefault(item.day, []).append(item)
    order = sorted(days, key=lambda day: (day is None, day or date.min))
    return [ProgrammeDay(day, sorted(days[day], key=_item_order)) for day in order]


def programme_item_with_speakers(item_id: int) -> ProgrammeItem | None:
    return db.session.scalar(
        sa.select(ProgrammeItem).where(ProgrammeItem.id == item_id)
        .options(joinedload(ProgrammeItem.edition),
                 selectinload(ProgrammeItem.speakers)
                 .options(joinedload(PanelSpeaker.organisation), joinedload(PanelSpeaker.person))))


def edition_partners(edition_id: int) -> list[Partnership]:
    """The edition's own partners (not the network-wide ones), by role as listed in PartnerRole, then by name."""
    role_order = sa.case({role: index for index, role in enumerate(PartnerRole)}, value=Partnership.role,
                         else_=len(PartnerRole))
    return list(db.session.scalars(
        sa.select(Partnership).join(Organisation, Partnership.organisation_id == Organisation.id)
        .where(Partnership.edition_id == edition_id)
        .options(joinedload(Partnership.organisation))
        .order_by(role_order, Organisation.name_sort, Partnership.id)))


def participant_counts(edition_id: int) -> dict[ParticipationStatus, int]:
    """How many people have each participation status at the edition (every status, zeros included)."""
    counts = dict.fromkeys(ParticipationStatus, 0)
    rows = db.session.execute(
        sa.select(Participation.status, sa.func.count(Participation.id))
        .where(Participation.edition_id == edition_id).group_by(Participation.status))
    counts.update({status: count for status, count in rows})
    return counts


def next_edition_number() -> int:
    """The number the next edition will probably have: one more than the highest real one so far."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Edition.number), 0))
                             .where(Edition.origin != Origin.DEMO)) + 1


def next_speaker_position(item_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(PanelSpeaker.position), -1))
                             .where(PanelSpeaker.programme_item_id == item_id)) + 1


def edition_number_taken(number: int, edition_id: int | None) -> bool:
    """Another edition than `edition_id` (None: any edition) has this number."""
    return db.session.scalar(sa.select(Edition.id).where(
        Edition.number == number, Edition.id != (edition_id or 0)).limit(1)) is not None


def days_outside(edition_id: int, start: date, end: date) -> list[date]:
    """Days of the edition's programme items that fall outside start..end."""
    return list(db.session.scalars(
        sa.select(ProgrammeItem.day).distinct()
        .where(ProgrammeItem.edition_id == edition_id, ProgrammeItem.day.is_not(None),
               sa.or_(ProgrammeItem.day < start, ProgrammeItem.day > end))
        .order_by(ProgrammeItem.day)))


def check_in_days_outside(edition_id: int, start: date, end: date) -> list[date]:
    """Days someone was checked in at the edition that fall outside start..end."""
    return list(db.session.scalars(
        sa.select(DayAttendance.day).distinct()
        .join(Participation, Participation.id == DayAttendance.participation_id)
        .where(Participation.edition_id == edition_id, sa.or_(DayAttendance.day < start, DayAttendance.day > end))
        .order_by(DayAttendance.day)))


def is_partner(edition_id: int, organisation_id: int, role: PartnerRole | None) -> bool:
    """The organisation already partners the edition in this role (or with no role, when role is None)."""
    return db.session.scalar(sa.select(Partnership.id).where(
        Partnership.edition_id == edition_id, Partnership.organisation_id == organisation_id,
        Partnership.role.is_(None) if role is None else Partnership.role == role).limit(1)) is not None
