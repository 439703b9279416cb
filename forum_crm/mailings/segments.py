"""Who a mailing goes to: the lists the coordinator can filter, each read with the list's own query, and who
of them is left out and why.

A source turns the list's filter arguments (the query string of the list page) into a Segment: an SQL query
of candidate addresses with what merge fields and exclusions need, one row per address.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict

from forum_crm.editions.participant_forms import ParticipantFilterForm
from forum_crm.editions.participation_queries import participant_list, represented_organisation
from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.mailings.merge_fields import Addressee
from forum_crm.models import Affiliation, Edition, Organisation, Participation, ParticipationStatus, Person, Role, User
from forum_crm.organisations.forms import OrganisationFilterForm
from forum_crm.organisations.queries import area_choices, organisation_list
from forum_crm.people.forms import PersonFilterForm
from forum_crm.people.queries import person_list
from forum_crm.reports.forms import PeriodForm
from forum_crm.reports.queries import last_two_editions, organisations_to_reengage

DEFAULT_LANGUAGE = "pl"
LANGUAGES = ("pl", "en")  # the languages a mailing can be written in; others get the Polish text

# Why a candidate is left out, in the order they are checked.
LEFT_OUT_REASONS = {
    "anonymised": _l("anonymised"),
    "archived": _l("archived"),
    "no_email": _l("no e-mail address"),
    "withdrawn": _l("withdrew consent to mailings"),
    "duplicate": _l("the same address twice"),
}


@dataclass(frozen=True)
class Segment:
    rows: sa.Select  # columns: see _columns()
    back_url: str  # the list it was taken from, with its filters
    # The edition all its people registered for (participants filtered by status), else None.
    registered_for: int | None = None


@dataclass(frozen=True)
class Source:
    label: object
    build: Callable[[MultiDict], Segment]


def _columns(person_id, organisation_id, email, first_name, organisation_name, language, archived_at, anonymised_at,
             withdrawn_at) -> list:
    return [person_id.label("person_id"), organisation_id.label("organisation_id"), email.label("email"),
            first_name.label("first_name"), organisation_name.label("organisation_name"),
            language.label("language"), archived_at.label("archived_at"), anonymised_at.label("anonymised_at"),
            withdrawn_at.label("withdrawn_at")]


def _null(type_=sa.String):
    return sa.null().cast(type_)


def people_rows(person_ids: sa.Select) -> sa.Select:
    """These people, each with the organisation they represent now."""
    organisation_id = represented_organisation(Person.id)
    name = sa.select(Organisation.name).where(Organisation.id == organisation_id).scalar_subquery()
    return sa.select(*_columns(Person.id, organisation_id, Person.email, Person.first_name, name, Person.language,
                               Person.archived_at, Person.anonymised_at, Person.newsletter_withdrawn_at)
                     ).where(Person.id.in_(person_ids)).order_by(Person.name_sort, Person.id)


def organisation_contact_rows(organisation_ids: sa.Select) -> sa.Select:
    """These organisations' own e-mail addresses (not a person's: no consent to withdraw)."""
    return sa.select(*_columns(_null(sa.Integer), Organisation.id, Organisation.email, sa.literal(""),
                               Organisation.name, _null(), Organisation.archived_at, _null(sa.DateTime),
                               _null(sa.DateTime))
                     ).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name_sort, Organisation.id)


def organisation_people_rows(organisation_ids: sa.Select) -> sa.Select:
    """The people who work at these organisations now, each as one of them."""
    return (sa.select(*_columns(Person.id, Organisation.id, Person.email, Person.first_name, Organisation.name,
                                Person.language, Person.archived_at, Person.anonymised_at,
                                Person.newsletter_withdrawn_at))
            .select_from(Affiliation).join(Person, Affiliation.person_id == Person.id)
            .join(Organisation, Affiliation.organisation_id == Organisation.id)
            .where(Affiliation.organisation_id.in_(organisation_ids), Affiliation.is_current)
            .order_by(Organisation.name_sort, Person.name_sort, Person.id))


def organisation_editor_rows(organisation_ids: sa.Select) -> sa.Select:
    """The active accounts that keep these organisations' profiles, with their person when known."""
    return (sa.select(*_columns(User.person_id, Organisation.id, User.email, sa.func.coalesce(Person.first_name, ""),
                                Organisation.name, Person.language, Person.archived_at, Person.anonymised_at,
                                Person.newsletter_withdrawn_at))
            .select_from(User).join(Organisation, User.organisation_id == Organisation.id)
            .outerjoin(Person, User.person_id == Person.id)
            .where(User.organisation_id.in_(organisation_ids), User.role == Role.ORG_EDITOR, User.active)
            .order_by(Organisation.name_sort, User.email))


