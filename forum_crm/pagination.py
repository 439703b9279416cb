"""Pagination of list pages: the page number comes from ?page=, 25 rows a page by default.

Lists with a unique order (a sort key and the id) page by key: "Next" and "Previous" carry the last or first row's
key (`?after=` / `?before=`, `(name_sort, id) > last`), and a page asked by number finds its first key in the sort
columns alone, so a deep page never reads the whole rows it skips.
"""

import re
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import cache

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import SelectPagination

from forum_crm.extensions import db
from forum_crm.kept import kept_scalar
from forum_crm.validators import ascii_int

PER_PAGE = 25
# A page's key in the address: a sort key (lower-case ASCII letters, text.polish_sort_key) and an id.
_KEY = re.compile(r"([a-z]{0,400})\.([0-9]{1,18})")
# A page's statements made from a list's statement object (see derived), the least recently used dropped first.
DERIVED_ENTRIES = 512
_derived: OrderedDict[tuple[int, Hashable], tuple[sa.Select, sa.Select]] = OrderedDict()
_derived_lock = threading.Lock()


@dataclass(frozen=True)
class Order:
    """The unique order of a list: its sort column and id column, both ascending or both descending."""
    sort: sa.ColumnElement
    id: sa.ColumnElement
    descending: bool = False

    def clauses(self) -> tuple[sa.ColumnElement, ...]:
        """The ORDER BY of the list."""
        return (self.sort.desc(), self.id.desc()) if self.descending else (self.sort, self.id)

    def reversed(self) -> "Order":
        return replace(self, descending=not self.descending)

    def beyond(self, key: tuple, forward: bool) -> sa.ColumnElement[bool]:
        """Rows after `key` in this order (`forward`), or before it."""
        columns, value = sa.tuple_(self.sort, self.id), sa.tuple_(*key)
        return columns > value if forward != self.descending else columns < value

    def beyond_parameters(self, forward: bool) -> sa.ColumnElement[bool]:
        """beyond() a key given when the statement runs, as key_parameters(key)."""
        return self.beyond((sa.bindparam("key_sort", type_=self.sort.type),
                            sa.bindparam("key_id", type_=self.id.type)), forward)

    @staticmethod
    def key_parameters(key: tuple) -> dict:
        return {"key_sort": key[0], "key_id": key[1]}


def derived(select: sa.Select, how: Hashable, make: Callable[[], sa.Select]) -> sa.Select:
    """The statement `make` makes from `select` (a page of it, its count), made once per statement object and `how`.
    A list's statement built once (listing.built_once) keeps its cache key, which SQLAlchemy works out once per
    statement object; its pages made anew for each request walked it again. `how` names everything `make` puts in
    besides `select` (values that change, such as a page's key, go in as parameters: Order.beyond_parameters)."""
    key = (id(select), how)
    with _derived_lock:
        entry = _derived.get(key)
        if entry is not None and entry[0] is select:  # the entry holds `select`: its id is not another's
            _derived.move_to_end(key)
            return entry[1]
    made = make()
    with _derived_lock:
        _derived[key] = (select, made)
        while len(_derived) > DERIVED_ENTRIES:
            _derived.popitem(last=False)
    return made


class RowPagination(SelectPagination):
    """Pages of rows with computed columns (a record and its counts).

    Counting keeps only the query's FROM and WHERE, so the computed columns are not evaluated
    for every matching row just to count them.
    """

    def _query_items(self) -> list[sa.Row]:
        select, per_page, offset = self._query_args["select"], self.per_page, self._query_offset
        page = derived(select, ("page", per_page, offset), lambda: select.limit(per_page).offset(offset))
        return list(self._query_args["session"].execute(page).all())

    def _query_count(self) -> int:
        if self._query_args.get("total") is not None:  # counted already (paginate's `total`)
            return self._query_args["total"]
        select = self._query_args["select"]
        return kept_scalar(derived(select, "count", lambda: select.with_only_columns(
            sa.func.count(), maintain_column_froms=True).order_by(None)))

    @property
    def next_args(self) -> dict:
        """The address values of the next page's link."""
        return {"page": self.next_num}

    @property
    def prev_args(self) -> dict:
        return {"page": self.prev_num}


