"""Read-only SQL aggregates."""

from dataclasses import dataclass

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Edition, Organisation, Person


@dataclass(frozen=True)
class NetworkNumbers:
    people: int
    organisations: int
    localities: int
    editions: int


def network_numbers() -> NetworkNumbers:
    """The Forum in numbers, in one query.

    People: Forum members not archived (anonymised people still count). Organisations: Forum
    members not archived. Localities: the towns those organisations are based in.
    """
    member_organisations = sa.and_(Organisation.forum_member_since.is_not(None), Organisation.archived_at.is_(None))
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Person.id))
            .where(Person.forum_member, Person.archived_at.is_(None))
            .scalar_subquery(),
            sa.select(sa.func.count(Organisation.id)).where(member_organisations).scalar_subquery(),
            sa.select(sa.func.count(sa.distinct(Organisation.locality_id)))
            .where(member_organisations)
            .scalar_subquery(),
            sa.select(sa.func.count(Edition.id)).scalar_subquery(),
        )
    ).one()
    return NetworkNumbers(*row)
