"""How many demo records there are: three numbers the database keeps (demo_count), read for the banner of every
page, and what removing them takes with them."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g
from flask_babel import ngettext

from forum_crm.extensions import db
from forum_crm.kept import kept_rows
from forum_crm.models import ChangeLogEntry, DemoCount, Edition, Organisation, Origin, Person, Role, User

DEMO = Origin.DEMO
DEMO_PEOPLE = sa.select(Person.id).where(Person.origin == DEMO)
DEMO_ORGANISATIONS = sa.select(Organisation.id).where(Organisation.origin == DEMO)
DEMO_EDITIONS = sa.select(Edition.id).where(Edition.origin == DEMO)
# Accounts of demo people or organisations go with them; a coordinator's account only loses its link.
DEMO_ACCOUNTS = sa.select(User.id).where(sa.or_(
    User.organisation_id.in_(DEMO_ORGANISATIONS),
    sa.and_(User.person_id.in_(DEMO_PEOPLE), User.role != Role.COORDINATOR)))
DEMO_CHANGES = sa.or_(
    sa.and_(ChangeLogEntry.entity_type == "person", ChangeLogEntry.entity_id.in_(DEMO_PEOPLE)),
    sa.and_(ChangeLogEntry.entity_type == "organisation", ChangeLogEntry.entity_id.in_(DEMO_ORGANISATIONS)),
    sa.and_(ChangeLogEntry.entity_type == "edition", ChangeLogEntry.entity_id.in_(DEMO_EDITIONS)))


@dataclass(frozen=True)
class DemoCounts:
    people: int
    organisations: int
    editions: int

    def __bool__(self) -> bool:
        return bool(self.people or self.organisations or self.editions)

    def phrases(self) -> dict[str, str]:
        """"3 osoby", "1 organizacja", "0 edycji", to fill in a sentence."""
        return {"people": ngettext("%(num)s person", "%(num)s people", self.people),
                "organisations": ngettext("%(num)s organisation", "%(num)s organisations", self.organisations),
                "editions": ngettext("%(num)s edition", "%(num)s editions", self.editions)}


def _count(ids: sa.Select) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(ids.subquery()).scalar_subquery()


_DEMO_COUNTS = sa.select(DemoCount.table_name, DemoCount.records)  # built once: every page's banner reads it


def demo_counts() -> DemoCounts:
    """Demo people, organisations and editions, as the database counts them while they are written (demo_count)."""
    counted = dict(kept_rows(_DEMO_COUNTS))
    return DemoCounts(*(counted.get(table, 0) for table in (Person.__tablename__, Organisation.__tablename__,
                                                            Edition.__tablename__)))


def demo_counts_of_request() -> DemoCounts:
    """demo_counts(), asked at most once per request (the banner of every page)."""
    if "demo_counts" not in g:
        g.demo_counts = demo_counts()
    return g.demo_counts


@dataclass(frozen=True)
class Removal:
    """What removing the demo network takes with it, besides its people, organisations and editions."""

    counts: DemoCounts
    accounts: int
    changes: int


def removal_preview() -> Removal:
    accounts, changes = db.session.execute(sa.select(
        _count(DEMO_ACCOUNTS), sa.select(sa.func.count(ChangeLogEntry.id)).where(DEMO_CHANGES).scalar_subquery(),
    )).one()
    return Removal(demo_counts(), accounts, changes)