def _people(args: MultiDict) -> Segment:
    ids = person_list(PersonFilterForm(args).filters()).with_only_columns(Person.id).order_by(None)
    return Segment(people_rows(ids), url_for("people.person_list", **args))


def _organisations(rows: Callable[[sa.Select], sa.Select]) -> Callable[[MultiDict], Segment]:
    def build(args: MultiDict) -> Segment:
        filters = OrganisationFilterForm(args, area_choices()).filters()
        ids = organisation_list(filters).with_only_columns(Organisation.id).order_by(None)
        return Segment(rows(ids), url_for("organisations.organisation_list", **args))
    return build


def _reengage(rows: Callable[[sa.Select], sa.Select]) -> Callable[[MultiDict], Segment]:
    def build(args: MultiDict) -> Segment:
        period = PeriodForm(args).period()
        last_two = last_two_editions(period)
        ids = (organisations_to_reengage(last_two, period.include_demo).with_only_columns(Organisation.id)
               .order_by(None) if len(last_two) == 2 else sa.select(Organisation.id).where(sa.false()))
        return Segment(rows(ids), url_for("reports.reengage", **args))
    return build


def _participants(args: MultiDict) -> Segment:
    edition = db.session.get(Edition, _edition_id(args))
    if edition is None:
        raise LookupError("edition")
    filters = ParticipantFilterForm(args).filters()
    chosen = (participant_list(edition.id, filters).with_only_columns(Participation.id).order_by(None))
    rows = (sa.select(*_columns(Person.id, Organisation.id, Person.email, Person.first_name, Organisation.name,
                                Person.language, Person.archived_at, Person.anonymised_at,
                                Person.newsletter_withdrawn_at))
            .select_from(Participation).join(Person, Participation.person_id == Person.id)
            .outerjoin(Organisation, Participation.organisation_id == Organisation.id)
            .where(Participation.id.in_(chosen)).order_by(Person.name_sort, Person.id))
    registered = filters.status in (ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED)
    back = MultiDict(args)
    back.pop("edition", None)
    return Segment(rows, url_for("editions.participants", id=edition.id, **back),
                   registered_for=edition.id if registered else None)


def _edition_id(args: MultiDict) -> int:
    value = args.get("edition", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0


SOURCES: dict[str, Source] = {
    "people": Source(_l("People"), _people),
    "organisations": Source(_l("Organisations: their own e-mail addresses"), _organisations(organisation_contact_rows)),
    "organisation_people": Source(_l("Organisations: their people"), _organisations(organisation_people_rows)),
    "organisation_editors": Source(_l("Organisations: the editors of their profiles"),
                                   _organisations(organisation_editor_rows)),
    "reengage": Source(_l("Organisations to re-engage: their own e-mail addresses"),
                       _reengage(organisation_contact_rows)),
    "reengage_people": Source(_l("Organisations to re-engage: their people"), _reengage(organisation_people_rows)),
    "participants": Source(_l("Participants of an edition"), _participants),
}


def segment_of(source: str, args: dict[str, str]) -> Segment:
    """The segment a mailing's source and arguments name. LookupError for an unknown source or edition."""
    if source not in SOURCES:
        raise LookupError(source)
    return SOURCES[source].build(MultiDict(args))


def list_arguments(args: MultiDict) -> dict[str, str]:
    """A list page's filter arguments worth keeping: one value each, without the page number or the source."""
    return {key: value for key, value in args.items() if key not in ("page", "source") and value}


def consent_needed(segment: Segment, edition_id: int | None) -> bool:
    """Only a mailing about an edition, sent to the people registered for it, may skip the newsletter consent."""
    return not (edition_id is not None and segment.registered_for == edition_id)


@dataclass
class Split:
    addressees: list[Addressee]
    left_out: Counter


def split(segment: Segment, consent: bool) -> Split:
    """The segment's candidates: who gets the mailing, and who is left out, counted by reason."""
    addressees, left_out, seen = [], Counter(), set()
    for row in db.session.execute(segment.rows):
        reason = _reason(row, consent, seen)
        if reason:
            left_out[reason] += 1
            continue
        seen.add(row.email)
        addressees.append(Addressee(
            email=row.email, language=row.language if row.language in LANGUAGES else DEFAULT_LANGUAGE,
            person_id=row.person_id, organisation_id=row.organisation_id, first_name=row.first_name or "",
            organisation_name=row.organisation_name or ""))
    return Split(addressees, left_out)


def _reason(row, consent: bool, seen: set[str]) -> str | None:
    if row.anonymised_at is not None:
        return "anonymised"
    if row.archived_at is not None:
        return "archived"
    if not row.email:
        return "no_email"
    if consent and row.withdrawn_at is not None:
        return "withdrawn"
    if row.email in seen:
        return "duplicate"
    return None
