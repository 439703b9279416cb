"""Checking a file of organisations: each row creates an organisation, fills the empty fields of the one it
matches (by name, KRS or NIP), or is skipped as a repeat."""

from collections.abc import Sequence

from flask_babel import gettext as _

from forum_crm.imports.cells import (
    RowChecker,
    languages_reader,
    read_date,
    read_flag,
    read_voivodeship,
    sector_reader,
    split_areas,
)
from forum_crm.imports.collector import without_cycle_collection
from forum_crm.imports.forms import OrganisationRowForm
from forum_crm.imports.matching import FileKeys, compare_matched, fill, fill_town, kept, repeat_or_problem, settle
from forum_crm.imports.parsing import Row, Table
from forum_crm.imports.plan import (
    CREATE,
    ORGANISATIONS,
    UPDATE,
    Columns,
    Plan,
    Planned,
    Problem,
    Progress,
    advance,
    field_label,
)
from forum_crm.imports.queries import OrganisationIndex, organisations_by_id
from forum_crm.imports.towns import Towns
from forum_crm.models import Organisation
from forum_crm.text import fold

ORGANISATION_FILLED = ("short_name", "krs", "nip", "website", "email", "phone", "description", "forum_member_since",
                       "consortium_member")


@without_cycle_collection
def plan_organisations(table: Table, fields: Sequence[str | None], progress: Progress = None,
                       town_picks: dict[str, str] | None = None) -> Plan:
    """What importing organisations from `table` (its columns holding `fields`) would do."""
    columns = Columns(table, fields)
    columns.require("name")
    plan = Plan(ORGANISATIONS.name, problems=columns.problems)
    if plan.problems:
        return plan
    parsers = {"sector": sector_reader(), "languages": languages_reader(), "voivodeship": read_voivodeship,
               "forum_member_since": read_date, "consortium_member": read_flag}
    checker = RowChecker(columns, OrganisationRowForm, parsers.get)
    towns, index, seen = Towns(town_picks), OrganisationIndex(), FileKeys()
    for row in table.rows:
        values, problems = checker.check(row)
        towns.resolve(values, row, columns, problems)
        values["areas"] = split_areas(values.get("areas"))
        if not problems:
            planned = _plan_organisation(row, values, index, seen, columns, problems)
            if planned is not None and not problems:
                plan.rows.append(planned)
        plan.problems.extend(problems)
        advance(progress)
    plan.towns_to_pick = list(towns.to_pick.values())
    compare_matched(plan, organisations_by_id, _organisation_fills)
    return plan


def _plan_organisation(row: Row, values: dict, index: OrganisationIndex, seen: FileKeys, columns: Columns,
                       problems: list[Problem]) -> Planned | None:
    label = values["name"]
    keys = [("name", fold(values["name"])), ("krs", values.get("krs")), ("nip", values.get("nip"))]
    if earlier := seen.earlier(keys):
        return repeat_or_problem(row, values, label, earlier, columns, problems)
    matches = {match.id: match for match in (index.by_name.get(fold(values["name"])),
                                            index.by_krs.get(values.get("krs") or ""),
                                            index.by_nip.get(values.get("nip") or "")) if match}
    if len(matches) > 1:
        problems.append(Problem(row.number, "", _(
            "The name, KRS and NIP of this row belong to different organisations: %(names)s.",
            names="; ".join(sorted(match.name for match in matches.values())))))
        return None
    record_id = next(iter(matches), None)
    if record_id is not None and fold(values["name"]) not in (matches[record_id].name_key,
                                                              fold(matches[record_id].short_name or "")):
        number = "krs" if index.by_krs.get(values.get("krs") or "") else "nip"
        problems.append(Problem(row.number, columns.name(number), _(
            "This %(field)s is the number of %(other)s, not of %(name)s: correct the name or the number.",
            field=field_label(number), other=matches[record_id].name, name=values["name"])))
        return None
    if record_id is not None and record_id in seen.records:
        problems.append(Problem(row.number, "", _(
            "Row %(row)s is about the same organisation (%(name)s): keep one of the two rows.",
            row=seen.records[record_id].row, name=matches[record_id].name)))
        return None
    planned = Planned(row.number, UPDATE if record_id else CREATE, label, values, record_id)
    seen.add(planned, keys)
    return planned


def _organisation_fills(planned: Planned, organisation: Organisation) -> None:
    values = planned.values
    if values["name"] != organisation.name:
        kept(planned, "name", organisation.name, values["name"])
    if values.get("sector") and values["sector"] != organisation.sector:
        kept(planned, "sector", organisation.sector, values["sector"])
    for name in ORGANISATION_FILLED:
        fill(planned, name, getattr(organisation, name), values.get(name))
    fill_town(planned, organisation.locality, values.get("town"))
    present = {area.name.casefold() for area in organisation.areas}
    if areas := [area for area in values["areas"] if area.casefold() not in present]:
        planned.fills["areas"] = areas
    present_languages = {language.code for language in organisation.languages}
    if languages := [code for code in values.get("languages", []) if code not in present_languages]:
        planned.fills["languages"] = languages
    settle(planned)
