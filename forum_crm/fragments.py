"""Pieces of pages made from nothing but what their key names (no data read meanwhile): each made once per key in a
process, the least recently used dropped first. A list's filter form is one: its fields render the same HTML for
the same address values, choices, language and errors, and rendering its select boxes (forty options with their
translated labels) cost a tenth of a list page built anew."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup

FRAGMENTS = 256


class Fragments:
    def __init__(self, size: int = FRAGMENTS):
        self.size = size
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Markup | None:
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
            return html

    def put(self, key: Hashable, html: Markup) -> None:
        with self._lock:
            self._entries[key] = html
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def remembered(key: Hashable, caller: Callable[[], str]) -> Markup:
    """{% call remembered(key) %}...{% endcall %}: the block's HTML, rendered once per key (which must name
    everything the block renders from)."""
    store = current_app.extensions.setdefault("forum_crm.fragments", Fragments())
    html = store.get(key)
    if html is None:
        html = Markup(caller())
        store.put(key, html)
    return html


def filter_form_key(fields, endpoint: str) -> tuple:
    """Everything the filter form of _list.html renders from: the endpoint (and where the app is mounted), the
    language, and each field's form, kind, name, value, errors, attributes and choices (as they read in this
    language: an area of work renamed or added changes them)."""
    return (endpoint, request.script_root, str(get_locale()), tuple(
        (type(field.meta), type(field), field.name, field.id, repr(field.data), repr(field.raw_data),
         tuple(map(str, field.errors)), tuple(sorted((name, str(value)) for name, value in field.render_kw.items()))
         if field.render_kw else (), repr(getattr(field, "choices", None)))
        for field in fields))
