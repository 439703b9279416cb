"""Reading mailings: the list, a mailing's recipients with their states, contact history of a person or
an organisation."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.extensions import db
from forum_crm.models import Edition, Mailing, MailingRecipient, OutboxMessage, OutboxState


def _count_in(state: OutboxState) -> sa.ScalarSelect:
    return (sa.select(sa.func.count()).select_from(MailingRecipient)
            .join(OutboxMessage, MailingRecipient.outbox_message_id == OutboxMessage.id)
            .where(MailingRecipient.mailing_id == Mailing.id, OutboxMessage.state == state)
            .correlate(Mailing).scalar_subquery())


def mailing_list() -> sa.Select:
    """Mailings newest first, drafts included, with how many of each were sent and failed."""
    return (sa.select(Mailing, _count_in(OutboxState.SENT).label("sent"), _count_in(OutboxState.FAILED).label("failed"))
            .options(joinedload(Mailing.created_by), joinedload(Mailing.edition))
            .order_by(Mailing.id.desc()))


def recipients(mailing_id: int, state: OutboxState | None) -> sa.Select:
    """A mailing's recipients by address, with their outbox message (its state and the server's answer)."""
    query = (sa.select(MailingRecipient, OutboxMessage)
             .outerjoin(OutboxMessage, MailingRecipient.outbox_message_id == OutboxMessage.id)
             .where(MailingRecipient.mailing_id == mailing_id)
             .options(joinedload(MailingRecipient.person), joinedload(MailingRecipient.organisation))
             .order_by(MailingRecipient.email))
    return query.where(OutboxMessage.state == state) if state is not None else query


def state_counts(mailing_id: int) -> dict[OutboxState, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).select_from(MailingRecipient)
        .join(OutboxMessage, MailingRecipient.outbox_message_id == OutboxMessage.id)
        .where(MailingRecipient.mailing_id == mailing_id).group_by(OutboxMessage.state))
    return {state: count for state, count in rows}


def _history(condition: sa.ColumnElement[bool]) -> sa.Select:
    return (sa.select(MailingRecipient, Mailing, OutboxMessage)
            .join(Mailing, MailingRecipient.mailing_id == Mailing.id)
            .outerjoin(OutboxMessage, MailingRecipient.outbox_message_id == OutboxMessage.id)
            .where(condition).order_by(Mailing.queued_at.desc(), MailingRecipient.id.desc()))


def person_contact_history(person_id: int) -> sa.Select:
    """The mailings a person was sent, newest first, with each one's state."""
    return _history(MailingRecipient.person_id == person_id)


def organisation_contact_history(organisation_id: int) -> sa.Select:
    """The mailings sent to an organisation's address or to its people as its people, newest first."""
    return _history(MailingRecipient.organisation_id == organisation_id)


def editions_newest_first() -> list[Edition]:
    return list(db.session.scalars(sa.select(Edition).order_by(Edition.start_date.desc(), Edition.id.desc())))
