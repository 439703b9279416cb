"""Writes for editions. Each function changes one record, logs the change on the edition, and flushes.

Programme items, panel guests and partners have no history of their own: their changes are
logged on the edition they belong to. A value the rules refuse raises FieldProblem naming its field,
before anything is written.
"""

from flask_babel import format_date, gettext

from forum_crm.changelog import add_logged, differences, readers, record_change, remove_logged, save_logged, snapshot
from forum_crm.editions.queries import (
    check_in_days_outside,
    days_outside,
    edition_number_taken,
    is_partner,
    next_speaker_position,
)
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.localities.services import locality_label, stored_locality
from forum_crm.models import (
    Edition,
    Organisation,
    PanelSpeaker,
    PartnerRole,
    Partnership,
    Person,
    ProgrammeItem,
    ProgrammeKind,
)

MAX_EDITION_DAYS = 31  # a longer edition is a typing mistake (and would list hundreds of days)

EDITION_COLUMNS = ("number", "start_date", "end_date", "venue", "theme", "dates_note", "is_public")
EDITION_FIELDS = {**readers(*EDITION_COLUMNS), "locality": locality_label}
PROGRAMME_ITEM_COLUMNS = ("kind", "title", "day", "starts_at", "ends_at", "description")
PROGRAMME_ITEM_FIELDS = readers(*PROGRAMME_ITEM_COLUMNS)
SPEAKER_FIELDS = {
    "institution": lambda speaker: speaker.organisation.name,
    "person": lambda speaker: speaker.person.full_name if speaker.person else None,
}
PARTNER_FIELDS = {"organisation": lambda partnership: partnership.organisation.name, **readers("role")}


def _check_edition(edition: Edition, data: dict) -> None:
    """A unique number; dates in order and not too far apart; the programme and check-ins still within them."""
    start, end = data["start_date"], data["end_date"]
    if edition_number_taken(data["number"], edition.id):
        raise FieldProblem("number", gettext("An edition with this number already exists."))
    if end < start:
        raise FieldProblem("end_date", gettext("The end date cannot be before the start date."))
    if (end - start).days >= MAX_EDITION_DAYS:
        raise FieldProblem("end_date", gettext("An edition cannot last longer than %(days)s days.",
                                                    days=MAX_EDITION_DAYS))
    if edition.id is None:
        return
    for outside, message in ((days_outside(edition.id, start, end), gettext(
            "The programme has items on %(days)s, outside these dates: move them to another day first.")),
                             (check_in_days_outside(edition.id, start, end), gettext(
            "People were checked in on %(days)s, outside these dates: undo those check-ins first."))):
        if outside:
            days = ", ".join(format_date(day, "long") for day in outside)
            raise FieldProblem("start_date" if outside[0] < start else "end_date", message % {"days": days})


def save_edition(edition: Edition, data: dict) -> Edition:
    """Create or edit an edition from EditionForm.data_for_service()."""
    _check_edition(edition, data)

    def apply():
        for name in EDITION_COLUMNS:
            setattr(edition, name, data[name])
        edition.locality = stored_locality(data["town"]) if data["town"] else None

    save_logged("edition", edition, EDITION_FIELDS, apply)
    return edition


def _check_programme_item(edition: Edition, item: ProgrammeItem | None, data: dict) -> None:
    """A day of the edition (or none), an end not before the start; a panel with guests stays a panel."""
    if data["day"] is not None and data["day"] not in edition.days:
        raise FieldProblem("day", gettext("Choose one of the days of this edition."))
    if data["starts_at"] and data["ends_at"] and data["ends_at"] < data["starts_at"]:
        raise FieldProblem("ends_at", gettext("The end time cannot be before the start time."))
    if item is not None and item.speakers and data["kind"] != ProgrammeKind.PANEL:
        raise FieldProblem("kind", gettext("This panel has guests: remove them before changing its kind."))


def add_programme_item(edition: Edition, data: dict) -> ProgrammeItem:
    """Add a session to the edition's programme, from ProgrammeItemForm.data_for_service()."""
    _check_programme_item(edition, None, data)
    item = ProgrammeItem(edition=edition, **{name: data[name] for name in PROGRAMME_ITEM_COLUMNS})
    add_logged("edition", edition, item, PROGRAMME_ITEM_FIELDS, "programme_item_added")
    return item


def update_programme_item(item: ProgrammeItem, data: dict) -> None:
    """Edit a session; the log names it by its title even when the title did not change."""
    _check_programme_item(item.edition, item, data)
    before = snapshot(item, PROGRAMME_ITEM_FIELDS)
    for name in PROGRAMME_ITEM_COLUMNS:
        setattr(item, name, data[name])
    db.session.flush()
    changes = differences(before, snapshot(item, PROGRAMME_ITEM_FIELDS))
    if changes:
        record_change("edition", item.edition, "programme_item_updated",
                      {"title": [before["title"], item.title], **changes})


def remove_programme_item(item: ProgrammeItem) -> None:
    """Delete a session, and its panel guests with it."""
    guests = [_speaker_label(speaker) for speaker in item.speakers]
    remove_logged("edition", item.edition, item, PROGRAMME_ITEM_FIELDS, "programme_item_removed",
                  also={"speakers": [guests, None]} if guests else None)


def _speaker_label(speaker: PanelSpeaker) -> str:
    return f"{speaker.person.full_name} ({speaker.organisation.name})" if speaker.person else speaker.organisation.name


def add_speaker(item: ProgrammeItem, organisation: Organisation, person: Person | None) -> PanelSpeaker:
    """Add a guest to a panel, after the guests it already has."""
    if item.kind != ProgrammeKind.PANEL:
        raise FieldProblem(None, gettext("Guests can be added only to discussion panels."))
    speaker = PanelSpeaker(programme_item=item, organisation=organisation, person=person,
                           position=next_speaker_position(item.id))
    add_logged("edition", item.edition, speaker, SPEAKER_FIELDS, "speaker_added",
               also={"title": [item.title, item.title]})
    return speaker


def remove_speaker(speaker: PanelSpeaker) -> None:
    item = speaker.programme_item
    remove_logged("edition", item.edition, speaker, SPEAKER_FIELDS, "speaker_removed",
                  also={"title": [item.title, item.title]})


def add_partner(edition: Edition, organisation: Organisation, role: PartnerRole | None) -> Partnership:
    """The organisation partners this edition (role None: the source does not say how), once in each role."""
    if is_partner(edition.id, organisation.id, role):
        raise FieldProblem("organisation", gettext("This organisation is already a partner of this edition "
                                                        "in this role."))
    partnership = Partnership(edition=edition, organisation=organisation, role=role)
    add_logged("edition", edition, partnership, PARTNER_FIELDS, "partner_added")
    return partnership


def remove_partner(partnership: Partnership) -> None:
    remove_logged("edition", partnership.edition, partnership, PARTNER_FIELDS, "partner_removed")
