"""Duplicate records: pairs the coordinator said are not duplicates, merges (kept so they can be undone), and the
stored keys of people's names that find names one typo apart (kept up to date on every flush of a person)."""

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Person
from forum_crm.text import name_keys, names_one_typo_apart


class DuplicateKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class DismissedPair(Base):
    """Two records the coordinator marked "not a duplicate": the finder no longer shows them (lower id first)."""

    __tablename__ = "dismissed_pair"
    __table_args__ = (sa.CheckConstraint("first_id < second_id", name="lower_id_first"),)

    kind: Mapped[DuplicateKind] = mapped_column(choice(DuplicateKind, "duplicate_kind"), primary_key=True)
    first_id: Mapped[int] = mapped_column(primary_key=True)
    second_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    dismissed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PersonMerge(Base):
    """One merge of two people: what it changed, so the review feed can undo it.

    `removed` is the merged-away person's columns; `kept_before` the kept person's fields it overwrote;
    `moved` the ids of the rows it moved, by table, and the participations it joined into one.
    """

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_log_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("change_log.id", ondelete="SET NULL"), index=True, unique=True)
    kept_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    removed_id: Mapped[int]
    removed: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    kept_before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    moved: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    merged_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NameKey(Base):
    """A folded person name (first, last) stored under each of its keys (forum_crm.text.name_keys), one row a
    distinct name and key, so that names one typo apart are found by an indexed join instead of by comparing
    every name with every other. Kept up to date by store_names and the flush hook below."""

    __tablename__ = "name_key"

    key: Mapped[str] = mapped_column(sa.String(210), primary_key=True)
    first_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    last_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)

    __table_args__ = (sa.Index("ix_name_key_first_key_last_key", "first_key", "last_key"),)


class NamePairKind(enum.StrEnum):
    TYPO = "typo"  # one part the same, the other one typo apart (forum_crm.text.names_one_typo_apart)
    SWAPPED = "swapped"  # first and last name swapped ("Kowalska Anna" and "Anna Kowalska")


class NamePair(Base):
    """Two stored names of a kind of likely duplicate, in both orders: the finder joins people to these few rows
    instead of comparing every person with every other."""

    __tablename__ = "name_pair"

    kind: Mapped[NamePairKind] = mapped_column(choice(NamePairKind, "name_pair_kind"), primary_key=True)
    first_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    last_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    other_first_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    other_last_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)

    __table_args__ = (sa.Index("ix_name_pair_other_first_key_other_last_key", "other_first_key", "other_last_key"),)


Name = tuple[str, str]  # a person's folded (first_key, last_key)
CHUNK = 500  # names or keys in one IN (...) list


def _chunks(values: Iterable) -> Iterator[list]:
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def store_names(connection: sa.Connection, names: Iterable[Name]) -> None:
    """Store the keys of those `names` not stored yet, and their pairs (typo, swapped) with every stored name.

    Call it after writing people with Core statements (bulk INSERT); the ORM's flushes call it themselves."""
    wanted, columns = set(names), sa.tuple_(NameKey.first_key, NameKey.last_key)
    for chunk in _chunks(wanted):
        wanted -= set(connection.execute(sa.select(NameKey.first_key, NameKey.last_key).distinct()
                                         .where(columns.in_(chunk))).tuples())
    if not wanted:
        return
    keys = {name: name_keys(*name) for name in wanted}
    names_by_key: dict[str, set[Name]] = defaultdict(set)
    for name, its_keys in keys.items():
        for key in its_keys:
            names_by_key[key].add(name)
    for chunk in _chunks(names_by_key):
        for key, first_key, last_key in connection.execute(
                sa.select(NameKey.key, NameKey.first_key, NameKey.last_key).where(NameKey.key.in_(chunk))):
            names_by_key[key].add((first_key, last_key))
    connection.execute(sa.insert(NameKey), [{"key": key, "first_key": name[0], "last_key": name[1]}
                                            for name, its_keys in keys.items() for key in its_keys])
    swapped = {(last, first) for first, last in wanted if first != last}
    for chunk in _chunks(swapped):
        swapped_stored = set(connection.execute(sa.select(NameKey.first_key, NameKey.last_key).distinct()
                                                .where(columns.in_(chunk))).tuples())
        swapped -= set(chunk) - swapped_stored
    pairs = {(NamePairKind.TYPO, name, other) for name, its_keys in keys.items() for key in its_keys
             for other in names_by_key[key] if other != name and names_one_typo_apart(name, other)}
    pairs |= {(NamePairKind.SWAPPED, (first, last), (last, first)) for first, last in swapped}
    pairs |= {(kind, other, name) for kind, name, other in pairs}
    if pairs:
        connection.execute(sa.insert(NamePair), [
            {"kind": kind, "first_key": name[0], "last_key": name[1], "other_first_key": other[0],
             "other_last_key": other[1]} for kind, name, other in pairs])


def prune_names(connection: sa.Connection, names: Iterable[Name]) -> None:
    """Forget the keys and pairs of those `names` that no person has any more."""
    for chunk in _chunks(set(names)):
        held = set(connection.execute(sa.select(Person.first_key, Person.last_key).distinct().where(
            sa.tuple_(Person.first_key, Person.last_key).in_(chunk))).tuples())
        gone = [name for name in chunk if name not in held]
        if gone:
            connection.execute(sa.delete(NameKey).where(sa.tuple_(NameKey.first_key, NameKey.last_key).in_(gone)))
            connection.execute(sa.delete(NamePair).where(sa.or_(
                sa.tuple_(NamePair.first_key, NamePair.last_key).in_(gone),
                sa.tuple_(NamePair.other_first_key, NamePair.other_last_key).in_(gone))))


def prune_all_names(connection: sa.Connection) -> None:
    """Forget the keys and pairs of every name that no person has any more (after bulk deletes)."""
    def nobody(first_key: sa.ColumnElement, last_key: sa.ColumnElement) -> sa.ColumnElement[bool]:
        return ~sa.exists().where(Person.first_key == first_key, Person.last_key == last_key)

    connection.execute(sa.delete(NameKey).where(nobody(NameKey.first_key, NameKey.last_key)))
    connection.execute(sa.delete(NamePair).where(sa.or_(nobody(NamePair.first_key, NamePair.last_key),
                                                        nobody(NamePair.other_first_key, NamePair.other_last_key))))


@sa.event.listens_for(Session, "after_flush")
def _keep_name_keys(session: Session, _context) -> None:
    """A flush that added, renamed or deleted people stores their new names' keys and forgets names gone.

    Only names the session holds are read (a name not loaded did not change); nothing is loaded here."""
    added, dropped = set(), set()
    for person in session.new | session.dirty | session.deleted:
        if not isinstance(person, Person):
            continue
        first, last = sa.inspect(person).attrs.first_key, sa.inspect(person).attrs.last_key
        name = (first.loaded_value, last.loaded_value)
        if sa.orm.base.NO_VALUE in name:
            continue
        if person in session.deleted:
            dropped.add(name)
        elif person in session.new or first.history.has_changes() or last.history.has_changes():
            added.add(name)
            dropped.add(((first.history.deleted or [name[0]])[0], (last.history.deleted or [name[1]])[0]))
    if added or dropped:
        connection = session.connection()
        store_names(connection, added)
        prune_names(connection, dropped - added)
