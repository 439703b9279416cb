"""Retention: people with no activity for longer than RETENTION_MONTHS are anonymised, and the answers people gave
when registering for an edition are deleted ANSWER_RETENTION_DAYS after it ends (`flask gdpr retention --apply`)."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum_crm.extensions import db
from forum_crm.gdpr.erasure import anonymise
from forum_crm.gdpr.queries import inactive_people, retention_cutoff
from forum_crm.kept import kept_scalar
from forum_crm.models import Edition, ErasureSource, Participation, Registration

BATCH = 200  # people anonymised (and committed) at a time


@dataclass(frozen=True)
class RetentionOutcome:
    people: int  # anonymised
    answers: int  # registration answers deleted


def people_past_retention(today: date):
    """The query of people past the retention period on `today` (see queries.inactive_people)."""
    return inactive_people(retention_cutoff(today, current_app.config["RETENTION_MONTHS"]))


def delete_expired_answers(ended_before: date) -> int:
    """Delete the free-text answers people gave when registering for editions that ended before `ended_before`
    (dietary and accessibility needs, the own question): needed only for the edition itself. The days, nights and
    refunds stay, for the edition's counts. Returns how many registrations lost answers."""
    ended = sa.select(Participation.id).join(Edition).where(Edition.end_date < ended_before)
    holding = sa.or_(Registration.dietary_needs.is_not(None), Registration.accessibility_needs.is_not(None),
                     Registration.free_answer.is_not(None))
    result = db.session.execute(sa.update(Registration).where(Registration.participation_id.in_(ended), holding)
                                .values(dietary_needs=None, accessibility_needs=None, free_answer=None))
    return result.rowcount


def apply_retention(today: date) -> RetentionOutcome:
    """Anonymise everyone past the retention period (committed in batches) and delete expired answers."""
    reason = _("No activity for %(months)d months (retention period).", months=current_app.config["RETENTION_MONTHS"])
    query = people_past_retention(today)
    anonymised = 0
    while people := db.session.scalars(query.limit(BATCH)).all():
        for person in people:
            anonymise(person, reason, source=ErasureSource.RETENTION)
        db.session.commit()
        anonymised += len(people)
    answers = delete_expired_answers(today - timedelta(days=current_app.config["ANSWER_RETENTION_DAYS"]))
    db.session.commit()
    return RetentionOutcome(anonymised, answers)


def count_past_retention(today: date) -> int:
    """How many people are past the retention period on `today`: the count the retention page shows (the same
    statement), kept until a table it reads changes (forum_crm.kept)."""
    return kept_scalar(_past_retention_count(retention_cutoff(today, current_app.config["RETENTION_MONTHS"])))


@functools.lru_cache(maxsize=8)
def _past_retention_count(cutoff: datetime) -> sa.Select:
    """The count of inactive_people(cutoff), built once a day (with its cache key) rather than on every home page."""
    query = inactive_people(cutoff)
    return query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
