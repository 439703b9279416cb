"""Hostile input never gets a 500: every URL of the app and every form on its pages, as every kind of visitor.

The URLs' arguments, the query strings and the fields of every form (found on the pages themselves, posted
with the real CSRF token) get huge and negative numbers, non-ASCII digits, NUL, 10,000-character strings,
and go missing or repeated. Hypothesis checks the id converter and the digit parser on any text.
"""

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound

from forum_crm.models import Role
from forum_crm.validators import MAX_ID, ascii_int
from tests import factories, test_access
from tests.conftest import csrf_token
from tests.test_access import ANONYMOUS, COORDINATOR, EDITOR_A, MEMBER

ids, visitors = test_access.ids, test_access.visitors  # fixtures: the access matrix's records and visitors
ROLES = (ANONYMOUS, MEMBER, EDITOR_A, COORDINATOR)
HUGE = "99999999999999999999"
HOSTILE = (HUGE, "-" + HUGE, str(MAX_ID + 1), "-1", "0", "²", "١٢", "1\x00", "NaN", "x" * 10_000, "9" * 5000)
IN_EACH_FIELD = (HUGE, "²", "1\x00", "x" * 10_000)  # with the other fields as the page has them
IN_QUERIES = (HUGE, "²", "-1", "x" * 10_000)
HOSTILE_IN_URLS = (HUGE, str(MAX_ID + 1), "0", "-1", "²", "١", "9" * 5000, "1.5")
# Query parameters read outside of a form (the invitation's defaults, pages, the check-in day, a report's cohort).
LOOSE_PARAMETERS = ("account", "person", "organisation", "page", "per_page", "day", "cohort", "type", "next", "q")
ARGUMENT = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")


@pytest.fixture(autouse=True)
def _server_errors_as_responses(app, monkeypatch):
    """A 500 is collected with its URL (and logged with its traceback) rather than raised: all are listed at once."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def fails(response, role: str) -> str | None:
    """What failed, if the response is a server error (5xx)."""
    request = response.request
    return f"{response.status_code} {request.method} {request.url} as {role}" if response.status_code >= 500 else None


def get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda r: r.rule)


def url_with(rule, ids, **values) -> str:
    """The rule's URL with the ids of real records for its arguments, except those given."""
    real = {"filename": "css/app.css"}
    for prefix, prefix_values in ids.items():
        if rule.rule.startswith(prefix):
            real.update(prefix_values)
    real.update(values)
    return ARGUMENT.sub(lambda argument: str(real[argument.group(1)]), rule.rule)


def test_hostile_url_arguments(app, visitors, ids):
    failures = []
    for role in ROLES:
        client = visitors[role]
        token = csrf_token(client, "/login")
        for rule in get_rules(app):
            if rule.endpoint == "auth.logout":
                continue
            for name in rule.arguments:
                for value in HOSTILE_IN_URLS:
                    url = url_with(rule, ids, **{name: value})
                    if "GET" in rule.methods:
                        response = client.get(url, buffered=True)
                    else:
                        response = client.post(url, data={"csrf_token": token}, buffered=True)
                    failures.append(fails(response, role))
    assert not sorted({f for f in failures if f}), sorted({f for f in failures if f})


@pytest.fixture
def coordinator(app, client, login):
    """A test client logged in as the coordinator."""
    with app.app_context():
        login(factories.committed(factories.user(Role.COORDINATOR)))
    return client


def test_a_huge_id_is_not_found(coordinator):
    client = coordinator
    for url in (f"/people/{HUGE}", f"/directory/people/{HUGE}", f"/editions/{HUGE}", "/people/²", "/people/١",
                f"/people/{MAX_ID + 1}", "/people/0"):
        assert client.get(url).status_code == 404, url


def _forms(html: str, base: str):
    """(method, action, {field: [default values]}) of every form in the page; the CSRF token kept as is."""
    found = []
    for form in lxml.html.fromstring(html).forms:
        fields: dict[str, list[str]] = {}
        for element in form.inputs:
            name = element.get("name")
            if not name:
                continue
            fields.setdefault(name, [])
            kind = (element.get("type") or "").lower()
            if element.tag == "input" and kind in ("checkbox", "radio"):
                if element.checked:
                    fields[name].append(element.get("value", "on"))
            elif element.tag == "select":
                value = element.value
                fields[name] += list(value) if element.multiple else [value or ""]
            elif kind not in ("submit", "button", "file"):
                fields[name].append(element.value or "")
        found.append(((form.method or "GET").upper(), urljoin(base, form.get("action") or base), fields))
    return found


