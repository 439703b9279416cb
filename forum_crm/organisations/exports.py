"""Exports: organisations, people, an edition's participants and the change log, as CSV or XLSX.

CSV is UTF-8 with a byte order mark and ';' between cells: Polish Excel, which expects ';' (the
decimal separator is ','), opens it with Polish letters right; other programs read it too, and
our imports take it back. It is streamed: the rows are read from the database 1,000 at a time and
sent as they are written. XLSX is written by openpyxl's write-only workbook into a temporary file
(memory stays the same however many rows), then sent. In both formats a text cell that starts like
a formula (=, +, -, @, tab or carriage return) gets a leading quote, so no spreadsheet runs it.
The headers are those the imports read (see imports.columns), in the reader's language.
"""

from collections.abc import Iterator

from sqlalchemy.orm import selectinload

from forum_crm.forms import LANGUAGE_CODES
from forum_crm.labels import label, language_name
from forum_crm.models import Organisation, Sector
from forum_crm.organisations.queries import OrganisationFilters, organisation_list
from forum_crm.spreadsheets.columns import ORGANISATION_COLUMNS
from forum_crm.spreadsheets.export import Cell, Export, headers, stream_rows, text_or_none, yes_no_words


def organisations_export(filters: OrganisationFilters) -> Export:
    """The organisations of the list page with these filters, in its order."""
    query = organisation_list(filters).options(selectinload(Organisation.areas), selectinload(Organisation.languages))

    def rows() -> Iterator[list[Cell]]:
        flag, sectors = yes_no_words(), {sector: label(sector) for sector in Sector}
        languages = {code: language_name(code) for code in LANGUAGE_CODES}
        for organisation, people in stream_rows(query):
            locality = organisation.locality
            yield [organisation.name, organisation.short_name, sectors[organisation.sector],
                   locality.name if locality else None, text_or_none(locality.voivodeship) if locality else None,
                   organisation.krs, organisation.nip, organisation.website, organisation.email, organisation.phone,
                   organisation.description, ", ".join(area.name for area in organisation.areas),
                   ", ".join(languages.get(language.code, language.code) for language in organisation.languages),
                   organisation.forum_member_since, flag(organisation.consortium_member), people,
                   flag(organisation.archived_at is not None)]

    return Export("organisations", headers(ORGANISATION_COLUMNS), rows())


