"""Towns of a file: each name (with its voivodeship, if the file gives one) is looked up once, among the
stored localities and then in the gazetteer."""

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from forum_crm.imports.parsing import Row
from forum_crm.imports.plan import Columns, Problem
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import AmbiguousTown, UnknownTown, find_town, place_label
from forum_crm.models import Locality, Voivodeship
from forum_crm.text import fold


@dataclass
class TownChoice:
    """A town name several places share: the rows giving it, and the places to pick from (value, label)."""

    key: str  # the name folded, and the voivodeship given with it: a form field's name ends with it
    name: str
    picked: str | None = None  # the value of the candidate picked
    rows: list[int] = field(default_factory=list)
    candidates: list[tuple[str, str]] = field(default_factory=list)


def candidate_value(town: Locality | Place) -> str:
    """How a picked town is sent back: "locality-3" or "place-769640"."""
    return f"locality-{town.id}" if isinstance(town, Locality) else f"place-{town.geonames_id}"


class Towns:
    """Finds each town of a file once (name and voivodeship -> stored locality or gazetteer place).

    `picks` (pick_key -> candidate value) settles names several places share; every such name is collected in
    `to_pick`, with its candidates and the pick if any, for the preview to offer (and send again).
    """

    def __init__(self, picks: dict[str, str] | None = None):
        self.picks = picks or {}
        self.found: dict[tuple[str, Voivodeship | None], Locality | Place | AmbiguousTown | UnknownTown] = {}
        self.to_pick: dict[str, TownChoice] = {}

    def resolve(self, values: dict[str, Any], row: Row, columns: Columns, problems: list[Problem]) -> None:
        """Replace values["town"] (a name) by the place it means; a problem if none, or several and none picked."""
        name, voivodeship = values.get("town"), values.pop("voivodeship", None)
        values["town"] = None
        if not name:
            return
        key = (fold(name), voivodeship)
        if key not in self.found:
            self.found[key] = self._find(name, voivodeship)
        found = self.found[key]
        if isinstance(found, UnknownTown):
            problems.append(Problem(row.number, columns.name("town"), _(
                "We do not know a town called %(name)s. Check the spelling, or add the town under Towns first.",
                name=name)))
            return
        choice = self.to_pick.get(pick_key(*key))
        if choice is not None:
            choice.rows.append(row.number)
        if isinstance(found, AmbiguousTown):
            problems.append(Problem(row.number, columns.name("town"), self._ambiguous(
                name, found, row, voivodeship, "voivodeship" in columns.index)))
        else:
            values["town"] = found

    def _find(self, name: str, voivodeship: Voivodeship | None) -> Locality | Place | LookupError:
        """The town, or the error saying why there is none; a name several places share is noted in to_pick, and
        is the place picked for it, if any."""
        try:
            return find_town(name, voivodeship)
        except AmbiguousTown as ambiguous:
            key = pick_key(fold(name), voivodeship)
            values = {candidate_value(town): town for town in ambiguous.candidates}
            picked = self.picks.get(key) if self.picks.get(key) in values else None
            self.to_pick[key] = TownChoice(key, name, picked=picked, candidates=[
                (value, place_label(town)) for value, town in values.items()])
            return values[picked] if picked else ambiguous
        except UnknownTown as unknown:
            return unknown

    @staticmethod
    def _ambiguous(name: str, ambiguous: AmbiguousTown, row: Row, voivodeship: Voivodeship | None,
                   voivodeship_column: bool) -> str:
        where = ", ".join(ambiguous.voivodeships)
        if voivodeship is not None:
            return _("There are several places called %(name)s in %(where)s: pick the place below.",
                     name=name, where=voivodeship)
        if voivodeship_column:
            return _("There are several places called %(name)s (%(where)s): fill in the voivodeship in row %(row)s, "
                     "or pick the place below.", name=name, where=where, row=row.number)
        return _("There are several places called %(name)s (%(where)s): add a Voivodeship column and give the "
                 "voivodeship, or pick the place below.", name=name, where=where)


def pick_key(folded_name: str, voivodeship: Voivodeship | None) -> str:
    """"kamionka" or "kamionka/lubelskie": which name (and voivodeship) of the file a pick is for."""
    return f"{folded_name}/{voivodeship.value}" if voivodeship else folded_name


def town_label(town: Locality | Place | None) -> str | None:
    """"Nowa Wieś (mazowieckie)"; the name alone for a town without a voivodeship."""
    if town is None:
        return None
    return f"{town.name} ({town.voivodeship})" if town.voivodeship else town.name


def same_town(town: Locality | Place, locality: Locality) -> bool:
    """Whether a town of the file is the stored locality."""
    return (town.name, town.voivodeship) == (locality.name, locality.voivodeship)
