"""Forms of towns: picking a town by name (TownFields, used by every form with a town) and adding one by hand."""


from flask import url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DecimalField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forum_crm.forms import VOIVODESHIP_CHOICES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import AmbiguousTown, UnknownTown, find_town, place_label
from forum_crm.models import Voivodeship
from forum_crm.validators import single_line, strip


class TownFields:
    """Mixin for forms that place something in a town: a name, and a voivodeship when it is ambiguous.

    After validation, `self.town_found` is the stored locality or gazetteer place (or None if no
    town was given); services store it with mapping.services.stored_locality.
    """

    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    town_voivodeship = SelectField(_l("Voivodeship of the town"), choices=VOIVODESHIP_CHOICES, default="",
                                   description=_l("Needed only when several towns have the same name."))
    town_found = None

    def validate_town(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        self.town_found = None
        if not field.data:
            return
        # a voivodeship that is not one of the choices is refused by its own field
        voivodeship = {choice.value: choice for choice in Voivodeship}.get(self.town_voivodeship.data)
        try:
            self.town_found = find_town(field.data, voivodeship)
        except AmbiguousTown as ambiguous:
            raise ValidationError(gettext(
                "There are several places called %(name)s (%(where)s): choose the voivodeship.",
                name=field.data, where=", ".join(ambiguous.voivodeships))) from None
        except UnknownTown:
            link = Markup('<a href="{}">{}</a>').format(url_for("localities.locality_new", name=field.data),
                                                         gettext("add it with its coordinates"))
            raise ValidationError(Markup(escape(gettext(
                "We do not know a town called %(name)s. Check the spelling, or ", name=field.data))) + link) from None

    def fill_town(self, locality) -> None:
        """Show a stored locality in the fields (for editing)."""
        if locality is not None:
            self.town.data = locality.name
            self.town_voivodeship.data = locality.voivodeship.value if locality.voivodeship else ""


class LocalityForm(FlaskForm):
    """A town the gazetteer does not know (or one to correct), with its coordinates in Poland."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120), single_line])
    voivodeship = SelectField(_l("Voivodeship"), choices=VOIVODESHIP_CHOICES, validators=[DataRequired()])
    latitude = DecimalField(_l("Latitude"), places=5, validators=[InputRequired(), NumberRange(
                            min=49.0, max=54.9, message=_l("Poland lies between 49.0 and 54.9 degrees north."))],
                            description=_l("For example 51.24645 (north)."))
    longitude = DecimalField(_l("Longitude"), places=5, validators=[InputRequired(), NumberRange(
                             min=14.1, max=24.2, message=_l("Poland lies between 14.1 and 24.2 degrees east."))],
                             description=_l("For example 22.56844 (east)."))

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "voivodeship": Voivodeship(self.voivodeship.data),
                "latitude": float(self.latitude.data), "longitude": float(self.longitude.data)}


class PlaceForm(FlaskForm):
    """Which gazetteer place a stored town without coordinates is (see queries.places_for)."""

    place = RadioField(_l("Places of this name in the gazetteer"), validators=[InputRequired(_l("Choose a place."))])

    def __init__(self, places: list[Place], **kwargs):
        super().__init__(**kwargs)
        self.places = {str(place.geonames_id): place for place in places}
        self.place.choices = [(key, place_label(place)) for key, place in self.places.items()]

    @property
    def chosen(self) -> Place:
        return self.places[self.place.data]
