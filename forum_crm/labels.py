"""Human names of the enumerations, translated: used by forms (choices) and templates."""

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval
from flask_babel import format_date, format_datetime, get_locale, gettext

from forum_crm.i18n import current_locale_object
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import (
    AuthEventKind,
    ConsentPurpose,
    ConsentSource,
    ErasureSource,
    ErasureState,
    MessageKind,
    OutboxState,
    ParticipationRole,
    ParticipationStatus,
    PartnerRole,
    ProgrammeKind,
    Role,
    Sector,
    Voivodeship,
)
from forum_crm.text import polish_sort_key

SECTORS = {
    Sector.NGO: _l("NGO"),
    Sector.LOCAL_GOVERNMENT: _l("Local government"),
    Sector.UNIVERSITY: _l("University"),
    Sector.INTERNATIONAL_ORGANISATION: _l("International organisation"),
    Sector.BUSINESS: _l("Business"),
    Sector.DONOR: _l("Donor"),
    Sector.PUBLIC_INSTITUTION: _l("Public institution"),
    Sector.MEDIA: _l("Media"),
    Sector.OTHER: _l("Other"),
}
PROGRAMME_KINDS = {
    ProgrammeKind.NETWORKING: _l("Networking"),
    ProgrammeKind.KNOWLEDGE_EXCHANGE: _l("Knowledge exchange"),
    ProgrammeKind.DISCUSSION: _l("Discussion"),
    ProgrammeKind.LECTURE: _l("Lecture"),
    ProgrammeKind.WORKSHOP: _l("Workshop"),
    ProgrammeKind.PANEL: _l("Discussion panel"),
}
PARTNER_ROLES = {
    PartnerRole.FUNDER: _l("Funder"),
    PartnerRole.HOST: _l("Host"),
    PartnerRole.CO_ORGANISER: _l("Co-organiser"),
    PartnerRole.CONTENT: _l("Content partner"),
    PartnerRole.MEDIA: _l("Media partner"),
}
PARTICIPATION_STATUSES = {
    ParticipationStatus.INVITED: _l("Invited"),
    ParticipationStatus.REGISTERED: _l("Registered"),
    ParticipationStatus.ATTENDED: _l("Attended"),
    ParticipationStatus.NO_SHOW: _l("Did not come"),
    ParticipationStatus.CANCELLED: _l("Cancelled"),
}
# The people of each status, as a heading or a counter reads: "Zaproszeni 0, Zarejestrowani 6, Obecni 25".
PARTICIPATION_STATUS_GROUPS = {
    ParticipationStatus.INVITED: _l("Invitees"),
    ParticipationStatus.REGISTERED: _l("Registrants"),
    ParticipationStatus.ATTENDED: _l("Attendees"),
    ParticipationStatus.NO_SHOW: _l("No-shows"),
    ParticipationStatus.CANCELLED: _l("Cancellations"),
}
PARTICIPATION_ROLES = {
    ParticipationRole.PARTICIPANT: _l("Participant"),
    ParticipationRole.SPEAKER: _l("Speaker"),
    ParticipationRole.ORGANISER: _l("Organiser"),
    ParticipationRole.GUEST: _l("Guest"),
}
ROLES = {
    Role.COORDINATOR: _l("Coordinator"),
    Role.ORG_EDITOR: _l("Organisation editor"),
    Role.MEMBER: _l("Member"),
}
AUTH_EVENTS = {
    AuthEventKind.LOGIN: _l("Logged in"),
    AuthEventKind.LOGIN_FAILED: _l("Wrong password"),
    AuthEventKind.LOGIN_THROTTLED: _l("Login refused: too many failed attempts"),
    AuthEventKind.LOGOUT: _l("Logged out"),
    AuthEventKind.ACCESS_REFUSED: _l("Page refused"),
    AuthEventKind.PASSWORD_CHANGED: _l("Password changed"),
    AuthEventKind.PASSWORD_RESET: _l("Password reset by e-mail"),
    AuthEventKind.PASSWORD_RESET_REQUESTED: _l("New password requested"),
    AuthEventKind.INVITATION_SENT: _l("Invitation sent"),
    AuthEventKind.INVITATION_ACCEPTED: _l("Invitation accepted"),
    AuthEventKind.ACCOUNT_CHANGED: _l("Role or access changed"),
    AuthEventKind.DATA_EXPORTED: _l("Personal data exported"),
}
# Not in ALL: their values ("password_reset") would clash with AuthEventKind's. Templates get them as dicts.
OUTBOX_STATES = {
    OutboxState.QUEUED: _l("Waiting to be sent"),
    OutboxState.SENDING: _l("Being sent"),
    OutboxState.SENT: _l("Sent"),
    OutboxState.FAILED: _l("Not sent"),
}
MESSAGE_KINDS = {
    MessageKind.INVITATION: _l("Invitation"),
    MessageKind.PASSWORD_RESET: _l("New password"),
    MessageKind.PROFILE_REMINDER: _l("Profile reminder"),
    MessageKind.MAILING: _l("Mailing"),
    MessageKind.REGISTRATION_INVITATION: _l("Invitation to an edition"),
    MessageKind.REGISTRATION_CONFIRMATION: _l("Registration confirmation"),
    MessageKind.REGISTRATION_REMINDER: _l("Reminder before an edition"),
    MessageKind.REGISTRATION_LINK: _l("New registration link"),
}
# Also not in ALL ("coordinator" is a role too); templates use the filters consent_label and erasure_label.
CONSENT_PURPOSES = {
    ConsentPurpose.DIRECTORY: _l("Members' directory"),
    ConsentPurpose.MAP: _l("Member map"),
    ConsentPurpose.NEWSLETTER: _l("Mailings"),
    ConsentPurpose.PHOTOGRAPHS: _l("Photographs"),
}
CONSENT_SOURCES = {
    ConsentSource.FORM: _l("own profile"),
    ConsentSource.COORDINATOR: _l("coordinator, on request"),
    ConsentSource.IMPORT: _l("spreadsheet import"),
    ConsentSource.REGISTRATION: _l("registration for an edition"),
    ConsentSource.UNSUBSCRIBE: _l("unsubscribe link"),
    ConsentSource.EARLIER: _l("recorded before the history was kept"),
}
ERASURE_STATES = {
    ErasureState.REQUESTED: _l("Waiting"),
    ErasureState.DONE: _l("Anonymised"),
    ErasureState.DECLINED: _l("Declined"),
}
ERASURE_SOURCES = {
    ErasureSource.PERSON: _l("asked on their profile"),
    ErasureSource.COORDINATOR: _l("request received by the coordinator"),
    ErasureSource.RETENTION: _l("retention period passed"),
}
# Voivodeship names are Polish proper names in both languages.
VOIVODESHIPS = {voivodeship: voivodeship.value for voivodeship in Voivodeship}

