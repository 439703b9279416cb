"""Each table of the reports as an Export (CSV or XLSX), from the same queries as the pages."""

from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask_babel import gettext

from forum_crm.extensions import db
from forum_crm.labels import label
from forum_crm.models import Edition
from forum_crm.reports.edition_report import edition_attendance, edition_reach
from forum_crm.reports.queries import (
    Period,
    attendance_trend,
    editions_in,
    last_two_editions,
    organisations_editions,
    organisations_to_reengage,
    partners_by_edition,
    people_editions,
    retention,
)
from forum_crm.spreadsheets.export import Export


def _trend(period: Period) -> Export:
    rows = [[str(row.edition), row.edition.start_date, row.invited, row.attended] for row in attendance_trend(period)]
    return Export("attendance-trend", [gettext("Edition"), gettext("Start date"), gettext("Invited"),
                                       gettext("Attended")], rows)


def _retention(period: Period) -> Export:
    editions = editions_in(period)
    rows = [[str(edition), count] for edition, count in retention(editions[0], editions[1:])] if editions else []
    title = gettext("Of the people who attended %(edition)s", edition=editions[0]) if editions else ""
    return Export("retention", [gettext("Edition"), title], rows)


def _streamed(select: sa.Select) -> Iterator[sa.Row]:
    """Rows read 1,000 at a time while the download is sent (the query runs when sending starts)."""
    yield from db.session.execute(select.execution_options(yield_per=1_000))


def _reengage(period: Period) -> Export:
    last_two = last_two_editions(period)

    def rows() -> Iterator[list]:
        if len(last_two) == 2:
            for (organisation,) in _streamed(organisations_to_reengage(last_two, period.include_demo)):
                yield [organisation.name, organisation.locality.name if organisation.locality else None,
                       organisation.email]

    return Export("organisations-to-reengage", [gettext("Organisation"), gettext("Town"), gettext("E-mail")], rows())


def _organisations(period: Period) -> Export:
    rows = ([organisation.name, organisation.locality.name if organisation.locality else None, editions]
            for organisation, editions in _streamed(organisations_editions(period)))
    return Export("organisations-editions", [gettext("Organisation"), gettext("Town"), gettext("Editions")], rows)


def _people(period: Period) -> Export:
    anonymised = gettext("anonymised person")
    rows = ([anonymised if person.anonymised_at else f"{person.last_name} {person.first_name}", editions]
            for person, editions in _streamed(people_editions(period)))
    return Export("people-editions", [gettext("Person"), gettext("Editions")], rows,
                  personal_records=people_editions(period))


PERIOD_TABLES: dict[str, Callable[[Period], Export]] = {
    "trend": _trend, "retention": _retention, "reengage": _reengage, "organisations": _organisations,
    "people": _people,
}


def edition_table(edition: Edition, table: str) -> Export | None:
    """One table of an edition's report, or None if there is no such table."""
    name = f"edition-{edition.number}-{table}"
    if table == "attendance":
        attendance = edition_attendance(edition)
        rows = [[label(status), count] for status, count in attendance.by_status.items()]
        rows += [[day, count] for day, count in attendance.per_day]
        rows.append([gettext("All days"), attendance.all_days])
        return Export(name, [gettext("Status or day"), gettext("People")], rows)
    if table in ("sectors", "speakers"):
        reach = edition_reach(edition)
        rows = [[label(sector), count] for sector, count in
                (reach.sectors if table == "sectors" else reach.speakers_by_sector)]
        return Export(name, [gettext("Sector"), gettext("Organisations") if table == "sectors"
                             else gettext("Panel guests")], rows)
    if table == "partners":
        partners = partners_by_edition([edition]).get(edition.id, [])
        rows = [[partner.name, label(partner.role) or None] for partner in partners]
        return Export(name, [gettext("Organisation"), gettext("Role")], rows)
    return None
