"""Small builders for test data: each adds one row with sensible defaults and flushes."""

import itertools
from datetime import UTC, date, datetime

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    Edition,
    Locality,
    Organisation,
    Participation,
    Person,
    Role,
    Sector,
    User,
    Voivodeship,
)

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


def locality(name="Lublin", voivodeship=Voivodeship.LUBELSKIE, latitude=51.25, longitude=22.57, **values):
    return _add(Locality(name=name, voivodeship=voivodeship, latitude=latitude, longitude=longitude, **values))


def organisation(name=None, **values):
    values.setdefault("sector", Sector.NGO)
    return _add(Organisation(name=name or f"Fundacja Testowa {next(_numbers)}", **values))


def person(first_name="Anna", last_name=None, **values):
    return _add(Person(first_name=first_name, last_name=last_name or f"Nowak{next(_numbers)}", **values))


def affiliation(person, organisation, **values):
    return _add(Affiliation(person=person, organisation=organisation, **values))


def edition(number=None, start=date(2023, 5, 18), end=date(2023, 5, 19), **values):
    return _add(Edition(number=number or next(_numbers), start_date=start, end_date=end, **values))


def participation(edition, person, **values):
    return _add(Participation(edition=edition, person=person, **values))


def user(role=Role.COORDINATOR, email=None, password=PASSWORD, organisation=None, **values):
    account = User(email=email or f"user{next(_numbers)}@example.org", role=role, organisation=organisation, **values)
    account.set_password(password)
    return _add(account)


def committed(*rows):
    """Commit, and load the rows' columns so tests can read them after the app context ends."""
    db.session.commit()
    for row in rows:
        db.session.refresh(row)
    return rows[0] if len(rows) == 1 else rows


def datetime_now():
    return datetime.now(UTC)
