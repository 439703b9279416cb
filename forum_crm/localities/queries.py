"""Reading towns: which stored town or gazetteer place a typed name means, and the list of towns."""


import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.localities.gazetteer import Place, find_places
from forum_crm.models import Locality, Organisation, Person, Voivodeship
from forum_crm.text import fold


class UnknownTown(LookupError):
    """No stored locality and no gazetteer place has this name."""


class AmbiguousTown(LookupError):
    """Several places have this name; `voivodeships` lists where they are."""

    def __init__(self, voivodeships: list[str]):
        super().__init__(voivodeships)
        self.voivodeships = voivodeships


def find_town(name: str, voivodeship: Voivodeship | None = None) -> Locality | Place:
    """The one stored locality or gazetteer place called `name` (in `voivodeship`, if given).

    Stored localities come first (they include towns the coordinator added by hand); a gazetteer
    place already stored counts once.
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
    known = {(locality.name, locality.voivodeship) for locality in stored}
    candidates: list[Locality | Place] = [*stored, *(
        place for place in find_places(name, voivodeship) if (place.name, place.voivodeship) not in known)]
    unique = {(candidate.name, candidate.voivodeship): candidate for candidate in candidates}
    if not unique:
        raise UnknownTown(name)
    if len(unique) > 1:
        raise AmbiguousTown(sorted(str(v) if v else "?" for _name, v in unique))
    return next(iter(unique.values()))


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
