"""Pagination of list pages: the page number comes from ?page=, 25 rows a page by default."""

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import SelectPagination

from forum_crm.extensions import db
from forum_crm.validators import ascii_int

PER_PAGE = 25


class RowPagination(SelectPagination):
    """Pages of rows with computed columns (a record and its counts).

    Counting keeps only the query's FROM and WHERE, so the computed columns are not evaluated
    for every matching row just to count them.
    """

    def _query_items(self) -> list[sa.Row]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())

    def _query_count(self) -> int:
        select = self._query_args["select"]
        count = select.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
        return self._query_args["session"].execute(count).scalar_one()


class CountedOnceRowPagination(RowPagination):
    """Pages of rows of a costly query (one that must find every row to order them), counted in the same statement
    with count(*) OVER (), so the query runs once a page instead of twice. Rows get a `rows_in_all` column."""

    def _query_items(self) -> list[sa.Row]:
        select = self._query_args["select"].add_columns(sa.func.count().over().label("rows_in_all"))
        self._query_args["counted"] = rows = list(self._query_args["session"].execute(
            select.limit(self.per_page).offset(self._query_offset)).all())
        return rows

    def _query_count(self) -> int:
        rows = self._query_args["counted"]
        return rows[0].rows_in_all if rows else super()._query_count()  # past the last page: count on its own


def page_number() -> int:
    """?page=N in ASCII digits up to MAX_ID, else the first page (20 digits would overflow the database's OFFSET)."""
    return ascii_int(request.args.get("page")) or 1


def paginate(select: sa.Select, per_page: int = PER_PAGE, count_once: bool = False) -> RowPagination:
    """One page of `select` as rows (items are sa.Row: row[0] or row.Name for the record); with `count_once`, the
    rows and their count come from one statement (CountedOnceRowPagination)."""
    pagination = CountedOnceRowPagination if count_once else RowPagination
    return pagination(select=select, session=db.session(), page=page_number(), per_page=per_page, max_per_page=100,
                      error_out=False)
