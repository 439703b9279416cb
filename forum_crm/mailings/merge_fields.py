"""Merge fields: the {names} a mailing's text may contain, and how each gets its value for one recipient.

A registry, so that another feature adds a field with one call: forum_crm/registration/mailing_link.py adds
{registration_link}, each recipient's personal registration link for the mailing's edition.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import Mailing

FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Addressee:
    """One recipient of a mailing, with what merge fields may need."""

    email: str
    language: str
    person_id: int | None = None
    organisation_id: int | None = None
    first_name: str = ""
    organisation_name: str = ""


@dataclass(frozen=True)
class MergeField:
    key: str  # written {key} in the text
    label: object  # shown to the coordinator (a lazy string)
    value: Callable[[Addressee, Mailing], str]
    needs_edition: bool = False  # only in a mailing about an edition


MERGE_FIELDS: dict[str, MergeField] = {}


def register(field: MergeField) -> None:
    MERGE_FIELDS[field.key] = field


register(MergeField("first_name", _l("first name"), lambda addressee, _mailing: addressee.first_name))
register(MergeField("organisation", _l("organisation's name"), lambda addressee, _mailing: addressee.organisation_name))
register(MergeField("edition", _l("the edition's name"), lambda _addressee, mailing: str(mailing.edition or ""),
                    needs_edition=True))


def fields_used(text: str) -> list[str]:
    return FIELD.findall(text or "")


def unknown_fields(text: str) -> list[str]:
    """The {names} in `text` that are not merge fields, in order, each once."""
    return list(dict.fromkeys(name for name in fields_used(text) if name not in MERGE_FIELDS))


def fill(text: str, addressee: Addressee, mailing: Mailing) -> str:
    """`text` with every {field} replaced by its value for `addressee` (unknown names are left as typed)."""
    values: dict[str, str] = {}

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in MERGE_FIELDS:
            return match.group(0)
        if name not in values:
            values[name] = MERGE_FIELDS[name].value(addressee, mailing) or ""
        return values[name]

    return FIELD.sub(value, text)
