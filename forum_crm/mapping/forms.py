"""Forms of places: picking a town by name, adding one by hand, and the map's filters."""

from datetime import date

from flask_babel import format_date
from flask_wtf import FlaskForm
from wtforms import SelectField

from forum_crm.forms import VOIVODESHIP_CHOICES, sorted_choices
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import SECTORS
from forum_crm.mapping.queries import MapFilters
from forum_crm.models import Sector, Voivodeship
from forum_crm.models.events import roman


class MapFilterForm(FlaskForm):
    """The map's filters, read from the query string so a filtered map can be shared."""

    class Meta:
        csrf = False  # a GET form

    sector = SelectField(_l("Sector"), choices=sorted_choices(SECTORS, empty="—"), default="")
    area = SelectField(_l("Area of work"), choices=[], default="")
    voivodeship = SelectField(_l("Voivodeship"), choices=VOIVODESHIP_CHOICES, default="")
    edition = SelectField(_l("Edition attended"), choices=[], default="")

    def __init__(self, formdata, area_choices: list[tuple[str, str]], editions: list[tuple[int, date]]):
        super().__init__(formdata)
        self.area.choices = [("", "—"), *area_choices]
        self.edition.choices = [("", "—"), *((str(number), f"{roman(number)} Forum ({format_date(start)})")
                                             for number, start in editions)]

    def filters(self) -> MapFilters:
        """The filters chosen; none if any value is not one of the choices."""
        if not self.validate():
            return MapFilters()
        return MapFilters(
            sector=Sector(self.sector.data) if self.sector.data else None,
            area_id=int(self.area.data) if self.area.data else None,
            voivodeship=Voivodeship(self.voivodeship.data) if self.voivodeship.data else None,
            edition=int(self.edition.data) if self.edition.data else None,
        )
