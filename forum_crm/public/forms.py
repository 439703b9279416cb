"""The public pages' filters (a GET form, no session, no CSRF token: the pages can be cached and embedded)."""

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField

from forum_crm.forms import VOIVODESHIP_CHOICES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import AreaOfWork, Voivodeship
from forum_crm.public.queries import PublicFilters


class PublicFilterForm(FlaskForm):
    """Search by name, area of work and voivodeship, read from the query string so a view can be linked."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name"))
    area = SelectField(_l("Area of work"), choices=[], default="")
    voivodeship = SelectField(_l("Voivodeship"), choices=VOIVODESHIP_CHOICES, default="")

    def __init__(self, formdata, areas: list[AreaOfWork]):
        super().__init__(formdata)
        self.area.choices = [("", "—"), *((str(area.id), area.name) for area in areas)]

    def filters(self) -> PublicFilters:
        """The filters chosen; none if any value is not one of the choices."""
        if not self.validate():
            return PublicFilters()
        return PublicFilters(
            search=(self.q.data or "").strip()[:100] or None,
            area_id=int(self.area.data) if self.area.data else None,
            voivodeship=Voivodeship(self.voivodeship.data) if self.voivodeship.data else None,
        )
