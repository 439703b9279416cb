"""Writes for places: storing gazetteer places and towns the coordinator adds by hand."""

import sqlalchemy as sa

from forum_crm.changelog import readers, save_logged
from forum_crm.extensions import db
from forum_crm.localities.gazetteer import Place
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
    """Create or edit a town added by hand, with its coordinates; the change is logged."""

    def apply():
        for name in LOCALITY_COLUMNS:
            setattr(locality, name, data[name])

    save_logged("locality", locality, LOCALITY_FIELDS, apply)
    return locality
