"""Constraints that live in the database, and the models' derived fields."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    Participation,
    Person,
    ProgrammeItem,
    ProgrammeKind,
    Role,
    User,
    Voivodeship,
)
from forum_crm.text import fold
from tests import factories


def refused(statement_or_row):
    """True if the database refuses the INSERT/flush (the session is rolled back to before it)."""
    savepoint = db.session.begin_nested()
    try:
        if isinstance(statement_or_row, sa.Executable):
            db.session.execute(statement_or_row)
        else:
            db.session.add(statement_or_row)
        db.session.flush()
    except (IntegrityError, StatementError):
        savepoint.rollback()
        return True
    savepoint.rollback()
    return False


def test_person_email_is_unique_whatever_its_case(ctx):
    factories.person(email="Anna.Nowak@Example.org")
    assert db.session.scalar(sa.select(Person.email)) == "anna.nowak@example.org"
    assert refused(Person(first_name="A", last_name="N", email="ANNA.NOWAK@example.org"))


def test_database_refuses_upper_case_email_written_around_the_model(ctx):
    assert refused(sa.insert(Person).values(first_name="A", last_name="B", email="Upper@Example.org",
                                            search_text="", name_sort=""))


def test_user_email_is_unique_whatever_its_case(ctx):
    factories.user(email="koordynator@example.org")
    assert refused(User(email="KOORDYNATOR@example.org", role=Role.COORDINATOR, password_hash="x"))


def test_edition_cannot_end_before_it_starts(ctx):
    assert refused(Edition(number=1, start_date=date(2023, 5, 19), end_date=date(2023, 5, 18)))
    assert not refused(Edition(number=1, start_date=date(2023, 5, 18), end_date=date(2023, 5, 18)))


def test_edition_numbers_are_unique_and_positive(ctx):
    factories.edition(number=1)
    assert refused(Edition(number=1, start_date=date(2024, 1, 1), end_date=date(2024, 1, 2)))
    assert refused(Edition(number=0, start_date=date(2024, 1, 1), end_date=date(2024, 1, 2)))


def test_locality_is_unique_by_name_within_a_voivodeship(ctx):
    factories.locality("Kamionka", Voivodeship.LUBELSKIE, 51.47, 22.46)
    assert not refused(Locality(name="Kamionka", voivodeship=Voivodeship.MAZOWIECKIE, latitude=52.0, longitude=20.9))
    assert refused(Locality(name="Kamionka", voivodeship=Voivodeship.LUBELSKIE, latitude=51.0, longitude=22.0))


def test_locality_needs_both_coordinates_or_none(ctx):
    assert refused(Locality(name="Gdzieś", voivodeship=Voivodeship.OPOLSKIE, latitude=50.0))
    assert refused(Locality(name="Gdzieś", voivodeship=Voivodeship.OPOLSKIE, latitude=95.0, longitude=20.0))


def test_enumerated_columns_refuse_unknown_values(ctx):
    assert refused(sa.insert(Organisation).values(name="X", sector="pirates", name_key="x", search_text="x",
                                                  name_sort="x", consortium_member=False, origin="manual",
                                                  created_at=sa.func.now(), updated_at=sa.func.now(), version=1))


def test_organisation_names_are_unique_ignoring_case_and_diacritics(ctx):
    factories.organisation("Fundacja Łąka")
    assert refused(Organisation(name="fundacja laka"))


def test_krs_and_nip_have_ten_characters(ctx):
    assert refused(Organisation(name="A", krs="123"))
    assert refused(Organisation(name="B", nip="12345678901"))


def test_org_editor_account_must_name_its_organisation(ctx):
    assert refused(User(email="e@example.org", role=Role.ORG_EDITOR, password_hash="x"))


def test_affiliation_dates_in_order(ctx):
    person, organisation = factories.person(), factories.organisation()
    assert refused(Affiliation(person_id=person.id, organisation_id=organisation.id,
                               started_on=date(2024, 1, 1), ended_on=date(2023, 1, 1)))


def test_one_participation_per_person_and_edition(ctx):
    edition, person = factories.edition(), factories.person()
    factories.participation(edition, person)
    assert refused(Participation(edition=edition, person=person))


def test_a_day_is_attended_once(ctx):
    participation = factories.participation(factories.edition(), factories.person())
    db.session.add(DayAttendance(participation_id=participation.id, day=date(2023, 5, 18)))
    db.session.flush()
    assert refused(DayAttendance(participation_id=participation.id, day=date(2023, 5, 18)))


def test_organisation_with_people_cannot_be_deleted(ctx):
    organisation = factories.organisation()
    factories.affiliation(factories.person(), organisation)
    assert refused(sa.delete(Organisation).where(Organisation.id == organisation.id))


def test_locality_in_use_cannot_be_deleted(ctx):
    lublin = factories.locality()
    factories.organisation(locality=lublin)
    assert refused(sa.delete(Locality).where(Locality.id == lublin.id))


def test_person_with_attendance_history_cannot_be_deleted(ctx):
    person = factories.person()
    factories.participation(factories.edition(), person)
    assert refused(sa.delete(Person).where(Person.id == person.id))


def test_deleting_a_person_deletes_their_affiliations(ctx):
    person = factories.person()
    factories.affiliation(person, factories.organisation())
    db.session.execute(sa.delete(Person).where(Person.id == person.id))
    assert db.session.scalar(sa.select(sa.func.count(Affiliation.id))) == 0


def test_deleting_an_edition_deletes_its_programme(ctx):
    edition = factories.edition()
    db.session.add(ProgrammeItem(edition=edition, kind=ProgrammeKind.PANEL, title="Panel"))
    db.session.flush()
    db.session.execute(sa.delete(Edition).where(Edition.id == edition.id))
    assert db.session.scalar(sa.select(sa.func.count(ProgrammeItem.id))) == 0


def test_search_and_sort_keys_follow_the_name(ctx):
    organisation = factories.organisation("Stowarzyszenie Łąka", short_name="ŁĄKA")
    assert organisation.name_key == "stowarzyszenie laka"
    assert "laka" in organisation.search_text
    organisation.name = "Fundacja Żółw"
    assert organisation.name_key == fold("Fundacja Żółw")
    person = factories.person("Żaneta", "Ślęzak", email="Z.Slezak@Example.org")
    assert person.search_text == "zaneta slezak z.slezak@example.org"


def test_edits_of_a_stale_copy_are_refused(app):
    """Optimistic locking: a save based on an old version fails instead of overwriting."""
    with app.app_context():
        organisation_id = factories.committed(factories.organisation("Fundacja Wersja")).id
    with app.app_context():
        first = db.session.get(Organisation, organisation_id)
        with db.engine.connect() as other:  # someone else saves in between
            other.execute(sa.update(Organisation).where(Organisation.id == organisation_id)
                          .values(description="meanwhile", version=Organisation.version + 1))
            other.commit()
        first.description = "mine"
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()


def test_edition_roman_number_and_days():
    edition = Edition(number=14, start_date=date(2023, 8, 31), end_date=date(2023, 9, 1))
    assert edition.roman_number == "XIV"
    assert edition.days == [date(2023, 8, 31), date(2023, 9, 1)]