ALL = {**SECTORS, **PROGRAMME_KINDS, **PARTNER_ROLES, **PARTICIPATION_STATUSES, **PARTICIPATION_ROLES, **ROLES,
       **AUTH_EVENTS}


def label(value) -> str:
    """The translated name of an enumeration member (templates: {{ value|label }})."""
    if value is None:
        return ""
    return str(ALL.get(value, VOIVODESHIPS.get(value, value)))


def translated(labels: dict) -> dict:
    """A label dict's names in the reader's language, translated once for a page's rows to look up."""
    return {member: str(text) for member, text in labels.items()}


def choices(labels: dict, empty: str | None = None) -> list[tuple[str, str]]:
    """WTForms choices from a label dict, optionally led by an empty choice."""
    options = [(member.value, text) for member, text in labels.items()]
    return [("", empty), *options] if empty is not None else options


FIELDS = {
    "name": _l("Name"), "short_name": _l("Short name"), "sector": _l("Sector"), "locality": _l("Town"),
    "krs": _l("KRS"), "nip": _l("NIP"), "website": _l("Website"), "email": _l("E-mail"), "phone": _l("Phone"),
    "description": _l("Description"), "areas": _l("Areas of work"), "languages": _l("Languages"),
    "forum_member_since": _l("Forum member since"), "consortium_member": _l("Consortium member"),
    "archived_at": _l("Archived"), "first_name": _l("First name"), "last_name": _l("Last name"),
    "expertise": _l("Expertise"), "forum_member": _l("Forum member"), "leader": _l("Leader"),
    "directory_consent_at": _l("Consent to the directory"), "map_consent_at": _l("Consent to the map"),
    "photo_consent_at": _l("Consent to photographs"), "newsletter_withdrawn_at": _l("Objected to mailings"),
    "consent_source": _l("Source of consent"), "notes": _l("Notes"), "number": _l("Number"),
    "language": _l("Language of e-mails"),
    "start_date": _l("Start date"), "end_date": _l("End date"), "venue": _l("Venue"), "theme": _l("Theme"),
    "dates_note": _l("Note on the dates"), "voivodeship": _l("Voivodeship"), "latitude": _l("Latitude"),
    "longitude": _l("Longitude"), "organisation": _l("Organisation"), "role_title": _l("Role"),
    "is_primary": _l("Main organisation"), "started_on": _l("From"), "ended_on": _l("To"), "kind": _l("Kind"),
    "title": _l("Title"), "day": _l("Day"), "starts_at": _l("Starts at"), "ends_at": _l("Ends at"),
    "institution": _l("Institution"), "person": _l("Person"), "role": _l("Role"), "speakers": _l("Panel guests"),
    "share_contact": _l("Shows e-mail and phone to members"), "profile_confirmed_at": _l("Profile confirmed"),
    "status": _l("Status"), "participants": _l("Participants"), "chosen_by": _l("Chosen by"),
    "days_attended": _l("Days attended"),
    "merged_with": _l("Merged with"), "affiliations_moved": _l("Affiliations moved"),
    "participations_moved": _l("Participations moved"), "participations_joined": _l("Participations joined"),
    "history_moved": _l("History entries moved"), "speaker_roles_moved": _l("Panel guest roles moved"),
    "accounts_moved": _l("Accounts moved"),
    "public_since": _l("Shown publicly since"), "public_town": _l("Town shown publicly"),
    "public_areas": _l("Areas of work shown publicly"), "public_languages": _l("Languages shown publicly"),
    "public_website": _l("Website shown publicly"), "public_email": _l("Public contact e-mail"),
    "is_public": _l("In the public calendar"),
    "opens_on": _l("Registration opens"), "closes_on": _l("Registration closes"), "capacity": _l("Places"),
    "free_question": _l("Own question"), "reminder_days": _l("Reminder, days before"),
    "invitations": _l("Invitations sent"), "outcome": _l("Answer"),
}
ACTIONS = {
    "created": _l("created"), "updated": _l("edited"), "archived": _l("archived"), "restored": _l("restored"),
    "affiliation_added": _l("affiliation added"), "affiliation_updated": _l("affiliation edited"),
    "affiliation_removed": _l("affiliation removed"),
    "programme_item_added": _l("programme item added"), "programme_item_updated": _l("programme item edited"),
    "programme_item_removed": _l("programme item removed"),
    "speaker_added": _l("panel guest added"), "speaker_removed": _l("panel guest removed"),
    "partner_added": _l("partner added"), "partner_removed": _l("partner removed"),
    "participant_added": _l("participant added"), "participant_updated": _l("participant edited"),
    "participant_removed": _l("participant removed"), "participants_invited": _l("participants invited"),
    "checked_in": _l("checked in"), "check_in_undone": _l("check-in undone"),
    "confirmed": _l("confirmed as up to date"), "reverted": _l("change reverted"),
    "imported": _l("imported"), "attendance_imported": _l("attendance imported"),
    "email_approved": _l("e-mail address approved"),
    "merged": _l("merged with a duplicate"), "merge_undone": _l("merge undone"),
    "anonymised": _l("anonymised"),
    "registration_settings": _l("registration settings changed"),
    "registration_invitations_sent": _l("registration form sent"), "registered": _l("registered"),
    "registration_cancelled": _l("not coming"), "moved_up_from_waiting_list": _l("moved up from the waiting list"),
}
ENTITY_TYPES = {
    "organisation": _l("Organisations"), "person": _l("People"), "edition": _l("Editions"),
    "locality": _l("Towns"),
}
DETAIL_ENDPOINTS = {
    "organisation": "organisations.organisation_detail", "person": "people.person_detail",
    "edition": "editions.edition_detail", "locality": "localities.locality_edit",
}


