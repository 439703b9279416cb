"""Where a person's data lives: one function per table, each giving how to read it for the person's download
(Art. 15 and 20) and how to erase it (Art. 17).

A table added to the app that holds someone's personal data gets its function here and its place in PLACES,
so the download and the erasure both cover it. Erasure runs the places in PLACES order, with values read
before anything changed (see subject.py): the account, which other places find rows by, goes last.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.auth.services import clear_failed_logins
from forum_crm.changelog import loggable
from forum_crm.consents import consent_history, record_consent
from forum_crm.extensions import db
from forum_crm.gdpr.subject import Subject, masked, mentions
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import (
    Affiliation,
    AuthEvent,
    ChangeLogEntry,
    ChoiceKind,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    DismissedPair,
    DuplicateKind,
    ErasureRequest,
    MailingRecipient,
    OutboxMessage,
    PanelSpeaker,
    Participation,
    Person,
    PersonMerge,
    ProgrammeItem,
    Registration,
)
from forum_crm.models.base import utcnow

STREAMED = 500  # rows read at a time from the longer tables (change log, security log, e-mails)

Row = dict[str, Any]


@dataclass(frozen=True)
class Place:
    """A table holding personal data: its section of the download, and how its rows about a person are erased."""

    key: str  # the section's name in the JSON file
    title: Any  # its heading on the download's page (a lazy translation)
    rows: Callable[[Subject], Iterable[Row]]
    erase: Callable[[Subject], None]


def _values(**values: Any) -> Row:
    """A row of the download: values as JSON keeps them (JSON columns as they are)."""
    return {name: value if isinstance(value, dict) else loggable(value) for name, value in values.items()}


def _stream(select: sa.Select) -> Iterator[Any]:
    return db.session.scalars(select.execution_options(yield_per=STREAMED))


def profile() -> Place:
    """person: the profile. Erased in place: the row stays, without a name, so the person still counts in
    their organisation's and each edition's numbers; the duplicate finder's keys and search text go with the name."""
    hidden = {"search_text", "name_sort", "first_key", "last_key", "phone_key", "version"}

    def rows(subject: Subject) -> Iterable[Row]:
        person = subject.person
        values = {column.key: getattr(person, column.key) for column in Person.__table__.columns
                  if column.key not in hidden}
        return [_values(**values, locality=person.locality.name if person.locality else None)]

    def erase(subject: Subject) -> None:
        person = subject.person
        for purpose in ConsentPurpose:  # an anonymous row is listed nowhere and mailed nothing
            record_consent(person, purpose, False, ConsentSource.COORDINATOR, flush=False)
        person.first_name = person.last_name = ""
        person.email = person.phone = person.expertise = person.notes = None
        person.locality = None
        person.share_contact = False
        person.anonymised_at = utcnow()

    return Place("profile", _l("Profile"), rows, erase)


def affiliations() -> Place:
    """affiliation: where they work or worked. Kept for the organisations' counts; the role title, which with the
    organisation can name someone ("president of ..."), goes."""

    def rows(subject: Subject) -> Iterable[Row]:
        return [_values(organisation=row.organisation.name, role_title=row.role_title, is_primary=row.is_primary,
                        started_on=row.started_on, ended_on=row.ended_on)
                for row in db.session.scalars(sa.select(Affiliation).options(joinedload(Affiliation.organisation))
                                              .where(Affiliation.person_id == subject.person.id)
                                              .order_by(Affiliation.started_on, Affiliation.id))]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(Affiliation).where(Affiliation.person_id == subject.person.id)
                           .values(role_title=None))

    return Place("affiliations", _l("Organisations"), rows, erase)


def participations() -> Place:
    """participation and day_attendance: editions and check-ins. Kept, anonymous, for each edition's numbers."""

    def rows(subject: Subject) -> Iterable[Row]:
        query = (sa.select(Participation).where(Participation.person_id == subject.person.id)
                 .options(joinedload(Participation.edition), joinedload(Participation.organisation),
                          selectinload(Participation.days_attended)).order_by(Participation.id))
        return [_values(edition=str(row.edition), starts=row.edition.start_date, status=row.status, role=row.role,
                        organisation=row.organisation.name if row.organisation else None,
                        checked_in=[day.checked_in_at for day in row.days_attended], created_at=row.created_at)
                for row in db.session.scalars(query)]

    return Place("participations", _l("Forum editions and check-ins"), rows, lambda subject: None)


def panel_speakers() -> Place:
    """panel_speaker: panels they spoke at. The institution they represented stays as the panel's guest."""

    def rows(subject: Subject) -> Iterable[Row]:
        query = (sa.select(ProgrammeItem.title, ProgrammeItem.day).join(PanelSpeaker)
                 .where(PanelSpeaker.person_id == subject.person.id).order_by(ProgrammeItem.day))
        return [_values(title=title, day=day) for title, day in db.session.execute(query)]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(PanelSpeaker).where(PanelSpeaker.person_id == subject.person.id)
                           .values(person_id=None))

    return Place("panels", _l("Panels"), rows, erase)


