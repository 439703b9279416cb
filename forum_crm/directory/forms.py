"""The search forms of the members' directory (GET, no CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from forum_crm.directory.queries import DirectorySearch
from forum_crm.forms import language_choices
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.validators import single_line, strip


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Polish letters are optional."))
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    area = SelectField(_l("Area of work of their organisation"), choices=[], default="")

    def __init__(self, formdata, area_choices: list[tuple[str, str]]):
        super().__init__(formdata)
        self.area.choices = [("", "—"), *area_choices]

    def search(self) -> DirectorySearch:
        """What to look for; an invalid search finds everything rather than failing."""
        if not self.validate():
            return DirectorySearch()
        return DirectorySearch(name=self.q.data, town=self.town.data,
                               area_id=int(self.area.data) if self.area.data else None)


class OrganisationSearchForm(PeopleSearchForm):
    q = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name or short name; Polish letters are optional."))
    area = SelectField(_l("Area of work"), choices=[], default="")
    language = SelectField(_l("Language"), choices=[], default="")

    def __init__(self, formdata, area_choices: list[tuple[str, str]]):
        super().__init__(formdata, area_choices)
        self.language.choices = [("", "—"), *language_choices()]

    def search(self) -> DirectorySearch:
        if not self.validate():
            return DirectorySearch()
        return DirectorySearch(name=self.q.data, town=self.town.data,
                               area_id=int(self.area.data) if self.area.data else None,
                               language=self.language.data or None)
