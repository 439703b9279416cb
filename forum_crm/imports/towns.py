"""Towns of a file: each name (with its voivodeship, if the file gives one) is looked up once, among the
stored localities and then in the gazetteer."""

from typing import Any

from flask_babel import lazy_gettext as _l

from forum_crm.imports.cells import CellError
from forum_crm.imports.parsing import Row
from forum_crm.imports.plan import Columns, Problem
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import AmbiguousTown, UnknownTown, find_town
from forum_crm.models import Locality, Voivodeship
from forum_crm.text import fold


class Towns:
    """Finds each town of a file once (name and voivodeship -> stored locality or gazetteer place)."""

    def __init__(self):
        self.found: dict[tuple[str, Voivodeship | None], Locality | Place | CellError] = {}

    def resolve(self, values: dict[str, Any], row: Row, columns: Columns, problems: list[Problem]) -> None:
        """Replace values["town"] (a name) by the place it means; a problem if none or several."""
        name, voivodeship = values.get("town"), values.pop("voivodeship", None)
        if not name:
            values["town"] = None
            return
        key = (fold(name), voivodeship)
        if key not in self.found:
            self.found[key] = self._find(name, voivodeship)
        found = self.found[key]
        if isinstance(found, CellError):
            problems.append(Problem(row.number, columns.name("town"), str(found.message)))
            values["town"] = None
        else:
            values["town"] = found

    @staticmethod
    def _find(name: str, voivodeship: Voivodeship | None) -> Locality | Place | CellError:
        try:
            return find_town(name, voivodeship)
        except AmbiguousTown as ambiguous:
            return CellError(_l("There are several places called %(name)s (%(where)s): add a Voivodeship column "
                                "and give the voivodeship.", name=name, where=", ".join(ambiguous.voivodeships)))
        except UnknownTown:
            return CellError(_l("We do not know a town called %(name)s. Check the spelling, or add the town under "
                                "Towns first.", name=name))


def town_label(town: Locality | Place | None) -> str | None:
    """"Nowa Wieś (mazowieckie)"; the name alone for a town without a voivodeship."""
    if town is None:
        return None
    return f"{town.name} ({town.voivodeship})" if town.voivodeship else town.name


def same_town(town: Locality | Place, locality: Locality) -> bool:
    """Whether a town of the file is the stored locality."""
    return (town.name, town.voivodeship) == (locality.name, locality.voivodeship)
