"""Writes for towns: storing gazetteer places and towns the coordinator adds by hand."""

import sqlalchemy as sa
from flask_babel import gettext as _

from forum_crm.changelog import readers, save_logged
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import clashing_locality
from forum_crm.models import Locality

LOCALITY_COLUMNS = ("name", "voivodeship", "latitude", "longitude")
LOCALITY_FIELDS = readers(*LOCALITY_COLUMNS)


def locality_label(row) -> str | None:
    """Change-log reader for a record's town: "Kamionka (lubelskie)"."""
    return row.locality.label if row.locality else None


def locality_for_place(place: Place) -> Locality:
    """The stored locality for a gazetteer place, created with its coordinates if new."""
    locality = db.session.scalar(
        sa.select(Locality).where(
            sa.or_(
                Locality.geonames_id == place.geonames_id,
                sa.and_(Locality.name == place.name, Locality.voivodeship == place.voivodeship),
            )
        )
    )
    if locality is None:
        locality = Locality(
            name=place.name, voivodeship=place.voivodeship, latitude=place.latitude,
            longitude=place.longitude, geonames_id=place.geonames_id,
        )
        db.session.add(locality)
        db.session.flush()
    return locality


def stored_locality(town: Locality | Place) -> Locality:
    """A town found by mapping.queries.find_town, stored first if it came from the gazetteer."""
    return town if isinstance(town, Locality) else locality_for_place(town)


def save_locality(locality: Locality, data: dict) -> Locality:
    """Create or edit a town added by hand, with its coordinates; the change is logged.

    Raises FieldProblem, with nothing changed, when the voivodeship already has a town of this name.
    """
    if clashing_locality(data["name"], data["voivodeship"], locality.id):
        raise FieldProblem("name", _("This town is already on the list in this voivodeship."))

    def apply():
        for name in LOCALITY_COLUMNS:
            setattr(locality, name, data[name])

    save_logged("locality", locality, LOCALITY_FIELDS, apply)
    return locality


def locate_locality(locality: Locality, place: Place) -> Locality:
    """Give a stored town the voivodeship and coordinates of the gazetteer place it is; the change is logged.

    Raises FieldProblem, with nothing changed, when another stored town is that place already.
    """
    if clashing_locality(locality.name, place.voivodeship, locality.id) or db.session.scalar(
            sa.select(Locality.id).where(Locality.geonames_id == place.geonames_id, Locality.id != locality.id)):
        raise FieldProblem("place", _("This place is on the list of towns already, as another town."))

    def apply():
        locality.voivodeship, locality.geonames_id = place.voivodeship, place.geonames_id
        locality.latitude, locality.longitude = place.latitude, place.longitude

    save_logged("locality", locality, LOCALITY_FIELDS, apply)
    return locality
