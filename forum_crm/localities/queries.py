"""Reading towns: which stored town or gazetteer place a typed name means, and the list of towns."""


import sqlalchemy as sa
from flask_babel import format_decimal, gettext, ngettext

from forum_crm.extensions import db
from forum_crm.localities.gazetteer import Place, find_places
from forum_crm.models import Locality, Organisation, Person, Voivodeship
from forum_crm.text import fold


class UnknownTown(LookupError):
    """No stored locality and no gazetteer place has this name."""


class AmbiguousTown(LookupError):
    """Several places have this name; `candidates`: the stored localities and gazetteer places it may mean."""

    def __init__(self, candidates: list[Locality | Place]):
        super().__init__(candidates)
        self.candidates = candidates

    @property
    def voivodeships(self) -> list[str]:
        return sorted(str(candidate.voivodeship) if candidate.voivodeship else "?" for candidate in self.candidates)


def find_town(name: str, voivodeship: Voivodeship | None = None) -> Locality | Place:
    """The one stored locality or gazetteer place called `name` (in `voivodeship`, if given).

    A stored locality with a voivodeship wins over gazetteer places of the same name (the database's Olsztyn is
    the one the network knows); only several such stored localities are ambiguous. Otherwise the candidates are
    the stored localities not yet identified (no voivodeship) and the gazetteer's places not stored.
    """
    query = sa.select(Locality).where(Locality.name_key == fold(name))
    if voivodeship is not None:
        query = query.where(Locality.voivodeship == voivodeship)
    stored = list(db.session.scalars(query.order_by(Locality.id)))
    if not stored and voivodeship is None:
        # "Gorzów Wlkp." -> the stored "Gorzów Wielkopolski"
        names = {place.name for place in find_places(name)}
        stored = (list(db.session.scalars(sa.select(Locality).where(Locality.name.in_(names))))
                  if len(names) == 1 else [])
    identified = [locality for locality in stored if locality.voivodeship is not None]
    if len(identified) == 1:
        return identified[0]
    if identified:
        raise AmbiguousTown(identified)
    known = {(locality.name, locality.voivodeship) for locality in stored}
    candidates: list[Locality | Place] = [*stored, *(
        place for place in find_places(name, voivodeship) if (place.name, place.voivodeship) not in known)]
    unique = {(candidate.name, candidate.voivodeship): candidate for candidate in candidates}
    if not unique:
        raise UnknownTown(name)
    if len(unique) > 1:
        raise AmbiguousTown(list(unique.values()))
    return next(iter(unique.values()))


def place_label(town: Locality | Place) -> str:
    """"Kamionka, lubelskie, 51.47165° N 22.46275° E (1800 inhabitants)": what tells homonyms apart (the gazetteer
    has no counties)."""
    parts = [town.name, str(town.voivodeship) if town.voivodeship else gettext("voivodeship not known")]
    if town.latitude is not None:
        parts.append(f"{format_decimal(town.latitude, '0.00000')}° N {format_decimal(town.longitude, '0.00000')}° E")
    label = ", ".join(parts)
    if isinstance(town, Place):
        label += " " + ngettext("(%(num)s inhabitant)", "(%(num)s inhabitants)", town.population)
    return label


def places_for(locality: Locality) -> list[Place]:
    """The gazetteer's places a stored town without coordinates may be (in its voivodeship, if it has one), bar
    those another stored town already is."""
    if locality.is_located:
        return []
    places = find_places(locality.name, locality.voivodeship)
    taken = set(db.session.execute(sa.select(Locality.name, Locality.voivodeship).where(
        Locality.name.in_({place.name for place in places}), Locality.id != locality.id)).tuples())
    taken_ids = set(db.session.scalars(sa.select(Locality.geonames_id).where(
        Locality.geonames_id.in_([place.geonames_id for place in places]))))
    return [place for place in places
            if (place.name, place.voivodeship) not in taken and place.geonames_id not in taken_ids]


def localities(search: str | None = None) -> sa.Select:
    """Stored localities in Polish order, with how many organisations and people are there."""
    organisations = (sa.select(sa.func.count(Organisation.id)).where(Organisation.locality_id == Locality.id)
                     .correlate(Locality).scalar_subquery())
    people = (sa.select(sa.func.count(Person.id)).where(Person.locality_id == Locality.id)
              .correlate(Locality).scalar_subquery())
    query = sa.select(Locality, organisations.label("organisations"), people.label("people")).order_by(
        Locality.name_sort, Locality.voivodeship)
    if search:
        query = query.where(Locality.name_key.contains(fold(search), autoescape=True))
    return query


def clashing_locality(name: str, voivodeship: Voivodeship, other_than: int | None) -> Locality | None:
    """Another stored town (not `other_than`) with this name in this voivodeship."""
    return db.session.scalar(sa.select(Locality).where(
        Locality.name == name, Locality.voivodeship == voivodeship, Locality.id != (other_than or 0)).limit(1))
