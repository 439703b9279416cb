"""Search and filter conditions shared by the lists of organisations and people."""

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Locality, Voivodeship
from forum_crm.search import text_contains
from forum_crm.text import fold

ListBuilder = Callable[[Any], sa.Select]


def text_and_place(model, search: str | None, town: str | None,
                   voivodeship: Voivodeship | None) -> list[sa.ColumnElement[bool]]:
    """List conditions shared by organisations and people (`model` has search_text and locality_id): the folded
    search in the record's text or its town's name, an exact town, a voivodeship. None of them needs a join:
    the towns that match (a few thousand rows to scan) are looked up first, then `locality_id IN (...)`."""
    conditions = []
    if search:
        folded = fold(search)
        towns = list(db.session.scalars(sa.select(Locality.id).where(
            Locality.name_key.contains(folded, autoescape=True))))
        conditions.append(sa.or_(text_contains(model, folded), model.locality_id.in_(towns)) if towns
                          else text_contains(model, folded))
    places = []
    if town:
        places.append(Locality.name_key == fold(town))
    if voivodeship:
        places.append(Locality.voivodeship == voivodeship)
    if places:
        conditions.append(model.locality_id.in_(sa.select(Locality.id).where(*places)))
    return conditions


def set_or_not(flags) -> list[sa.ColumnElement[bool]]:
    """For each (nullable column, wanted): the column is set (True), empty (False), or either (None)."""
    return [column.is_not(None) if wanted else column.is_(None) for column, wanted in flags if wanted is not None]


def built_once(unless: Callable[[Any], bool]) -> Callable[[ListBuilder], ListBuilder]:
    """A list's statement (filters -> Select) built once per filters, except when `unless(filters)`: a search (its
    towns are looked up in the data first) or a condition on the time. SQLAlchemy works out a statement's cache key
    once per statement object, by walking it (a list's, with its loaders and subqueries, about as long as building
    it), so a list page built anew paid both each time; the pages of one statement are made once too
    (pagination.derived)."""

    def decorator(build: ListBuilder) -> ListBuilder:
        kept = lru_cache(maxsize=256)(build)

        @wraps(build)
        def statement(filters) -> sa.Select:
            return build(filters) if unless(filters) else kept(filters)

        return statement

    return decorator
