"""All organisations counted by the database as they are written (row_count, migration 0023), which the
organisations list's member split reads: the same figure as counting the rows, whoever writes, in one row or many."""

import sqlalchemy as sa

from forum_crm.demo.services import remove_demo_data
from forum_crm.extensions import db
from forum_crm.models import Organisation, RowCount
from forum_crm.organisations.queries import member_split
from forum_crm.seeding.demo import generate_demo_network
from tests import factories


def kept_count() -> int | None:
    return db.session.scalar(sa.select(RowCount.records).where(RowCount.table_name == "organisation"))


def counted() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def split_of_a_new_request(app) -> tuple[int, int]:
    """member_split() as a new request sees it (what is kept between requests included)."""
    with app.app_context(), app.test_request_context():
        split = member_split()
        return split.members, split.others


def test_the_count_follows_orm_inserts_and_deletes(app, ctx):
    assert kept_count() is None and split_of_a_new_request(app) == (0, 0)  # no row: none
    first, second, _third = (factories.organisation(forum_member_since=factories.datetime_now().date()),
                             factories.organisation(), factories.organisation())
    db.session.commit()
    assert kept_count() == counted() == 3
    assert split_of_a_new_request(app) == (1, 2)

    first.archived_at = factories.datetime_now()  # an update changes the split, not the count
    db.session.delete(second)
    db.session.commit()
    assert kept_count() == counted() == 2
    assert split_of_a_new_request(app) == (0, 1)

    db.session.execute(sa.delete(Organisation))
    db.session.commit()
    assert kept_count() is None and counted() == 0


def test_a_rolled_back_insert_counts_nothing(app, ctx):
    factories.organisation()
    db.session.commit()
    factories.organisation()
    db.session.flush()
    assert kept_count() == 2  # inside the transaction
    db.session.rollback()
    assert kept_count() == counted() == 1


def test_the_count_follows_many_rows_written_at_once(app, ctx):
    """The demo network is written and removed with Core statements of many rows each (one trigger run a statement
    on PostgreSQL)."""
    factories.organisation()
    db.session.commit()
    generate_demo_network(30, 12, seed=5)
    db.session.commit()
    assert kept_count() == counted() == 13
    remove_demo_data()
    db.session.commit()
    assert kept_count() == counted() == 1
