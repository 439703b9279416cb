"""Checking a file of people: each row creates a person, fills the empty fields of the one it matches (by
e-mail, or by name when that is unambiguous), or is skipped as a repeat; people are linked to their organisation."""

from collections.abc import Sequence

from flask_babel import gettext as _

from forum_crm.imports.cells import RowChecker, read_date, read_flag, read_voivodeship
from forum_crm.imports.collector import without_cycle_collection
from forum_crm.imports.forms import PersonRowForm
from forum_crm.imports.matching import (
    FileKeys,
    compare_matched,
    fill,
    fill_town,
    kept,
    repeat_or_problem,
    settle,
    some_of,
)
from forum_crm.imports.parsing import Row, Table
from forum_crm.imports.plan import (
    CREATE,
    PEOPLE,
    UPDATE,
    WHOLE_NAMES,
    Columns,
    Plan,
    Planned,
    Problem,
    Progress,
    advance,
)
from forum_crm.imports.queries import OrganisationIndex, PersonIndex, name_key, people_by_id
from forum_crm.imports.towns import Towns
from forum_crm.models import Person

PERSON_FILLED = ("email", "phone", "expertise", "notes", "forum_member", "leader")
PERSON_PARSERS = {"voivodeship": read_voivodeship, "forum_member": read_flag, "leader": read_flag,
                  "directory_consent": read_flag, "map_consent": read_flag, "consent_given_on": read_date}


@without_cycle_collection
def plan_people(table: Table, fields: Sequence[str | None], progress: Progress = None,
                town_picks: dict[str, str] | None = None) -> Plan:
    """What importing people from `table` would do; each is linked to their organisation if it is known."""
    columns = Columns(table, fields)
    _name_columns(columns)
    plan = Plan(PEOPLE.name, problems=columns.problems)
    if plan.problems:
        return plan
    checker = RowChecker(columns, PersonRowForm, PERSON_PARSERS.get, split_names=True)
    towns = Towns(town_picks)
    checked: list[tuple[Row, dict]] = []
    for row in table.rows:
        values, problems = checker.check(row)
        towns.resolve(values, row, columns, problems)
        plan.problems.extend(problems)
        if not problems:
            checked.append((row, values))
        advance(progress)
    people = PersonIndex({values["email"] for _row, values in checked if values.get("email")},
                         {name_key(values["first_name"], values["last_name"]) for _row, values in checked})
    organisations, seen = OrganisationIndex(), FileKeys()
    # Translated once, filled per row as gettext would (Flask-Babel's gettext costs 20-40 µs a call).
    same_name = _("Someone with the same name is already in the database: %(people)s.")
    for row, values in checked:
        problems = []
        planned = _plan_person(row, values, people, organisations, seen, columns, problems, same_name)
        if planned is not None and checker.whole_name:
            planned.notes.insert(0, _("Split as first name %(first)s, last name %(last)s.",
                                      first=values["first_name"], last=values["last_name"]))
        plan.problems.extend(problems)
        if planned is not None and not problems:
            plan.rows.append(planned)
    plan.towns_to_pick = list(towns.to_pick.values())
    compare_matched(plan, people_by_id, _person_fills)
    return plan


def _name_columns(columns: Columns) -> None:
    """First and last name in their own columns, or one column of whole names; not both."""
    whole = [name for name in WHOLE_NAMES if name in columns.index]
    if not whole:
        columns.require("first_name", "last_name")
        return
    others = [name for name in ("first_name", "last_name", *WHOLE_NAMES) if name in columns.index and name != whole[0]]
    if others:
        columns.problems.append(Problem(1, columns.name(others[0]), _(
            "Columns %(first)s and %(second)s both hold names: import either one column with the whole names, or "
            "a column of first names and one of last names.",
            first=columns.name(whole[0]), second=columns.name(others[0]))))


def _organisation_of(row: Row, values: dict, organisations: OrganisationIndex, columns: Columns,
                     problems: list[Problem]) -> int | None:
    """The organisation named in the row, or else the only one at the domain of the person's e-mail."""
    if values.get("organisation"):
        named = organisations.named(values["organisation"])
        if len(named) == 1:
            return named[0].id
        message = (_("Several organisations have the short name %(name)s: write the full name.",
                     name=values["organisation"]) if named else
                   _("There is no organisation called %(name)s: import or add it first.", name=values["organisation"]))
        problems.append(Problem(row.number, columns.name("organisation"), message))
        return None
    at_domain = organisations.at_domain(values.get("email"))
    return at_domain[0].id if len(at_domain) == 1 else None


def _plan_person(row: Row, values: dict, people: PersonIndex, organisations: OrganisationIndex, seen: FileKeys,
                 columns: Columns, problems: list[Problem], same_name: str) -> Planned | None:
    email, name = values.get("email"), name_key(values["first_name"], values["last_name"])
    label = f"{values['first_name']} {values['last_name']}" + (f" <{email}>" if email else "")
    values["organisation_id"] = _organisation_of(row, values, organisations, columns, problems)
    keys = [("email", email)] if email else [("full_name", name)]
    if earlier := seen.earlier(keys):
        return repeat_or_problem(row, values, label, earlier, columns, problems)
    namesakes = people.named(name)
    notes = []
    match = people.by_email.get(email) if email else None
    if match is None:
        candidates = people.named(name, without_email=True) if email else namesakes
        if len(candidates) == 1:
            match = candidates[0]
        elif len(candidates) > 1 and not email:
            problems.append(Problem(row.number, columns.name("last_name"), _(
                "Several people in the database are called %(name)s: add an E-mail column with their addresses.",
                name=f"{values['first_name']} {values['last_name']}")))
            return None
        elif namesakes:
            notes.append(same_name % {"people": some_of(namesakes)})
    if match is not None and name_key(match.first_name, match.last_name) not in (
            name, name_key(values["last_name"], values["first_name"])):
        problems.append(Problem(row.number, columns.name("email"), _(
            "This e-mail is the address of %(person)s, not of %(name)s: correct the row, or the person's name in "
            "the directory first.", person=match.label, name=f"{values['first_name']} {values['last_name']}")))
        return None
    if match is not None and match.id in seen.records:
        problems.append(Problem(row.number, "", _(
            "Row %(row)s is about the same person (%(name)s): keep one of the two rows.",
            row=seen.records[match.id].row, name=match.label)))
        return None
    planned = Planned(row.number, UPDATE if match else CREATE, label, values, match.id if match else None,
                      notes=notes)
    seen.add(planned, keys)
    return planned


def _person_fills(planned: Planned, person: Person) -> None:
    values = planned.values
    if (values["first_name"], values["last_name"]) != (person.first_name, person.last_name):
        kept(planned, "full_name", person.full_name, f"{values['first_name']} {values['last_name']}")
    for name in PERSON_FILLED:
        fill(planned, name, getattr(person, name), values.get(name))
    fill_town(planned, person.locality, values.get("town"))
    for kind in ("directory", "map"):
        if values.get(f"{kind}_consent") and getattr(person, f"{kind}_consent_at") is None:
            planned.fills[f"{kind}_consent"] = True
    organisation_id = values.get("organisation_id")
    current = [affiliation for affiliation in person.affiliations if affiliation.is_current]
    if organisation_id and organisation_id not in {affiliation.organisation_id for affiliation in current}:
        planned.fills["affiliation"] = not any(affiliation.is_primary for affiliation in current)
    settle(planned)
