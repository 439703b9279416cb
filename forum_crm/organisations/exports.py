"""The organisations list (with its filters) as a CSV or XLSX download, in the columns the imports read."""

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