def registration_answers() -> Place:
    """registration: what they answered when registering for editions. Free-text answers go; the days, nights and
    the need of a refund stay (each edition's counts)."""

    def rows(subject: Subject) -> Iterable[Row]:
        query = (sa.select(Registration).join(Participation)
                 .where(Participation.person_id == subject.person.id, Registration.answered_at.is_not(None))
                 .options(joinedload(Registration.participation).joinedload(Participation.edition),
                          selectinload(Registration.choices)).order_by(Registration.participation_id))
        return [_values(edition=str(row.participation.edition), answered_at=row.answered_at,
                        days=row.chosen(ChoiceKind.DAY), nights=row.chosen(ChoiceKind.NIGHT),
                        travel_from=row.travel_from, refund_needed=row.refund_needed,
                        dietary_needs=row.dietary_needs, accessibility_needs=row.accessibility_needs,
                        free_answer=row.free_answer) for row in db.session.scalars(query)]

    def erase(subject: Subject) -> None:
        theirs = sa.select(Participation.id).where(Participation.person_id == subject.person.id)
        db.session.execute(sa.update(Registration).where(Registration.participation_id.in_(theirs)).values(
            travel_from=None, dietary_needs=None, accessibility_needs=None, free_answer=None))

    return Place("registrations", _l("Answers given when registering"), rows, erase)


def mailing_recipients() -> Place:
    """mailing_recipient: the mailings they were sent (the e-mails themselves are in outbox_message), deleted."""

    def theirs(subject: Subject) -> sa.ColumnElement[bool]:
        conditions = [MailingRecipient.person_id == subject.person.id]
        if subject.emails:
            conditions.append(MailingRecipient.email.in_(subject.emails))
        return sa.or_(*conditions)

    def rows(subject: Subject) -> Iterable[Row]:
        query = (sa.select(MailingRecipient).where(theirs(subject)).options(joinedload(MailingRecipient.mailing))
                 .order_by(MailingRecipient.id))
        return [_values(mailing=row.mailing.subject, queued_at=row.mailing.queued_at, email=row.email,
                        language=row.language) for row in db.session.scalars(query)]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.delete(MailingRecipient).where(theirs(subject)))

    return Place("mailings", _l("Mailings sent to you"), rows, erase)


def consent_events() -> Place:
    """consent_event: the history of their consents. Kept (when, which purpose, given or not); notes go."""

    def rows(subject: Subject) -> Iterable[Row]:
        return [_values(decided_at=event.decided_at, purpose=event.purpose, given=event.given, source=event.source,
                        wording_version=event.wording_version, note=event.note)
                for event in db.session.scalars(consent_history(subject.person.id))]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(ConsentEvent).where(ConsentEvent.person_id == subject.person.id)
                           .values(note=None))

    return Place("consents", _l("Consents and their history"), rows, erase)


def outbox_messages() -> Place:
    """outbox_message: e-mails sent (or waiting) to them, deleted; others that name them are masked."""

    def theirs(subject: Subject) -> sa.ColumnElement[bool]:
        conditions = [OutboxMessage.person_id == subject.person.id]
        if subject.account:
            conditions.append(OutboxMessage.user_id == subject.account.id)
        if subject.emails:
            conditions.append(OutboxMessage.recipient.in_(subject.emails))
        return sa.or_(*conditions)

    def rows(subject: Subject) -> Iterable[Row]:
        return (_values(created_at=message.created_at, recipient=message.recipient, subject=message.subject,
                        text_body=message.text_body, state=message.state, sent_at=message.sent_at)
                for message in _stream(sa.select(OutboxMessage).where(theirs(subject)).order_by(OutboxMessage.id)))

    def erase(subject: Subject) -> None:
        db.session.execute(sa.delete(OutboxMessage).where(theirs(subject)))
        columns = ("recipient", "subject", "text_body", "html_body", "last_error")
        naming = sa.or_(*(mentions(getattr(OutboxMessage, name), subject.values) for name in columns))
        for message in db.session.scalars(sa.select(OutboxMessage).where(naming)).all():
            for name in columns:
                setattr(message, name, masked(getattr(message, name), subject.values))

    return Place("messages", _l("E-mails sent to you"), rows, erase)


