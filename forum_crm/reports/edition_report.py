"""An edition's report, read: who was invited and who came, on which days, from where, and who was new."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from forum_crm.extensions import db
from forum_crm.models import (
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    PanelSpeaker,
    Participation,
    ParticipationStatus,
    ProgrammeItem,
    Sector,
)
from forum_crm.reports.queries import ATTENDED

# Built once, with its cache key: read every time an edition's report is made.
_EDITION_WITH_TOWN = sa.select(Edition).where(Edition.id == sa.bindparam("id")).options(joinedload(Edition.locality))


def edition_with_town(id: int) -> Edition | None:
    """The edition and its town, by a query (not session.get: the edition may be in the session already, and a kept
    page's content must read what it shows)."""
    return db.session.execute(_EDITION_WITH_TOWN, {"id": id}).scalar_one_or_none()


@dataclass(frozen=True)
class EditionAttendance:
    """Who was invited and who came to one edition. Definitions:

    invited: everyone on the edition's list (any status); registered: registered, attended or did
    not come; attended: status attended (at least one day); no-show rate: did not come / (attended +
    did not come).
    """

    edition: Edition
    by_status: dict[ParticipationStatus, int]
    per_day: list[tuple[date, int]]
    all_days: int

    @property
    def invited(self) -> int:
        return sum(self.by_status.values())

    @property
    def registered(self) -> int:
        return sum(self.by_status.get(status, 0) for status in (
            ParticipationStatus.REGISTERED, ATTENDED, ParticipationStatus.NO_SHOW))

    @property
    def attended(self) -> int:
        return self.by_status.get(ATTENDED, 0)

    @property
    def no_show_rate(self) -> float | None:
        expected = self.attended + self.by_status.get(ParticipationStatus.NO_SHOW, 0)
        return self.by_status.get(ParticipationStatus.NO_SHOW, 0) / expected if expected else None


STATUSES = sorted(ParticipationStatus, key=lambda status: status.value)


@cache
def _edition_counts(days: int) -> sa.Select:
    """The counts per status, per day and on all days of an edition of `days` days (parameters edition_id, day_0,
    day_1...): two one-row results side by side. Built once per number of days, with its cache key: building it cost
    more than running it.

    The attendees are read in id order, the order of the day_attendance key: PostgreSQL then counts each one's days
    as they come from the index instead of in a hash table (a sixth of the statement's time for 2,532 attendees).
    """
    edition_id = sa.bindparam("edition_id")
    by_status = (sa.select(*(sa.func.count().filter(Participation.status == status).label(status.value)
                             for status in STATUSES))
                 .where(Participation.edition_id == edition_id).subquery())
    attendees = (sa.select(Participation.id).where(Participation.edition_id == edition_id,
                                                   Participation.status == ATTENDED)
                 .order_by(Participation.id).subquery())
    attendee = (sa.select(sa.func.count().label("days"),
                          *(sa.func.count().filter(DayAttendance.day == sa.bindparam(f"day_{number}"))
                            .label(f"on_{number}") for number in range(days)))
                .select_from(attendees).join(DayAttendance, DayAttendance.participation_id == attendees.c.id)
                .group_by(attendees.c.id).subquery())
    by_day = sa.select(
        sa.func.count().filter(attendee.c.days >= days).label("all_days"),
        *(sa.func.coalesce(sa.func.sum(attendee.c[f"on_{number}"]), 0).label(f"on_{number}")
          for number in range(days))).subquery()
    return sa.select(by_status, by_day).select_from(by_status.join(by_day, sa.true()))


def edition_attendance(edition: Edition) -> EditionAttendance:
    """One query: the count per status, and the days of each attendee, read once for both the count per day and the
    count of those who came on all days."""
    days = edition.days
    row = db.session.execute(_edition_counts(len(days)), {
        "edition_id": edition.id, **{f"day_{number}": day for number, day in enumerate(days)}}).one()
    counts, (all_days, *per_day) = row[:len(STATUSES)], row[len(STATUSES):]
    return EditionAttendance(edition, {status: count for status, count in zip(STATUSES, counts, strict=True) if count},
                             list(zip(days, per_day, strict=True)), all_days)


@dataclass(frozen=True)
class EditionReach:
    """Where the people who attended came from, and who was new."""

    organisations: int
    towns: int
    voivodeships: int
    sectors: list[tuple[Sector, int]]
    first_time_people: int
    returning_people: int
    first_time_organisations: int
    returning_organisations: int
    speakers_by_sector: list[tuple[Sector, int]]


EARLIER = aliased(Participation, name="earlier")  # made once: an alias costs more than the rest of the statement
# The editions that began before the one reported on (parameter start_date): a subquery, not a list looked up first
# (a statement fewer, and the same SQL for every edition, which psycopg converts once: with 52 ids it did every time).
EARLIER_EDITIONS = sa.select(Edition.id).where(Edition.start_date < sa.bindparam("start_date"))


def _attended_before(sqlite: bool, few: bool, column_name: str, value) -> sa.ColumnElement[bool]:
    """The person or organisation (`value`; `column_name` says which) attended one of the EARLIER_EDITIONS.

    PostgreSQL chooses itself between probing each record's attendance and one pass over the earlier editions'
    attendees. SQLite is told: if the earlier editions had `few` attendees (fewer than this one), it reads them once
    into a set and looks each record up there; otherwise each record's check reads the few rows of its own attendance
    from the (person or organisation, status, edition) index, `edition_id + 0` keeping it from probing that index
    once per earlier edition instead.
    """
    earlier, column = EARLIER, getattr(EARLIER, column_name)
    if not sqlite:
        return sa.select(earlier.id).where(column == value, earlier.status == ATTENDED,
                                           earlier.edition_id.in_(EARLIER_EDITIONS)).exists()
    if few:
        return value.in_(sa.select(column).where(earlier.status == ATTENDED, earlier.edition_id.in_(EARLIER_EDITIONS)))
    return (sa.select(earlier.id)
            .where(column == value, earlier.status == ATTENDED, (earlier.edition_id + 0).in_(EARLIER_EDITIONS))
            .exists())


# How many people attended the EARLIER_EDITIONS, counted up to a limit (parameter than), no further.
_EARLIER_ATTENDEES = sa.select(sa.func.count()).select_from(
    sa.select(Participation.id).where(Participation.status == ATTENDED, Participation.edition_id.in_(EARLIER_EDITIONS))
    .limit(sa.bindparam("than")).subquery())


def _fewer_earlier_attendees(edition: Edition, than: int) -> bool:
    """Fewer than `than` people attended the editions before this one, all told."""
    return db.session.scalar(_EARLIER_ATTENDEES, {"start_date": edition.start_date, "than": than}) < than


def _per_sector(name: str) -> list[sa.Label]:
    """A count of rows per sector, one column each, in the order of Sector (named `name` and the sector's number: the
    SQL stays under the 4 KB up to which psycopg keeps a statement's conversion)."""
    return [sa.func.count().filter(Organisation.sector == sector).label(f"{name}{number}")
            for number, sector in enumerate(Sector)]


@cache
def _reach(sqlite: bool, few: bool) -> sa.Select:
    """An edition's reach in one row (parameters edition_id, start_date): the organisations, towns and voivodeships
    represented and the organisations per sector; of the attendees and of the organisations, those who came to an
    earlier edition; the panel guests per sector. Built once per plan (see _attended_before), with its cache key:
    building it cost more than running it."""
    edition_id = sa.bindparam("edition_id")
    attended = sa.and_(Participation.edition_id == edition_id, Participation.status == ATTENDED)
    # Each organisation once (from the edition's index, in organisation order), joined to its sector and town.
    organisation_ids = (sa.select(sa.distinct(Participation.organisation_id).label("id"))
                        .where(attended, Participation.organisation_id.is_not(None)).subquery())
    represented = (sa.select(sa.func.count().label("organisations"),
                             sa.func.count(sa.distinct(Organisation.locality_id)).label("towns"),
                             sa.func.count(sa.distinct(Locality.voivodeship)).label("voivodeships"),
                             *_per_sector("organisations"))
                   .select_from(organisation_ids).join(Organisation, Organisation.id == organisation_ids.c.id)
                   .outerjoin(Locality, Locality.id == Organisation.locality_id).subquery())
    speakers = (sa.select(*_per_sector("speakers"))
                .select_from(PanelSpeaker).join(Organisation, Organisation.id == PanelSpeaker.organisation_id)
                .join(ProgrammeItem, ProgrammeItem.id == PanelSpeaker.programme_item_id)
                .where(ProgrammeItem.edition_id == edition_id).subquery())
    # Each count of people a query of its own (not a FILTER): PostgreSQL plans each check as a join.
    return sa.select(
        *represented.c,
        sa.select(sa.func.count()).select_from(Participation).where(
            attended, _attended_before(sqlite, few, "person_id", Participation.person_id)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(organisation_ids).where(
            _attended_before(sqlite, few, "organisation_id", organisation_ids.c.id)).scalar_subquery(),
        *speakers.c).select_from(represented.join(speakers, sa.true()))


def _by_count(counts: Sequence[int]) -> list[tuple[Sector, int]]:
    """The sectors counted (`counts` in the order of Sector), the largest count first, ties in the sectors' order."""
    return sorted(((sector, count) for sector, count in zip(Sector, counts, strict=True) if count),
                  key=lambda pair: (-pair[1], pair[0]))


def edition_reach(edition: Edition, attended_count: int | None = None) -> EditionReach:
    """Where the attendees came from and who was new. `attended_count`, the edition's attendees, is counted unless
    given (the report has it from edition_attendance); on SQLite it picks the plan."""
    if attended_count is None:
        attended_count = db.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
            Participation.edition_id == edition.id, Participation.status == ATTENDED))
    sqlite = db.session.get_bind().dialect.name == "sqlite"  # PostgreSQL chooses the plan itself
    few = sqlite and attended_count > 0 and _fewer_earlier_attendees(edition, attended_count)
    row = db.session.execute(_reach(sqlite, few), {"edition_id": edition.id, "start_date": edition.start_date}).one()
    sectors = len(Sector)
    (organisations, towns, voivodeships), by_sector = row[:3], row[3:3 + sectors]
    returning_people, returning_organisations = row[3 + sectors:5 + sectors]
    return EditionReach(organisations, towns, voivodeships, _by_count(by_sector), attended_count - returning_people,
                        returning_people, organisations - returning_organisations, returning_organisations,
                        _by_count(row[5 + sectors:]))