def _variants(fields: dict[str, list[str]]):
    """Each field in turn hostile, missing or repeated; the others keep the page's values. And all at once."""
    names = [name for name in fields if name != "csrf_token"]
    for name in names:
        for value in IN_EACH_FIELD:
            yield {**fields, name: [value]}
        yield {key: value for key, value in fields.items() if key != name}
        yield {**fields, name: ["-1", "²"]}
    for value in HOSTILE:
        yield {**fields, **{name: [value] for name in names}}


def _send(client, method: str, action: str, data: dict[str, list[str]]):
    if method == "GET":
        return client.get(action, query_string=data, buffered=True)
    return client.post(action, data=data, buffered=True)


def test_hostile_forms_and_query_strings(app, visitors, ids):
    """Each page each visitor may open, with hostile query strings; each form on it (once: the first visitor
    to see a form fuzzes it) with hostile fields."""
    failures, seen = [], set()
    for role in (COORDINATOR, EDITOR_A, MEMBER, ANONYMOUS):
        client = visitors[role]
        for rule in get_rules(app):
            if "GET" not in rule.methods or rule.endpoint == "auth.logout":
                continue
            url = url_with(rule, ids)
            page = client.get(url, buffered=True)
            failures.append(fails(page, role))
            if page.status_code != 200:
                continue  # refused or redirected before the view reads anything
            for value in IN_QUERIES:
                failures.append(fails(client.get(url, query_string={name: value for name in LOOSE_PARAMETERS},
                                                 buffered=True), role))
            if page.mimetype != "text/html":
                continue
            for method, action, fields in _forms(page.text, url):
                key = (method, urlsplit(action).path, tuple(fields))
                if "/logout" in action or key in seen:
                    continue
                seen.add(key)
                failures.extend(fails(_send(client, method, action, data), role) for data in _variants(fields))
    assert not sorted({f for f in failures if f}), sorted({f for f in failures if f})


def form_fields(client, url: str) -> dict[str, list[str]]:
    """The fields of the page's form that posts to the page itself, as the page fills them in."""
    [fields] = [fields for method, action, fields in _forms(client.get(url).text, url)
                if method == "POST" and urlsplit(action).path == url]
    return fields


def test_an_edit_from_a_huge_or_non_ascii_version_is_a_conflict(coordinator, ids):
    client = coordinator
    for url in (f"/people/{ids['/people/']['id']}/edit", f"/editions/{ids['/editions/']['id']}/edit"):
        fields = form_fields(client, url)
        for version in (HUGE, "²", "١", str(MAX_ID + 1), "-1"):
            assert client.post(url, data={**fields, "version": [version]}).status_code == 409, (url, version)


def test_an_edition_number_of_twenty_digits_is_refused(coordinator):
    client = coordinator
    fields = form_fields(client, "/editions/new")
    for number in (HUGE, "2147483648", "²", "0", "-1"):
        response = client.post("/editions/new", data={**fields, "number": [number], "start_date": ["2030-05-01"],
                                                      "end_date": ["2030-05-02"]})
        assert response.status_code == 422, number


def test_invitation_defaults_from_hostile_ids_are_ignored(coordinator):
    client = coordinator
    for name in ("account", "person", "organisation"):
        for value in (HUGE, "²", "¹", "١", "0", "-1"):
            assert client.get("/accounts/invite", query_string={name: value}).status_code == 200, (name, value)


def test_an_organisation_edit_without_its_areas_keeps_them(coordinator, ids):
    client = coordinator
    url = f"/organisations/{ids['/organisations/']['id']}/edit"
    fields = form_fields(client, url)
    assert fields.pop("areas") == [""]
    assert client.post(url, data=fields).status_code == 302


def is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= MAX_ID


@given(st.one_of(st.text(), st.integers(min_value=-2**70, max_value=2**70).map(str)))
def test_ascii_int_reads_only_ascii_digits_in_range(text):
    assert ascii_int(text) == (int(text) if is_id(text) else None)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the table cleaner: nothing to clean here
@given(st.one_of(st.text(alphabet=st.characters(blacklist_characters="/?#%"), min_size=1),
                 st.integers(min_value=-2**70, max_value=2**70).map(str)))
def test_id_converter_matches_only_ids_in_range(app, text):
    try:
        endpoint, arguments = app.url_map.bind("localhost").match(f"/people/{text}")
    except NotFound:
        endpoint, arguments = None, {}
    if endpoint == "people.person_detail" or is_id(text):
        assert (endpoint, arguments) == ("people.person_detail", {"id": int(text)})
