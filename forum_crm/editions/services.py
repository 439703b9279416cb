"""Writes for editions. Each function changes one record, logs the change on the edition, and flushes.

Programme items, panel guests and partners have no history of their own: their changes are
logged on the edition they belong to.
"""

from forum_crm.changelog import differences, readers, record_change, save_logged, snapshot
from forum_crm.editions.queries import next_speaker_position
from forum_crm.extensions import db
from forum_crm.localities.services import locality_label, stored_locality
from forum_crm.models import Edition, Organisation, PanelSpeaker, PartnerRole, Partnership, Person, ProgrammeItem

EDITION_COLUMNS = ("number", "start_date", "end_date", "venue", "theme", "dates_note")
EDITION_FIELDS = {**readers(*EDITION_COLUMNS), "locality": locality_label}
PROGRAMME_ITEM_COLUMNS = ("kind", "title", "day", "starts_at", "ends_at", "description")
PROGRAMME_ITEM_FIELDS = readers(*PROGRAMME_ITEM_COLUMNS)
SPEAKER_FIELDS = {
    "institution": lambda speaker: speaker.organisation.name,
    "person": lambda speaker: speaker.person.full_name if speaker.person else None,
}
PARTNER_FIELDS = {"organisation": lambda partnership: partnership.organisation.name, **readers("role")}


def save_edition(edition: Edition, data: dict) -> Edition:
    """Create or edit an edition from EditionForm.data_for_service()."""

    def apply():
        for name in EDITION_COLUMNS:
            setattr(edition, name, data[name])
        edition.locality = stored_locality(data["town"]) if data["town"] else None

    save_logged("edition", edition, EDITION_FIELDS, apply)
    return edition


def add_programme_item(edition: Edition, data: dict) -> ProgrammeItem:
    """Add a session to the edition's programme, from ProgrammeItemForm.data_for_service()."""
    item = ProgrammeItem(edition=edition, **{name: data[name] for name in PROGRAMME_ITEM_COLUMNS})
    db.session.add(item)
    db.session.flush()
    record_change("edition", edition, "programme_item_added",
                  differences(dict.fromkeys(PROGRAMME_ITEM_FIELDS), snapshot(item, PROGRAMME_ITEM_FIELDS)))
    return item


def update_programme_item(item: ProgrammeItem, data: dict) -> None:
    """Edit a session; the log names it by its title even when the title did not change."""
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
    edition = item.edition
    before = snapshot(item, PROGRAMME_ITEM_FIELDS)
    guests = [_speaker_label(speaker) for speaker in item.speakers]
    db.session.delete(item)
    db.session.flush()
    changes = {name: [value, None] for name, value in before.items() if value is not None}
    if guests:
        changes["speakers"] = [guests, None]
    record_change("edition", edition, "programme_item_removed", changes)


def _speaker_label(speaker: PanelSpeaker) -> str:
    return f"{speaker.person.full_name} ({speaker.organisation.name})" if speaker.person else speaker.organisation.name


def add_speaker(item: ProgrammeItem, organisation: Organisation, person: Person | None) -> PanelSpeaker:
    """Add a guest to a panel, after the guests it already has."""
    speaker = PanelSpeaker(programme_item=item, organisation=organisation, person=person,
                           position=next_speaker_position(item.id))
    db.session.add(speaker)
    db.session.flush()
    after = snapshot(speaker, SPEAKER_FIELDS)
    record_change("edition", item.edition, "speaker_added",
                  {"title": [item.title, item.title], **{name: [None, value] for name, value in after.items()}})
    return speaker


def remove_speaker(speaker: PanelSpeaker) -> None:
    item = speaker.programme_item
    before = snapshot(speaker, SPEAKER_FIELDS)
    db.session.delete(speaker)
    db.session.flush()
    record_change("edition", item.edition, "speaker_removed",
                  {"title": [item.title, item.title], **{name: [value, None] for name, value in before.items()}})


def add_partner(edition: Edition, organisation: Organisation, role: PartnerRole | None) -> Partnership:
    """The organisation partners this edition (role None: the source does not say how)."""
    partnership = Partnership(edition=edition, organisation=organisation, role=role)
    db.session.add(partnership)
    db.session.flush()
    record_change("edition", edition, "partner_added",
                  {name: [None, value] for name, value in snapshot(partnership, PARTNER_FIELDS).items()})
    return partnership


def remove_partner(partnership: Partnership) -> None:
    edition = partnership.edition
    before = snapshot(partnership, PARTNER_FIELDS)
    db.session.delete(partnership)
    db.session.flush()
    record_change("edition", edition, "partner_removed", {name: [value, None] for name, value in before.items()})
