"""Read-only SQL aggregates."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import (
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    Origin,
    PanelSpeaker,
    Participation,
    ParticipationStatus,
    PartnerRole,
    Partnership,
    Person,
    ProgrammeItem,
    ProgrammeKind,
    Sector,
    Voivodeship,
)

REAL_ORIGINS = [origin for origin in Origin if origin != Origin.DEMO]


def real_only(model, include_demo: bool = False):
    """The condition that leaves out demo rows of `model` (Person, Organisation, Edition), unless included.

    Written as "one of the other origins", not "not demo": the origin index then finds the real records
    without reading the demo ones (100,000 demo people and a few hundred real ones, say).
    """
    return sa.true() if include_demo else model.origin.in_(REAL_ORIGINS)


@dataclass(frozen=True)
class NetworkNumbers:
    people: int
    organisations: int
    localities: int
    editions: int


def network_numbers(include_demo: bool = False) -> NetworkNumbers:
    """The Forum in numbers, in one query; demo records only if included.

    People: Forum members not archived (anonymised people still count). Organisations: Forum
    members not archived. Localities: the towns those organisations are based in.
    """
    member_organisations = sa.and_(Organisation.is_active_member, real_only(Organisation, include_demo))
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Person.id))
            .where(Person.is_active_member, real_only(Person, include_demo))
            .scalar_subquery(),
            sa.select(sa.func.count(Organisation.id)).where(member_organisations).scalar_subquery(),
            sa.select(sa.func.count(sa.distinct(Organisation.locality_id)))
            .where(member_organisations)
            .scalar_subquery(),
            sa.select(sa.func.count(Edition.id)).where(real_only(Edition, include_demo)).scalar_subquery(),
        )
    ).one()
    return NetworkNumbers(*row)


@dataclass(frozen=True)
class Period:
    """Editions that started between two dates (either end open); demo editions only if included."""

    start: date | None = None
    end: date | None = None
    include_demo: bool = False

    def condition(self):
        conditions = [real_only(Edition, self.include_demo)]
        if self.start:
            conditions.append(Edition.start_date >= self.start)
        if self.end:
            conditions.append(Edition.start_date <= self.end)
        return sa.and_(sa.true(), *conditions)


ATTENDED = ParticipationStatus.ATTENDED


# Built once, with its cache key: read every time an edition's report is made.
_EDITION_WITH_TOWN = sa.select(Edition).where(Edition.id == sa.bindparam("id")).options(joinedload(Edition.locality))


def edition_with_town(id: int) -> Edition | None:
    """The edition and its town, by a query (not session.get: the edition may be in the session already, and a kept
    page's content must read what it shows)."""
    return db.session.execute(_EDITION_WITH_TOWN, {"id": id}).scalar_one_or_none()


def editions_in(period: Period) -> list[Edition]:
    return list(db.session.scalars(
        sa.select(Edition).options(joinedload(Edition.locality)).where(period.condition())
        .order_by(Edition.start_date, Edition.number)))


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
    as they come from the index instead of in a hash table (a quarter of the statement's time for 2,532 attendees).
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
    """The rows per sector, one column each, in the order of Sector (named `name` and the sector's number: the SQL
    stays under the 4 KB up to which psycopg keeps a statement's conversion)."""
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


@dataclass(frozen=True)
class Partner:
    """An organisation's part in an edition (its name and role: all the reports show of it)."""

    name: str
    role: PartnerRole | None


def partners_by_edition(editions: list[Edition]) -> dict[int, list[Partner]]:
    """Each edition's own partners (not the network-wide ones), in one query of the two columns shown."""
    partners: dict[int, list[Partner]] = {}
    for edition_id, name, role in db.session.execute(
            sa.select(Partnership.edition_id, Organisation.name, Partnership.role).join(Organisation)
            .where(Partnership.edition_id.in_([edition.id for edition in editions]))
            .order_by(Organisation.name_sort)):
        partners.setdefault(edition_id, []).append(Partner(name, role))
    return partners


def latest_started_edition(today: date, include_demo: bool = False) -> Edition | None:
    return db.session.scalar(sa.select(Edition).where(Edition.start_date <= today, real_only(Edition, include_demo))
                             .order_by(Edition.start_date.desc()).limit(1))


@dataclass(frozen=True)
class TrendRow:
    edition: Edition
    invited: int
    attended: int


def attendance_trend(period: Period) -> list[TrendRow]:
    """Invited and attended per edition, in order, in one grouped query."""
    attended = sa.func.count(Participation.id).filter(Participation.status == ATTENDED)
    rows = db.session.execute(
        sa.select(Edition, sa.func.count(Participation.id), attended)
        .outerjoin(Participation, Participation.edition_id == Edition.id).where(period.condition())
        .group_by(Edition.id).order_by(Edition.start_date, Edition.number)).all()
    return [TrendRow(edition, invited, came) for edition, invited, came in rows]


def retention(cohort: Edition, later: list[Edition]) -> list[tuple[Edition, int]]:
    """Of the people who attended `cohort`, how many attended each later edition."""
    first, other = aliased(Participation), aliased(Participation)
    counts = dict(db.session.execute(
        sa.select(other.edition_id, sa.func.count(other.id))
        .join(first, sa.and_(first.person_id == other.person_id, first.edition_id == cohort.id,
                             first.status == ATTENDED))
        .where(other.status == ATTENDED, other.edition_id.in_([edition.id for edition in later]))
        .group_by(other.edition_id)).tuples().all())
    return [(edition, counts.get(edition.id, 0)) for edition in later]


def _editions_attended(period: Period, column) -> sa.ScalarSelect:
    """How many editions of the period the row's organisation or person (`column`) attended.

    A correlated subquery: with the list in alphabetical order it is computed only for the rows of
    the page shown, which keeps the report fast at any size.
    """
    return (sa.select(sa.func.count(sa.distinct(Participation.edition_id)))
            .join(Edition, Edition.id == Participation.edition_id)
            .where(column, Participation.status == ATTENDED, period.condition())
            .scalar_subquery())


def organisations_editions(period: Period) -> sa.Select:
    """Member organisations, in Polish order, with how many editions of the period they attended."""
    editions = _editions_attended(period, Participation.organisation_id == Organisation.id).correlate(Organisation)
    return (sa.select(Organisation, editions.label("editions")).options(joinedload(Organisation.locality))
            .where(Organisation.is_active_member, real_only(Organisation, period.include_demo))
            .order_by(Organisation.name_sort, Organisation.id))


def people_editions(period: Period) -> sa.Select:
    """Forum members, in Polish order, with how many editions of the period they attended."""
    editions = _editions_attended(period, Participation.person_id == Person.id).correlate(Person)
    return (sa.select(Person, editions.label("editions"))
            .where(Person.is_active_member, real_only(Person, period.include_demo))
            .order_by(Person.name_sort, Person.id))


def last_two_editions(period: Period) -> list[Edition]:
    """The two most recent editions of the period that have begun, newest first."""
    held = sa.and_(period.condition(), Edition.start_date <= date.today())
    return list(db.session.scalars(sa.select(Edition).where(held).order_by(Edition.start_date.desc()).limit(2)))


def organisations_to_reengage(last_two: list[Edition], include_demo: bool = False) -> sa.Select:
    """Member organisations that sent nobody who attended either of these editions."""
    came = sa.select(Participation.organisation_id).where(
        Participation.status == ATTENDED, Participation.edition_id.in_([edition.id for edition in last_two]),
        Participation.organisation_id.is_not(None))
    return (sa.select(Organisation).options(joinedload(Organisation.locality))
            .where(Organisation.is_active_member, real_only(Organisation, include_demo),
                   Organisation.id.not_in(came)).order_by(Organisation.name_sort))


def voivodeships_without_members(include_demo: bool = False) -> list[Voivodeship]:
    covered = set(db.session.scalars(
        sa.select(sa.distinct(Locality.voivodeship)).join(Organisation, Organisation.locality_id == Locality.id)
        .where(Organisation.is_active_member, real_only(Organisation, include_demo))))
    return [voivodeship for voivodeship in Voivodeship if voivodeship not in covered]


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The first moment after `day` in `zone`, in UTC: a record archived from then on was still there that day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def _not_archived_by(model, closes: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(model.archived_at.is_(None), model.archived_at >= closes)


def organisation_member_on(day: date, closes: datetime) -> sa.ColumnElement[bool]:
    """A Forum member at the end of `day` (`closes` = end_of_day(day)): joined by then, not archived by then."""
    return sa.and_(Organisation.forum_member_since <= day, _not_archived_by(Organisation, closes))


def person_member_on(closes: datetime) -> sa.ColumnElement[bool]:
    """Marked as a Forum member, recorded before `closes` and not archived by then.

    A person's membership has no date, so the record's creation stands in for joining; anonymised
    people still count.
    """
    return sa.and_(Person.forum_member.is_(True), Person.created_at < closes, _not_archived_by(Person, closes))


@dataclass(frozen=True)
class MembersOn:
    """The Forum at the end of one day: members, and the names of the member organisations' towns in Polish order
    (one per town: two towns of the same name are two)."""

    people: int
    organisations: int
    towns: list[str]


def members_on(day: date, zone: tzinfo, include_demo: bool = False) -> MembersOn:
    closes = end_of_day(day, zone)
    organisations = sa.and_(organisation_member_on(day, closes), real_only(Organisation, include_demo))
    people = sa.and_(person_member_on(closes), real_only(Person, include_demo))
    people_count, organisation_count = db.session.execute(sa.select(
        sa.select(sa.func.count(Person.id)).where(people).scalar_subquery(),
        sa.select(sa.func.count(Organisation.id)).where(organisations).scalar_subquery())).one()
    towns = db.session.scalars(sa.select(Locality.name).where(Locality.id.in_(
        sa.select(Organisation.locality_id).where(organisations))).order_by(Locality.name_sort))
    return MembersOn(people_count, organisation_count, list(towns))


def panels(editions: list[Edition]) -> list[ProgrammeItem]:
    """The panels of these editions with their guests' institutions, loaded at once."""
    return list(db.session.scalars(
        sa.select(ProgrammeItem).options(selectinload(ProgrammeItem.speakers).joinedload(PanelSpeaker.organisation))
        .where(ProgrammeItem.edition_id.in_([edition.id for edition in editions]),
               ProgrammeItem.kind == ProgrammeKind.PANEL).order_by(ProgrammeItem.edition_id, ProgrammeItem.id)))


def network_partners(closes: datetime, include_demo: bool = False) -> list[Partnership]:
    """Partners of the whole network (no edition) whose organisation was recorded before `closes`.

    A partnership keeps no date, so the organisation's record stands in for when it began.
    """
    return list(db.session.scalars(
        sa.select(Partnership).join(Organisation).options(joinedload(Partnership.organisation))
        .where(Partnership.edition_id.is_(None), Organisation.created_at < closes,
               real_only(Organisation, include_demo))
        .order_by(Organisation.name_sort)))
