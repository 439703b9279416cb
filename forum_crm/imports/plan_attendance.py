"""Checking a sign-in sheet of an edition: who attended which days; people are found, never created."""

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import gettext as _

from forum_crm.imports.cells import RowChecker, read_flag
from forum_crm.imports.collector import without_cycle_collection
from forum_crm.imports.forms import AttendanceRowForm
from forum_crm.imports.matching import settle, some_of
from forum_crm.imports.parsing import Row, Table
from forum_crm.imports.plan import (
    ATTENDANCE,
    CREATE,
    DAY,
    SKIP,
    UNKNOWN,
    Columns,
    Plan,
    Planned,
    Problem,
    Progress,
    advance,
)
from forum_crm.imports.queries import PersonIndex, edition_participations, name_key, represented_organisations
from forum_crm.models import Edition, Participation, ParticipationStatus
from forum_crm.text import fold


def _attendance_parser(name: str) -> Callable[[str], Any] | None:
    return read_flag if name.startswith(DAY) else None


@without_cycle_collection
def plan_attendance(table: Table, fields: Sequence[str | None], edition: Edition, progress: Progress = None) -> Plan:
    """What importing a sign-in sheet of `edition` would do: who attended which days.

    People are found by e-mail, or by first and last name (in either order) if only one person has
    it; people who are not found are listed, not created.
    """
    columns = Columns(table, fields)
    plan = Plan(ATTENDANCE.name, problems=columns.problems)
    days = columns.days()
    if not days:
        plan.problems.append(Problem(1, "", _("The file needs a column for each day of the edition, named "
                                              "Dzień 1, Day 1 or by its date.")))
    names_given = "full_name" in columns.index or {"first_name", "last_name"} <= set(columns.index)
    if "email" not in columns.index and not names_given:
        plan.problems.append(Problem(1, "", _("The file needs a column with the people's e-mails or names.")))
    if plan.problems:
        return plan
    checker = RowChecker(columns, AttendanceRowForm, _attendance_parser)
    checked: list[tuple[Row, dict]] = []
    for row in table.rows:
        values, problems = checker.check(row)
        values["name"] = fold(values.get("full_name") or name_key(values.get("first_name"), values.get("last_name")))
        if not values.get("email") and not values["name"]:
            problems.append(Problem(row.number, "", _("Give the person's e-mail or name.")))
        values["days"] = {day for name, day in days.items() if values.get(name)}
        plan.problems.extend(problems)
        if not problems:
            checked.append((row, values))
        advance(progress)
    people = PersonIndex({values["email"] for _row, values in checked if values.get("email")},
                         {values["name"] for _row, values in checked if values["name"]}, either_order=True)
    by_person: dict[int, Planned] = {}
    for row, values in checked:
        plan.rows.append(_plan_attendee(row, values, people, by_person))
    plan.records = _attendance_fills(edition, by_person)
    return plan


def _plan_attendee(row: Row, values: dict, people: PersonIndex, by_person: dict[int, Planned]) -> Planned:
    shown = values.get("full_name") or " ".join(filter(None, (values.get("first_name"), values.get("last_name"))))
    label = " ".join(filter(None, (shown, values.get("email") and f"<{values['email']}>")))
    if not values["days"]:
        return Planned(row.number, SKIP, label, values, notes=[_("No day is marked.")])
    match = people.by_email.get(values.get("email") or "")
    if match is None and values["name"]:
        namesakes = people.named(values["name"])
        if len(namesakes) > 1:
            return Planned(row.number, UNKNOWN, label, values, notes=[_(
                "Several people are called this: %(people)s. Add an E-mail column.",
                people=some_of(namesakes))])
        match = namesakes[0] if namesakes else None
    if match is None:
        return Planned(row.number, UNKNOWN, label, values, notes=[_("Not in the database: add the person, "
                                                                    "then import the list again.")])
    if match.id in by_person:
        first = by_person[match.id]
        first.values["days"] |= values["days"]
        return Planned(row.number, SKIP, match.label, values, match.id, notes=[_(
            "The same person as row %(row)s: the days are added there.", row=first.row)])
    planned = by_person[match.id] = Planned(row.number, CREATE, match.label, values, match.id)
    return planned


def _attendance_fills(edition: Edition, by_person: dict[int, Planned]) -> dict[int, Participation]:
    """Each attendee's participation: created, or given the missing days, the status and the organisation.

    Returns the participations there are already, by person id.
    """
    participations = edition_participations(edition.id)
    organisations = represented_organisations(by_person)
    for person_id, planned in by_person.items():
        participation = participations.get(person_id)
        organisation_id = organisations.get(person_id)
        if participation is None:
            planned.fills = {"days": sorted(planned.values["days"]), "organisation_id": organisation_id}
            continue
        attended = {day.day for day in participation.days_attended}
        if new_days := sorted(planned.values["days"] - attended):
            planned.fills["days"] = new_days
        if participation.status != ParticipationStatus.ATTENDED:
            planned.fills["status"] = ParticipationStatus.ATTENDED
        if participation.organisation_id is None and organisation_id:
            planned.fills["organisation_id"] = organisation_id
        settle(planned)
    return participations