def field_label(name: str) -> str:
    """The translated name of a logged field (templates: {{ name|field_label }})."""
    return str(FIELDS.get(name, name))


def change_value(value) -> str:
    """A logged value as people read it: yes/no, translated enumeration names, lists joined."""
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, list):
        return ", ".join(value)
    return label(value) if value is not None else "—"


def language_name(code: str) -> str:
    """"uk" -> "ukraiński" (in Polish) or "Ukrainian" (in English)."""
    try:
        return Locale.parse(code).get_display_name(get_locale() or Locale("pl")) or code
    except (ValueError, UnknownLocaleError):
        return code


def date_range(start: date, end: date) -> str:
    """Two days as one phrase in the reader's language: "18–19 maja 2023", "31 Aug – 1 Sept 2023"."""
    return format_interval(start, end, "yMMMMd", locale=get_locale() or Locale("pl"))


# How the change log's times read: "30 listopada 2026, 10:32".
CHANGE_TIME_FORMAT = "d MMMM y, HH:mm"
# Logged fields whose values are ISO dates, ISO times (with a date) and language codes.
DATE_FIELDS = frozenset({"forum_member_since", "start_date", "end_date", "started_on", "ended_on", "day"})
TIME_FIELDS = frozenset({"archived_at", "profile_confirmed_at", "directory_consent_at", "map_consent_at"})


