"""Forms of the reports: the period every report is limited to."""

from dataclasses import replace
from datetime import date

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.reports.queries import Period


class PeriodForm(FlaskForm):
    """A calendar year, or any range of dates; empty means all editions. Demo records only with `demo=1`."""

    class Meta:
        csrf = False  # a GET filter

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    demo = BooleanField(_l("Include demo data"))

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(gettext("The end date cannot be before the start date."))

    def period(self, default: Period | None = None) -> Period:
        return replace(self._dates(default), include_demo=bool(self.demo.data))

    def _dates(self, default: Period | None) -> Period:
        if not self.validate():
            return default or Period()
        if self.year.data:
            return Period(date(self.year.data, 1, 1), date(self.year.data, 12, 31))
        if self.start.data or self.end.data:
            return Period(self.start.data, self.end.data)
        return default or Period()
