"""Writes for people and their affiliations: each function changes one record, enforces its rules, logs the change, and
flushes."""

from datetime import date, timedelta

from flask_babel import gettext as _

from forum_crm.changelog import add_logged, differences, readers, record_change, remove_logged, save_logged, snapshot
from forum_crm.consents import consent_time, record_consent
from forum_crm.errors import FieldProblem, refuse
from forum_crm.extensions import db
from forum_crm.localities.services import locality_label, stored_locality
from forum_crm.models import Affiliation, Organisation, Person
from forum_crm.people.queries import person_with_email

PERSON_COLUMNS = ("first_name", "last_name", "email", "phone", "expertise", "forum_member", "leader",
                  "share_contact", "notes", "language")
# The columns keeping the consents' state (changed only through forum_crm.consents.record_consent).
CONSENT_COLUMNS = ("directory_consent_at", "map_consent_at", "photo_consent_at", "newsletter_withdrawn_at")
PERSON_FIELDS = {
    **readers(*PERSON_COLUMNS, *CONSENT_COLUMNS),
    "locality": locality_label,
}
AFFILIATION_FIELDS = {"organisation": lambda row: row.organisation.name,
                      **readers("role_title", "started_on", "ended_on", "is_primary")}


def save_person(person: Person, data: dict) -> Person:
    """Create or edit a person from the data_for_service() of PersonForm, PersonSelfForm or PersonContactForm.

    Only the columns in `data` change. Consents ("consents": purpose -> given) that change are recorded in
    their history from `data["consent_by"]` (the person's own form or the coordinator, with the date and the
    note the coordinator gave). Raises FieldProblem, with nothing changed, for an e-mail address another
    person has.
    """
    if data.get("email") and person_with_email(data["email"], person.id):
        raise FieldProblem("email", _("Another person has this e-mail address."))

    def apply():
        for name in PERSON_COLUMNS:
            if name in data:
                setattr(person, name, data[name])
        person.locality = stored_locality(data["town"]) if data["town"] else None
        for purpose, given in data.get("consents", {}).items():
            record_consent(person, purpose, given, data["consent_by"], note=data.get("consent_note"),
                           at=consent_time(data.get("consent_given_on")))

    save_logged("person", person, PERSON_FIELDS, apply)
    return person


def add_person_at(organisation: Organisation, data: dict) -> Person:
    """An organisation's editor adds someone who works there (PersonContactForm): the person and their current,
    main affiliation, both logged (and so in the coordinator's review feed)."""
    person = save_person(Person(), data)
    add_affiliation(person, organisation, None, None, None, is_primary=True, replaces_current=False)
    return person


def add_affiliation(person: Person, organisation: Organisation, role_title: str | None, started_on: date | None,
                    ended_on: date | None, is_primary: bool, replaces_current: bool) -> Affiliation:
    """Link a person to an organisation; when they move, their current affiliations end the day before.

    Each other affiliation this changes (ended, or no longer the main one) is logged too.
    Raises FieldProblem, with nothing changed, for an end before the start or a move without its date.
    """
    problems = _end_before_start(started_on, ended_on)
    if replaces_current and not started_on:
        problems.append(("replaces_current",
                         _("Give the date the person moved (From) to end the current affiliations.")))
    refuse(problems)
    before = [(other, snapshot(other, AFFILIATION_FIELDS)) for other in person.affiliations]
    if replaces_current:
        for current in person.affiliations:
            if current.ended_on is None or current.ended_on >= started_on:
                current.ended_on = max(started_on - timedelta(days=1), current.started_on or date.min)
                current.is_primary = False
    if is_primary:
        for other in person.affiliations:
            other.is_primary = False
    affiliation = Affiliation(person=person, organisation=organisation, role_title=role_title,
                              started_on=started_on, ended_on=ended_on, is_primary=is_primary)
    for other, old in before:
        _log_affiliation_update(other, old)
    add_logged("person", person, affiliation, AFFILIATION_FIELDS, "affiliation_added")
    return affiliation


def _end_before_start(started_on: date | None, ended_on: date | None) -> list[tuple[str, str]]:
    """The problem with an affiliation that would end before it starts, if it would."""
    if started_on and ended_on and ended_on < started_on:
        return [("ended_on", _("The end date cannot be before the start date."))]
    return []


def end_affiliation(affiliation: Affiliation, ended_on: date) -> None:
    """Record that a person no longer works at the organisation (FieldProblem if before its start)."""
    refuse(_end_before_start(affiliation.started_on, ended_on))
    before = snapshot(affiliation, AFFILIATION_FIELDS)
    affiliation.ended_on = ended_on
    db.session.flush()
    _log_affiliation_update(affiliation, before)


def _log_affiliation_update(affiliation: Affiliation, before: dict) -> None:
    """Log what changed in an affiliation since `before` (its snapshot), naming its organisation; nothing if nothing."""
    changes = differences(before, snapshot(affiliation, AFFILIATION_FIELDS))
    if changes:
        record_change("person", affiliation.person, "affiliation_updated",
                      {"organisation": [before["organisation"], before["organisation"]], **changes})


def remove_affiliation(affiliation: Affiliation) -> None:
    """Delete an affiliation entered by mistake (to record a move, end it instead)."""
    remove_logged("person", affiliation.person, affiliation, AFFILIATION_FIELDS, "affiliation_removed")


# Profile confirmation and reminders


# Reverting a change made by an editor or member