def logged_value(value, name: str) -> str:
    """A logged value of the field `name` as people read it on a page: dates and times written out in the
    reader's language ("18 maja 2023", "30 listopada 2026, 10:32"), language names instead of codes."""
    try:
        if name in DATE_FIELDS and isinstance(value, str):
            return format_date(date.fromisoformat(value), "long")
        if name in TIME_FIELDS and isinstance(value, str):
            return change_time(datetime.fromisoformat(value))
    except ValueError:
        return change_value(value)
    if name == "languages" and isinstance(value, list):
        return ", ".join(language_name(code) for code in value)
    return change_value(value)


def change_time(moment: datetime) -> str:
    """"30 listopada 2026, 10:32" in the reader's time zone (a stored time without a zone is UTC)."""
    return format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC), CHANGE_TIME_FORMAT)


def day_format(value: date | datetime | None, format: str | None = None) -> str:
    """Flask-Babel's `dateformat`, each plain date formatted once per format and language (about 60 µs each time,
    and a list page shows a date in every row)."""
    if type(value) is date:
        return _formatted_day(value, format, str(current_locale_object()))
    return format_date(value, format)


@lru_cache(maxsize=4096)
def _formatted_day(day: date, format: str | None, _locale: str) -> str:
    return format_date(day, format)


def register_template_filters(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(day_format, "dateformat")
    app.add_template_filter(label)
    app.add_template_filter(change_value)
    app.add_template_filter(language_name)
    app.add_template_filter(lambda names: sorted(names, key=polish_sort_key), "polish_order")
    app.add_template_filter(field_label)
    app.add_template_filter(date_range)
    app.add_template_filter(lambda status: str(PARTICIPATION_STATUS_GROUPS[status]), "status_group")
    app.add_template_filter(logged_value)
    app.add_template_filter(change_time)
    app.add_template_filter(lambda action: str(ACTIONS.get(action, action)), "action_label")
    app.add_template_filter(lambda kind: str(ENTITY_TYPES.get(kind, kind)), "entity_label")
    app.add_template_filter(lambda kind: DETAIL_ENDPOINTS[kind], "detail_endpoint")
    app.add_template_filter(lambda value: str({**CONSENT_PURPOSES, **CONSENT_SOURCES}.get(value, value)),
                            "consent_label")
    app.add_template_filter(lambda value: str({**ERASURE_STATES, **ERASURE_SOURCES}.get(value, value)),
                            "erasure_label")
