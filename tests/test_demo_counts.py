"""The demo banner's counts, kept by the database as rows are written (demo_count, migration 0019), and the
organisations list's total taken from its member split: the same figures as counting the rows, whoever writes."""

from datetime import date

import pytest
import sqlalchemy as sa

from forum_crm.demo.queries import DEMO_EDITIONS, DEMO_ORGANISATIONS, DEMO_PEOPLE, DemoCounts, demo_counts
from forum_crm.extensions import db
from forum_crm.models import Edition, Organisation, Origin
from forum_crm.organisations.queries import OrganisationFilters, member_split, organisation_list, total_in_split
from forum_crm.text import fold
from tests import factories

DEMO = Origin.DEMO


def counted() -> DemoCounts:
    """The demo rows, counted as the banner counted them before demo_count."""
    def count(ids):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
    return DemoCounts(count(DEMO_PEOPLE), count(DEMO_ORGANISATIONS), count(DEMO_EDITIONS))


def banner_counts(app) -> DemoCounts:
    """demo_counts() as a new request sees it (what is kept between requests included)."""
    with app.app_context(), app.test_request_context():
        return demo_counts()


def test_the_counts_follow_orm_writes(app, ctx):
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 0)
    people = [factories.person(origin=DEMO), factories.person(origin=DEMO), factories.person()]
    organisation = factories.organisation(origin=DEMO)
    factories.organisation()
    factories.edition(origin=DEMO)
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(2, 1, 1)

    people[0].origin = Origin.MANUAL  # a demo row no longer demo, a real one made demo, one deleted
    people[2].origin = DEMO
    db.session.delete(people[1])
    db.session.delete(organisation)
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(1, 0, 1)


def test_the_counts_follow_core_inserts_updates_and_deletes(app, ctx):
    db.session.execute(sa.insert(Edition), [
        {"number": number, "start_date": date(2024, 1, number), "end_date": date(2024, 1, number),
         "origin": DEMO if number % 2 else Origin.MANUAL} for number in range(1, 8)])
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 4)

    db.session.execute(sa.update(Edition).where(Edition.number <= 4).values(origin=DEMO))  # 1-4, 5 and 7
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 6)

    db.session.execute(sa.delete(Edition).where(Edition.number >= 3))
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 2)
    db.session.execute(sa.delete(Edition))
    db.session.commit()
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 0)
    assert db.session.scalar(sa.text("SELECT count(*) FROM demo_count")) == 0  # no row: none


def test_a_rolled_back_write_counts_nothing(app, ctx):
    factories.person(origin=DEMO)
    db.session.rollback()
    assert banner_counts(app) == counted() == DemoCounts(0, 0, 0)


@pytest.fixture
def organisations(app, ctx):
    """Members and not, archived and not, in two sectors."""
    for number in range(12):
        factories.organisation(
            f"Fundacja {number}", sector="ngo" if number % 3 else "university",
            forum_member_since=date(2023, 5, 18) if number % 2 else None,
            archived_at=factories.datetime_now() if number % 5 == 0 else None)
    db.session.commit()


def list_count(filters: OrganisationFilters) -> int:
    query = organisation_list(filters)
    return db.session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None))


def test_the_member_split_counts_the_organisations_not_archived(organisations):
    archived = Organisation.archived_at.is_(None)
    split = member_split()
    assert split.members == db.session.scalar(sa.select(sa.func.count()).where(
        archived, Organisation.forum_member_since.is_not(None)))
    assert (split.members, split.others) == (5, 4)


@pytest.mark.parametrize("filters", [
    OrganisationFilters(), OrganisationFilters(descending=True), OrganisationFilters(forum_member=True),
    OrganisationFilters(forum_member=False, descending=True), OrganisationFilters(search=""),
])
def test_the_list_total_is_the_split_when_it_counted_the_same_rows(organisations, filters):
    assert total_in_split(filters, member_split()) == list_count(filters)


@pytest.mark.parametrize("filters", [
    OrganisationFilters(search=fold("Fundacja 1")), OrganisationFilters(archived=None),
    OrganisationFilters(archived=True, forum_member=True), OrganisationFilters(sector="university"),
    OrganisationFilters(stale=True), OrganisationFilters(town="Lublin"), OrganisationFilters(area_id=1),
])
def test_other_filters_are_counted_apart(organisations, filters):
    assert total_in_split(filters, member_split()) is None


def test_the_list_page_shows_the_same_total(app, client, login, organisations):
    coordinator = factories.user()
    db.session.commit()
    login(coordinator)
    assert '<p class="count" role="status">9 organizacji</p>' in client.get("/organisations").text
    assert '<p class="count" role="status">5 organizacji</p>' in client.get("/organisations?member=yes").text
    assert '<p class="count" role="status">4 organizacje</p>' in client.get("/organisations?member=no").text
    assert '<p class="count" role="status">12 organizacji</p>' in client.get("/organisations?status=all").text