class KeysetPagination(RowPagination):
    """Pages of rows in a unique `Order`, found by key rather than by OFFSET over the rows."""

    def _query_items(self) -> list[sa.Row]:
        select, order, session = (self._query_args[name] for name in ("select", "order", "session"))
        after, before = self._query_args["after"], self._query_args["before"]
        per_page, offset = self.per_page, self._query_offset
        if before is not None:
            earlier = derived(select, ("before", order, per_page), lambda: select.where(
                order.beyond_parameters(forward=False)).order_by(None).order_by(
                *order.reversed().clauses()).limit(per_page))
            return list(reversed(session.execute(earlier, order.key_parameters(before)).all()))
        if after is None and offset:
            first_key = derived(select, ("key at", order, offset), lambda: select.with_only_columns(
                order.sort, order.id).offset(offset - 1).limit(1))
            after = session.execute(first_key).first()
            if after is None:
                return []
        if after is not None:
            later = derived(select, ("after", order, per_page), lambda: select.where(
                order.beyond_parameters(forward=True)).limit(per_page))
            return list(session.execute(later, order.key_parameters(tuple(after))).all())
        return list(session.execute(derived(select, ("page", per_page, 0), lambda: select.limit(per_page))).all())

    def _key(self, row: sa.Row) -> str:
        order = self._query_args["order"]
        record = row if order.sort.key in row._fields else row[0]  # plain columns, or a record and its counts
        return f"{getattr(record, order.sort.key)}.{getattr(record, order.id.key)}"

    @property
    def next_args(self) -> dict:
        if not self.items:  # a key past the end (an old link): the next page by number
            return {"page": self.next_num, "after": None, "before": None}
        return {"page": self.next_num, "after": self._key(self.items[-1]), "before": None}

    @property
    def prev_args(self) -> dict:
        if self.prev_num == 1 or not self.items:
            return {"page": self.prev_num, "after": None, "before": None}
        return {"page": self.prev_num, "after": None, "before": self._key(self.items[0])}


class CountedOnceKeysetPagination(KeysetPagination):
    """Pages of a search in a unique `Order`, which must find every matching row anyway to count them: one statement
    finds the matching rows' keys once (a CTE), counts them and picks the page's keys, a second loads the page's rows
    by id from `rows` (the list's columns and loaders, without its conditions). Counting apart and paging along the
    sort index found the rows twice, and PostgreSQL's planner tested the search on every row it walked past."""

    def _query_items(self) -> list[sa.Row]:
        select, order, session = (self._query_args[name] for name in ("select", "order", "session"))
        after, before = self._query_args["after"], self._query_args["before"]
        found = select.with_only_columns(order.sort.label("sort"), order.id.label("id")).order_by(None).cte("found")
        found_order = Order(found.c.sort, found.c.id, order.descending)
        keys = sa.select(found.c.id, sa.select(sa.func.count()).select_from(found).scalar_subquery().label("total"))
        if before is not None:
            keys = keys.where(found_order.beyond(before, forward=False)).order_by(*found_order.reversed().clauses())
        elif after is not None:
            keys = keys.where(found_order.beyond(after, forward=True)).order_by(*found_order.clauses())
        else:
            keys = keys.order_by(*found_order.clauses()).offset(self._query_offset)
        page_keys = session.execute(keys.limit(self.per_page)).all()
        if not page_keys:  # no rows at all, or past the last page (then counted on their own)
            whole_list = after is None and before is None and not self._query_offset
            self._query_args["counted"] = 0 if whole_list else None
            return []
        self._query_args["counted"] = page_keys[0].total
        rows = self._query_args["rows"].where(order.id.in_([key.id for key in page_keys])).order_by(*order.clauses())
        return list(session.execute(rows).all())

    def _query_count(self) -> int:
        counted = self._query_args["counted"]
        return counted if counted is not None else super()._query_count()  # past the last page: count on its own


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


def page_key(name: str) -> tuple[str, int] | None:
    """?after= or ?before=: the key of a row the page starts after or ends before, if well formed."""
    match = _KEY.fullmatch(request.args.get(name, ""))
    return (match.group(1), int(match.group(2))) if match else None


def paginate(select: sa.Select, per_page: int = PER_PAGE, order: Order | None = None,
             count_once: bool = False, rows: sa.Select | None = None, total: int | None = None,
             plain: bool = False) -> RowPagination:
    """One page of `select` as rows (items are sa.Row: row[0] or row.Name for the record). With its unique `order`
    (the one `select` is ordered by), pages are found by key; with `count_once`, the rows and their count come
    from one statement (CountedOnceRowPagination), or with an `order`, their keys and count do and the rows are
    loaded from `rows` (`select` without its conditions) by id (CountedOnceKeysetPagination); a `total` the caller
    knows already is not counted again. A `plain` statement (columns, no records) runs on the session's connection:
    the ORM's handling of a statement of mapped columns cost a third of the organisations page's statement; its
    items are named tuples (see named_rows)."""
    common = {"select": select, "session": db.session.connection() if plain else db.session(),
              "page": page_number(), "per_page": per_page,
              "max_per_page": 100, "error_out": False, "total": total}
    if order is not None:
        keys = {"order": order, "after": page_key("after"), "before": page_key("before")}
        page = (CountedOnceKeysetPagination(**common, **keys, rows=rows) if count_once
                else KeysetPagination(**common, **keys))
    else:
        page = (CountedOnceRowPagination if count_once else RowPagination)(**common)
    if plain:
        page.items = named_rows(page.items)
    return page


def named_rows(rows: list[sa.Row]) -> list[tuple]:
    """Rows as named tuples of the same fields: a template reads a Row's column as an attribute only after Python
    failed to find one (SQLAlchemy's __getattr__), 0.7 µs against 0.1, and a list page reads ten from each row."""
    if not rows:
        return rows
    named = _row_class(rows[0]._fields)
    return [named._make(row) for row in rows]


@cache
def _row_class(fields: tuple[str, ...]) -> type:
    return namedtuple("Row", fields)
