"""Writes for places: turning a gazetteer entry into a stored locality."""

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.mapping.gazetteer import Place
from forum_crm.models import Locality


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
