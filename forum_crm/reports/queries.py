"""Read-only SQL aggregates."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import (
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


def editions_in(period: Period) -> list[Edition]:
    return list(db.session.scalars(
        sa.select(Edition).options(joinedload(Edition.locality)).where(period.condition())
        .order_by(Edition.start_date, Edition.number)))


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
