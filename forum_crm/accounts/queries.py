"""Reading accounts for the coordinator's list."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.models import User


def account_list() -> sa.Select:
    """Every account by e-mail, with the organisation and person it is bound to."""
    return (sa.select(User).options(joinedload(User.organisation), joinedload(User.person))
            .order_by(User.active.desc(), User.email))
