"""Forms of imports: the upload, the choice of fields for unknown columns, and the rows themselves.

A row of a file is checked by a form made of the very fields of the form that edits such a record
(OrganisationForm.name, PersonForm.email...), so an import accepts exactly what typing accepts.
"""

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.imports.emails import by_domain
from forum_crm.imports.parsing import IGNORE, column_letter
from forum_crm.imports.plan import WHOLE_NAMES
from forum_crm.localities.forms import TownFields
from forum_crm.organisations.forms import OrganisationForm
from forum_crm.people.forms import AffiliationForm, PersonForm
from forum_crm.validators import single_line, strip


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], _l("Choose a CSV or XLSX file (in Excel: Save as, then CSV or Excel Workbook).")),
    ])


NAME_ORDERS = [("full_name", _l("First name, then last name (Anna Nowak-Kowalska)")),
               ("reversed_name", _l("Last name, then first name (Nowak-Kowalska Anna)"))]
TOWN_PREFIX = "town-"  # the selects of the places picked for town names several places share


class ColumnsForm(FlaskForm):
    """What the columns the headers did not name hold (one select each), the order of whole names, sent with
    "check" or "run"; the places picked for ambiguous towns come as TOWN_PREFIX fields (see town_picks)."""

    COLUMN_PREFIX = "column_"

    def unknown_fields(self) -> dict[int, SelectField]:
        """Column index -> its select."""
        return {int(field.name.removeprefix(self.COLUMN_PREFIX)): field
                for field in self if field.name.startswith(self.COLUMN_PREFIX)}

    def chosen(self) -> dict[int, str]:
        """Column index -> the field chosen for it (IGNORE: not imported)."""
        return {index: field.data or IGNORE for index, field in self.unknown_fields().items()}

    def in_name_order(self, fields: Sequence[str | None]) -> list[str | None]:
        """The fields with a column of whole names read in the order chosen (if the form asks for one)."""
        order = getattr(self, "name_order", None)
        if order is None or order.data not in WHOLE_NAMES:
            return list(fields)
        return [order.data if name in WHOLE_NAMES else name for name in fields]


def columns_form(unknown: Sequence[tuple[int, str]], fields: Sequence[tuple[str, str]],
                 name_order: str | None = None) -> ColumnsForm:
    """A ColumnsForm with a select for each unknown (index, header): one of `fields`, or not imported; and one for
    the order of whole names, `name_order` (a field of WHOLE_NAMES) first, if the file has a column of them."""
    choices = [(IGNORE, _l("Do not import")), *fields]
    selects = {f"{ColumnsForm.COLUMN_PREFIX}{index}": SelectField(
        f"{column_letter(index)}: {header}" if header else column_letter(index), choices=choices, default=IGNORE)
        for index, header in unknown}
    if name_order:
        selects["name_order"] = SelectField(_l("Names in one column are written"), choices=NAME_ORDERS,
                                            default=name_order)
    return type("FileColumnsForm", (ColumnsForm,), selects)()


def town_picks(formdata: Mapping[str, str]) -> dict[str, str]:
    """The places picked in the preview, by the town name (and voivodeship) they are for."""
    return {key.removeprefix(TOWN_PREFIX): value for key, value in formdata.items() if key.startswith(TOWN_PREFIX)}


class RowForm(FlaskForm):
    """One row of a file; never sent by a browser, so no CSRF token. Its e-mail fields check each domain once
    (imports.emails) for as long as the form lives: RowChecker uses one for a whole file."""

    class Meta:
        csrf = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_domains: dict[str, bool] = {}


class OrganisationRowForm(RowForm):
    name = OrganisationForm.name
    short_name = OrganisationForm.short_name
    krs = OrganisationForm.krs
    nip = OrganisationForm.nip
    website = OrganisationForm.website
    email = by_domain(OrganisationForm.email)
    phone = OrganisationForm.phone
    description = OrganisationForm.description
    areas = OrganisationForm.areas
    town = TownFields.town


class PersonRowForm(RowForm):
    first_name = PersonForm.first_name
    last_name = PersonForm.last_name
    email = by_domain(PersonForm.email)
    phone = PersonForm.phone
    expertise = PersonForm.expertise
    consent_source = PersonForm.consent_note  # the note of the consents the row gives
    notes = PersonForm.notes
    town = TownFields.town
    organisation = StringField(_l("Organisation"), filters=[strip],
                               validators=[Optional(), Length(max=300), single_line])
    role_title = AffiliationForm.role_title


class AttendanceRowForm(RowForm):
    """Names are optional here: an e-mail alone finds the person."""

    first_name = StringField(_l("First name"), filters=[strip], validators=[Optional(), Length(max=100), single_line])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[Optional(), Length(max=100), single_line])
    full_name = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=201), single_line])
    email = by_domain(PersonForm.email)
