"""The person whose data is exported or erased, and finding and masking their identifying values elsewhere.

Their name, e-mail address and phone number can appear in rows about other records (a change-log entry of an
edition naming a participant, a security-log detail, an e-mail to someone else): those rows are found in SQL by
the values (in the text of JSON columns too, where non-ASCII letters are escaped) and the values masked.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Person, User

MASK = "***"  # what stands where an erased value was
MIN_NAME_LENGTH = 3  # a first or last name alone is masked (in the security log only) from this length


@dataclass(frozen=True)
class Subject:
    """A person and their account, with the values that identify them, read before anything is erased."""

    person: Person
    account: User | None
    values: tuple[str, ...]  # full name both ways round, e-mail addresses, phone: masked wherever they appear
    names: tuple[str, ...]  # the first and last name alone: masked only where a search for them is logged

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(value for value in self.values if "@" in value)


def subject_of(person: Person) -> Subject:
    account = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    first, last = person.first_name.strip(), person.last_name.strip()
    values = {f"{first} {last}".strip(), f"{last} {first}".strip(), person.email, person.phone,
              account.email if account else None}
    names = {name for name in (first, last) if len(name) >= MIN_NAME_LENGTH}
    return Subject(person, account, tuple(sorted({value for value in values if value}, key=len, reverse=True)),
                   tuple(sorted(names, key=len, reverse=True)))


def mentions(column: sa.ColumnElement, values: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """SQL: the column's text holds one of the values (as typed, lower-case, or escaped as JSON writes it)."""
    forms = {form for value in values for variant in (value, value.lower())
             for form in (variant, json.dumps(variant)[1:-1])}
    if not forms:
        return sa.false()
    text = sa.cast(column, sa.Text)
    return sa.or_(*(text.contains(form, autoescape=True) for form in sorted(forms)))


def masked(value: Any, values: tuple[str, ...]) -> Any:
    """The value (text, or JSON made of lists, dicts and text) with every occurrence of the values masked."""
    if isinstance(value, str):
        for erased in values:
            value = re.sub(re.escape(erased), MASK, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [masked(item, values) for item in value]
    if isinstance(value, dict):
        return {key: masked(item, values) for key, item in value.items()}
    return value
