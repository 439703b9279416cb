"""Search and filter conditions shared by the lists of organisations and people."""


import sqlalchemy as sa

from forum_crm.models import Locality, Voivodeship
from forum_crm.text import fold


def text_and_place(search_text, search: str | None, town: str | None,
                    voivodeship: Voivodeship | None) -> list[sa.ColumnElement[bool]]:
    """List conditions shared by organisations and people (the query outer-joins Locality):
    the folded search in the record's text or its town, an exact town, a voivodeship."""
    conditions = []
    if search:
        folded = fold(search)
        conditions.append(sa.or_(search_text.contains(folded, autoescape=True),
                                 Locality.name_key.contains(folded, autoescape=True)))
    if town:
        conditions.append(Locality.name_key == fold(town))
    if voivodeship:
        conditions.append(Locality.voivodeship == voivodeship)
    return conditions


def set_or_not(flags) -> list[sa.ColumnElement[bool]]:
    """For each (nullable column, wanted): the column is set (True), empty (False), or either (None)."""
    return [column.is_not(None) if wanted else column.is_(None) for column, wanted in flags if wanted is not None]


