"""Registration answers and mailings are a person's data too: in their download, gone at erasure, and free-text
answers deleted ANSWER_RETENTION_DAYS after the edition."""

from datetime import date, timedelta

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.gdpr.erasure import anonymise
from forum_crm.gdpr.places import PLACES
from forum_crm.gdpr.retention import delete_expired_answers
from forum_crm.gdpr.subject import subject_of
from forum_crm.models import Mailing, MailingRecipient, Registration
from forum_crm.models.base import utcnow
from tests import factories

TODAY = date.today()


def registered(person, edition, dietary: str) -> Registration:
    participation = factories.participation(edition, person)
    registration = Registration(participation=participation, answered_at=utcnow(), dietary_needs=dietary,
                                accessibility_needs="wózek", free_answer="Ołena z Lublina", travel_from="Lublin")
    db.session.add(registration)
    db.session.flush()
    return registration


def sections_of(person) -> dict[str, list]:
    subject = subject_of(person)
    return {place.key: list(place.rows(subject)) for place in PLACES}


def test_answers_and_mailings_are_in_the_download_and_go_at_erasure(ctx):
    person = factories.person("Ołena", "Szewczenko", email="olena@example.org")
    registration = registered(person, factories.edition(1), "bez glutenu")
    mailing = Mailing(source="people", source_args={}, subject_pl="Zaproszenie", body_pl="Treść")
    db.session.add(mailing)
    db.session.flush()
    db.session.add(MailingRecipient(mailing=mailing, person=person, email="olena@example.org", language="pl"))
    db.session.flush()
    sections = sections_of(person)
    assert sections["registrations"][0]["dietary_needs"] == "bez glutenu"
    assert sections["mailings"][0]["mailing"] == "Zaproszenie"

    anonymise(person, "Art. 17")
    db.session.flush()
    db.session.refresh(registration)
    assert (registration.dietary_needs, registration.accessibility_needs, registration.free_answer,
            registration.travel_from) == (None, None, None, None)
    assert registration.answered_at is not None  # that they registered still counts
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailingRecipient)) == 0


def test_free_text_answers_are_deleted_after_the_edition(ctx):
    person = factories.person()
    past = factories.edition(1, TODAY - timedelta(days=60), TODAY - timedelta(days=59))
    recent = factories.edition(2, TODAY - timedelta(days=5), TODAY - timedelta(days=4))
    old, new = registered(person, past, "wegańska"), registered(person, recent, "bez laktozy")
    assert delete_expired_answers(TODAY - timedelta(days=30)) == 1
    db.session.refresh(old)
    db.session.refresh(new)
    assert (old.dietary_needs, old.accessibility_needs, old.free_answer) == (None, None, None)
    assert old.travel_from == "Lublin" and new.dietary_needs == "bez laktozy"
    assert delete_expired_answers(TODAY - timedelta(days=30)) == 0  # nothing left to delete