def change_log() -> Place:
    """change_log: changes of their record (its name, and every value, go: who changed it when stays), and
    entries about other records (an edition's participants, a merge) that name them (the name is masked)."""

    def about(subject: Subject) -> sa.ColumnElement[bool]:
        return sa.and_(ChangeLogEntry.entity_type == "person", ChangeLogEntry.entity_id == subject.person.id)

    def rows(subject: Subject) -> Iterable[Row]:
        return (_values(occurred_at=entry.occurred_at, action=entry.action, changes=entry.changes)
                for entry in _stream(sa.select(ChangeLogEntry).where(about(subject)).order_by(ChangeLogEntry.id)))

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(ChangeLogEntry).where(about(subject))
                           .values(entity_label=subject.person.full_name, changes={}))
        naming = sa.and_(sa.not_(about(subject)), sa.or_(mentions(ChangeLogEntry.entity_label, subject.values),
                                                         mentions(ChangeLogEntry.changes, subject.values)))
        for entry in db.session.scalars(sa.select(ChangeLogEntry).where(naming)).all():
            entry.entity_label = masked(entry.entity_label, subject.values)
            entry.changes = masked(entry.changes, subject.values)

    return Place("changes", _l("Changes to your record"), rows, erase)


def person_merges() -> Place:
    """person_merge: merges into their record keep the merged-away copy of them (for undo): deleted, so a
    merge can no longer be undone; dismissed_pair: pairs of them with others marked "not a duplicate"."""

    def rows(subject: Subject) -> Iterable[Row]:
        return [_values(merged_at=merge.merged_at, undone_at=merge.undone_at) for merge in db.session.scalars(
            sa.select(PersonMerge).where(PersonMerge.kept_id == subject.person.id).order_by(PersonMerge.id))]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.delete(PersonMerge).where(sa.or_(
            PersonMerge.kept_id == subject.person.id, mentions(PersonMerge.removed, subject.values),
            mentions(PersonMerge.kept_before, subject.values))))
        db.session.execute(sa.delete(DismissedPair).where(
            DismissedPair.kind == DuplicateKind.PERSON,
            sa.or_(DismissedPair.first_id == subject.person.id, DismissedPair.second_id == subject.person.id)))

    return Place("merges", _l("Duplicate records merged into yours"), rows, erase)


def erasure_requests() -> Place:
    """erasure_request: their requests; their own message goes, the record of the request stays."""

    def rows(subject: Subject) -> Iterable[Row]:
        return [_values(requested_at=request.requested_at, state=request.state, message=request.message,
                        handled_at=request.handled_at)
                for request in db.session.scalars(sa.select(ErasureRequest).where(
                    ErasureRequest.person_id == subject.person.id).order_by(ErasureRequest.id))]

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(ErasureRequest).where(ErasureRequest.person_id == subject.person.id)
                           .values(message=None))

    return Place("erasure_requests", _l("Requests to erase your data"), rows, erase)


def security_log() -> Place:
    """auth_event: their account's security log (what happened and when stays; the address typed, the client's
    address and the detail go), and entries elsewhere that name them (a search for them in an export's filters)."""

    def theirs(subject: Subject) -> sa.ColumnElement[bool]:
        conditions = [AuthEvent.email.in_(subject.emails)] if subject.emails else []
        if subject.account:
            conditions.append(AuthEvent.user_id == subject.account.id)
        return sa.or_(*conditions) if conditions else sa.false()

    def rows(subject: Subject) -> Iterable[Row]:
        return (_values(occurred_at=event.occurred_at, kind=event.kind, email=event.email, address=event.address,
                        path=event.path, detail=event.detail)
                for event in _stream(sa.select(AuthEvent).where(theirs(subject)).order_by(AuthEvent.id)))

    def erase(subject: Subject) -> None:
        db.session.execute(sa.update(AuthEvent).where(theirs(subject)).values(email=None, address=None, detail=None))
        # A first or last name alone is masked only in details (an export's filters: "q=Kowalska").
        everything = subject.values + subject.names
        naming = sa.or_(mentions(AuthEvent.email, subject.values), mentions(AuthEvent.path, subject.values),
                        mentions(AuthEvent.detail, everything))
        for event in db.session.scalars(sa.select(AuthEvent).where(naming)).all():
            if event.email and masked(event.email, subject.values) != event.email:
                event.email = None
            event.path, event.detail = masked(event.path, subject.values), masked(event.detail, everything)

    return Place("security_log", _l("Security log of your account"), rows, erase)


def account() -> Place:
    """user_account (with account_token and login_attempt): their login account, deleted: nobody can log in as
    them, and what they changed stays in the change log without their name."""

    def rows(subject: Subject) -> Iterable[Row]:
        user = subject.account
        if user is None:
            return []
        return [_values(email=user.email, role=user.role, active=user.active, created_at=user.created_at,
                        last_login_at=user.last_login_at)]

    def erase(subject: Subject) -> None:
        if subject.account is not None:
            clear_failed_logins(subject.account.email)
            db.session.delete(subject.account)

    return Place("account", _l("Login account"), rows, erase)


# Every place, in the order of the download and of erasure.
PLACES: tuple[Place, ...] = (profile(), affiliations(), participations(), registration_answers(), panel_speakers(),
                             consent_events(), mailing_recipients(), outbox_messages(), change_log(), person_merges(),
                             erasure_requests(), security_log(), account())
