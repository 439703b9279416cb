"""Consents per purpose: the current state on the person's row and the history in consent_event change together."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm.consents import WORDING_VERSIONS, consent_history, has_consent, record_consent
from forum_crm.extensions import db
from forum_crm.models import ConsentEvent, ConsentPurpose, ConsentSource, Person
from tests import factories

PAPER = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def history(person):
    return db.session.scalars(consent_history(person.id)).all()


def test_giving_and_withdrawing_keeps_each_step(ctx):
    person = factories.person("Ołena", "Szewczenko")
    given = record_consent(person, ConsentPurpose.MAP, True, ConsentSource.COORDINATOR, note="formularz Forum III",
                           at=PAPER)
    assert person.map_consent_at == PAPER and person.is_on_map
    withdrawn = record_consent(person, ConsentPurpose.MAP, False, ConsentSource.FORM)
    assert person.map_consent_at is None and not person.is_on_map
    assert [event.id for event in history(person)] == [withdrawn.id, given.id]
    assert (given.given, given.source, given.note, given.wording_version) == (
        True, ConsentSource.COORDINATOR, "formularz Forum III", WORDING_VERSIONS[ConsentPurpose.MAP])
    assert (withdrawn.given, withdrawn.source, withdrawn.recorded_by_id) == (False, ConsentSource.FORM, None)


def test_recording_the_state_it_already_has_adds_nothing(ctx):
    person = factories.person(directory_consent_at=PAPER)
    assert record_consent(person, ConsentPurpose.DIRECTORY, True, ConsentSource.FORM) is None
    assert person.directory_consent_at == PAPER and history(person) == []


def test_photographs_need_a_consent(ctx):
    person = factories.person()
    assert not has_consent(person, ConsentPurpose.PHOTOGRAPHS)
    record_consent(person, ConsentPurpose.PHOTOGRAPHS, True, ConsentSource.REGISTRATION)
    assert has_consent(person, ConsentPurpose.PHOTOGRAPHS) and person.photo_consent_at is not None


def test_mailings_go_until_the_person_withdraws(ctx):
    staying, leaving, archived = (factories.person(last_name=name) for name in ("Zostaje", "Wypisana", "Archiwalna"))
    archived.archived_at = PAPER
    assert has_consent(leaving, ConsentPurpose.NEWSLETTER)
    record_consent(leaving, ConsentPurpose.NEWSLETTER, False, ConsentSource.UNSUBSCRIBE)
    assert leaving.newsletter_withdrawn_at is not None and not leaving.accepts_newsletter
    receiving = db.session.scalars(sa.select(Person.last_name).where(Person.accepts_newsletter)).all()
    assert receiving == ["Zostaje"]
    record_consent(leaving, ConsentPurpose.NEWSLETTER, True, ConsentSource.FORM)
    assert leaving.newsletter_withdrawn_at is None and leaving.accepts_newsletter


def test_the_history_goes_with_the_person(ctx):
    person = factories.person()
    record_consent(person, ConsentPurpose.DIRECTORY, True, ConsentSource.FORM)
    db.session.delete(person)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentEvent)) == 0


def test_the_migration_keeps_earlier_consents_as_the_first_history(migration_app):
    upgrade(revision="0006")
    db.session.execute(sa.text(
        "INSERT INTO person (id, first_name, last_name, forum_member, leader, directory_consent_at, map_consent_at,"
        " consent_source, share_contact, origin, created_at, updated_at, version, search_text, name_sort)"
        " VALUES (7, 'Anna', 'Nowak', false, false, :at, NULL, 'formularz Forum I', false, 'manual', :at, :at, 1,"
        " 'anna nowak', 'nowak anna')"), {"at": PAPER})
    db.session.commit()
    upgrade()
    rows = db.session.execute(sa.text(
        "SELECT person_id, purpose, given, source, note, wording_version FROM consent_event")).all()
    assert [tuple(row) for row in rows] == [(7, "directory", True, "earlier", "formularz Forum I", None)]
