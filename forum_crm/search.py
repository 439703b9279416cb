"""Substring search over the folded `search_text` of people and organisations, through each database's trigram index.

The folded text stays the source; migration 0013 indexes it: on SQLite an FTS5 table with the trigram tokenizer
per searched table (`person_search`, `organisation_search`, kept in step by triggers on insert, update and delete,
so bulk Core inserts are indexed too), on PostgreSQL a pg_trgm GIN index that `LIKE '%...%'` uses by itself.
A trigram index cannot answer fewer than three characters: such searches scan, as every search did before.
"""

import sqlalchemy as sa

from forum_crm.extensions import db

TRIGRAM = 3  # characters: shorter searches cannot use a trigram index
# The SQLite FTS5 tables (and their shadow tables, named after them) that index each table's search_text.
SEARCH_TABLES = {"person": "person_search", "organisation": "organisation_search"}


def is_search_index(name: str) -> bool:
    """Whether a table or index is part of the trigram search indexes that the models do not declare."""
    return name.endswith("_search_text_trgm") or any(
        name == table or name.startswith(f"{table}_") for table in SEARCH_TABLES.values())


def models_only(_object, name, type_, _reflected, _compare_to) -> bool:
    """Alembic's include_object: compare what the models declare, not the search indexes (migration 0013's own)."""
    return not (type_ in ("table", "index") and name and is_search_index(name))


def text_contains(model, folded: str) -> sa.ColumnElement[bool]:
    """`model.search_text` contains the folded text `folded` (as `LIKE '%folded%'`, wildcards taken literally)."""
    scan = model.search_text.contains(folded, autoescape=True)
    if len(folded) < TRIGRAM or db.session.get_bind().dialect.name != "sqlite":
        return scan  # PostgreSQL's planner uses the GIN index for this LIKE itself
    index = sa.table(SEARCH_TABLES[model.__tablename__], sa.column("rowid"))
    phrase = '"' + folded.replace('"', '""') + '"'  # an FTS5 string: trigram phrases match substrings
    return model.id.in_(sa.select(index.c.rowid).where(sa.literal_column(index.name).op("MATCH")(phrase)))
