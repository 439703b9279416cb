"""The people a file may mean are looked up by its e-mails and names alone, in batches through the indexes
(forum_crm.imports.queries.PersonIndex): they are the people a pass over every person found, and a person
constructed with their name and e-mail gets the keys the ORM's field-by-field hooks give."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.imports import queries
from forum_crm.imports.queries import NAMESAKES_KEPT, PersonIndex, PersonKeys, name_key, name_splits
from forum_crm.models import Person
from forum_crm.text import fold
from forum_crm.validators import _control_characters
from tests import factories
from tests.test_imports import csv_bytes, run

PEOPLE = [  # (first name, last name, e-mail): diacritics, case, names of several words, names either way round
    ("Łucja", "Źdźbło", "lucja@example.org"), ("ŁUCJA", "ŹDŹBŁO", None), ("Lucja", "Zdzblo", None),
    ("Anna Maria", "Nowak", "am@example.org"), ("Anna", "Maria Nowak", None), ("Anna", "Maria  NOWAK", None),
    ("Nowak", "Anna", None), ("Anna", "Nowak", "anna1@example.org"), ("Anna", "Nowak", "anna2@example.org"),
    ("anna", "nowak", None), ("Anna", "Nowak", "anna3@example.org"), ("Anna", "Nowak", None),
    ("Anna", "Nowak", "anna4@example.org"), ("Олена", "Шевченко", "olena@example.org"), ("Jan", "Kowalski", ""),
]


def scanned(emails: set[str], names: set[str], either_order: bool) -> tuple[dict, dict]:
    """What the lookup found before it was batched: every person read, in id order, kept if their e-mail or
    full name (either way round) is the file's."""
    by_email, by_name = {}, {}
    for id_, first_name, last_name, email in db.session.execute(
            sa.select(Person.id, Person.first_name, Person.last_name, Person.email).order_by(Person.id)):
        keys = PersonKeys(id_, first_name, last_name, email)
        if email and email in emails:
            by_email[email] = keys
        full = {name_key(first_name, last_name)} | ({name_key(last_name, first_name)} if either_order else set())
        for name in full & names:
            by_name.setdefault(name, []).append(keys)
    return by_email, by_name


@pytest.mark.parametrize("either_order", [False, True])
@pytest.mark.parametrize("by_legs", [False, True])  # both shapes of the first namesakes' query, on either database
def test_batched_lookups_find_the_people_a_pass_over_everyone_found(ctx, monkeypatch, either_order, by_legs):
    monkeypatch.setattr(queries, "LOOKUP_BATCH", 2)  # several batches of every kind
    built = queries._namesake_queries
    monkeypatch.setattr(queries, "_namesake_queries", lambda size, _by_legs: built(size, by_legs))
    for first_name, last_name, email in PEOPLE:
        factories.person(first_name, last_name, email=email)
    db.session.flush()
    emails = {"lucja@example.org", "anna2@example.org", "olena@example.org", "nobody@example.org"}
    names = {name_key(first, last) for first, last in [("łucja", "źdźbło"), ("Anna", "Maria Nowak"), ("ANNA", "nowak"),
                                                        ("Олена", "шевченко"), ("Jan", "Kowalski"), ("Ewa", "Nikt")]}
    index = PersonIndex(emails, names, either_order=either_order)
    by_email, by_name = scanned(emails, names, either_order)
    assert index.by_email == by_email and set(by_email) == emails - {"nobody@example.org"}
    assert set(index.by_name) == set(by_name)
    for name, everyone in by_name.items():
        assert index.named(name) == everyone[:NAMESAKES_KEPT]
        assert index.named(name, without_email=True) == [person for person in everyone if not person.email][:2]
    assert len(by_name["anna nowak"]) > NAMESAKES_KEPT
    assert {person.last_name for person in by_name["lucja zdzblo"]} == {"Źdźbło", "ŹDŹBŁO", "Zdzblo"}
    assert ({"Anna", "Nowak"} in [{person.first_name, person.last_name} for person in by_name["anna nowak"][:1]])


def test_a_name_is_split_every_way_its_words_allow():
    assert name_splits("anna maria nowak") == {("", "anna maria nowak"), ("anna", "maria nowak"),
                                               ("anna maria", "nowak"), ("anna maria nowak", "")}
    assert ("nowak", "anna") in name_splits("anna nowak", either_order=True)
    assert name_splits("") == {("", "")}


def test_a_common_name_names_three_people_and_the_one_without_e_mail_is_matched(ctx):
    for number in range(6):
        factories.person("Anna", "Nowak", email=f"anna{number}@example.org")
    factories.committed(factories.person("Anna", "Nowak"))
    with force_locale("en"):
        plan = run("people", csv_bytes([["Imię", "Nazwisko", "E-mail"], ["anna", "NOWAK", "nowa@example.org"],
                                        ["Anna", "Nowak", ""]]))
    assert plan.rows[0].action == "update" and plan.rows[0].fills == {"email": "nowa@example.org"}
    assert "Several people in the database are called Anna Nowak" in plan.problems[0].message


def test_a_new_person_s_namesakes_are_noted_three_and_an_ellipsis(ctx):
    for number in range(5):
        factories.person("Jan", "Kowalski", email=f"jan{number}@example.org")
    db.session.commit()
    plan = run("people", csv_bytes([["Imię", "Nazwisko", "E-mail"], ["Jan", "Kowalski", "nowy@example.org"]]))

    note = plan.rows[0].notes[0]
    assert plan.rows[0].action == "create" and note.count("<jan") == 3 and note.endswith("; ….")


@pytest.mark.parametrize(("first_name", "last_name", "email"), [
    ("Żaneta", "Ślęzak-Wiśniewska", " Zaneta.Slezak@Example.ORG "), ("Олена", "Шевченко", None),
    ("Anna  Maria", "von   Nowak", "a@b.pl"), ("", "Nowak", None), ("ß", "Æsir", ""),
])
def test_a_person_constructed_at_once_gets_the_keys_of_fields_set_one_by_one(ctx, first_name, last_name, email):
    at_once = Person(first_name=first_name, last_name=last_name, email=email)
    one_by_one = Person()
    one_by_one.email = email
    one_by_one.last_name = last_name
    one_by_one.first_name = first_name
    columns = ("email", "search_text", "name_sort", "first_key", "last_key")
    assert {name: getattr(at_once, name) for name in columns} == {name: getattr(one_by_one, name) for name in columns}
    assert at_once.search_text == fold(f"{first_name} {last_name} {at_once.email or ''}")
    assert (at_once.first_key, at_once.last_key) == (fold(first_name), fold(last_name))


def test_printable_text_has_no_control_characters():
    assert not _control_characters("Zażółć gęślą jaźń – Олена", set())
    assert _control_characters("abc\u202edef", set()) and _control_characters("a\tb", set())
    assert not _control_characters("a\tb", {"\t"}) and not _control_characters("👩\u200d💻", set())
