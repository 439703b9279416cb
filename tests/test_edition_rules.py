"""The rules of editions live in their services: called directly, without a form, they refuse what the pages
refuse (FieldProblem naming the field) and write nothing."""

from datetime import date, time

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum_crm.editions.participation import add_participant, add_walk_in, check_in, undo_check_in, update_participation
from forum_crm.editions.services import (
    add_partner,
    add_programme_item,
    add_speaker,
    save_edition,
    update_programme_item,
)
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    DayAttendance,
    Edition,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    PartnerRole,
    Person,
    ProgrammeItem,
    ProgrammeKind,
)
from tests import factories
from tests.test_events import programme_item, speaker

DAY_1, DAY_2, AFTER = date(2023, 5, 18), date(2023, 5, 19), date(2023, 5, 20)


@pytest.fixture
def ctx(app):
    """An app context reading English, with the I Forum (18-19 May 2023) stored."""
    with app.app_context(), force_locale("en"):
        factories.committed(factories.edition(1, DAY_1, DAY_2))
        yield db.session.scalar(sa.select(Edition))


def refused(call, *args) -> FieldProblem:
    with pytest.raises(FieldProblem) as problem:
        call(*args)
    db.session.rollback()
    return problem.value


def logged() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry))


def edition_data(**changes) -> dict:
    return {"number": 2, "start_date": date(2024, 6, 6), "end_date": date(2024, 6, 7), "town": None, "venue": None,
            "theme": None, "dates_note": None, "is_public": False, **changes}


def item_data(**changes) -> dict:
    return {"kind": ProgrammeKind.PANEL, "title": "Panel", "day": DAY_2, "starts_at": time(14), "ends_at": time(15),
            "description": None, **changes}


# Editions

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"number": 1}, "number", "An edition with this number already exists."),
    ({"end_date": date(2024, 6, 5)}, "end_date", "The end date cannot be before the start date."),
    ({"end_date": date(2024, 7, 7)}, "end_date", "An edition cannot last longer than 31 days."),
])
def test_a_new_edition_is_refused(ctx, changes, field, message):
    problem = refused(save_edition, Edition(), edition_data(**changes))
    assert (problem.field, problem.message) == (field, message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Edition)) == 1 and logged() == 0


def test_an_edition_keeps_its_own_number(ctx):
    save_edition(ctx, edition_data(number=1, start_date=DAY_1, end_date=DAY_2, theme="Razem"))
    assert ctx.theme == "Razem"


def test_dates_leaving_programme_items_outside_are_refused(ctx):
    programme_item(ctx, day=DAY_2)
    db.session.commit()
    problem = refused(save_edition, ctx, edition_data(number=1, start_date=DAY_1, end_date=DAY_1))
    assert problem.field == "end_date" and problem.message.startswith("The programme has items on May 19, 2023")
    assert db.session.get(Edition, ctx.id).end_date == DAY_2


def test_dates_leaving_check_ins_outside_are_refused(ctx):
    check_in(ctx, factories.person("Jan", "Obecny").id, DAY_1)
    db.session.commit()
    problem = refused(save_edition, ctx, edition_data(number=1, start_date=DAY_2, end_date=AFTER))
    assert problem.field == "start_date"
    assert problem.message == ("People were checked in on May 18, 2023, outside these dates: undo those check-ins "
                               "first.")
    assert db.session.get(Edition, ctx.id).start_date == DAY_1


# The programme

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"day": AFTER}, "day", "Choose one of the days of this edition."),
    ({"starts_at": time(15), "ends_at": time(14)}, "ends_at", "The end time cannot be before the start time."),
])
def test_a_programme_item_is_refused(ctx, changes, field, message):
    problem = refused(add_programme_item, ctx, item_data(**changes))
    assert (problem.field, problem.message) == (field, message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeItem)) == 0 and logged() == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"day": date(2023, 5, 17)}, "day"),
    ({"starts_at": time(16)}, "ends_at"),
    ({"kind": ProgrammeKind.WORKSHOP}, "kind"),  # a panel with guests stays a panel
])
def test_an_edited_programme_item_is_refused(ctx, changes, field):
    item = programme_item(ctx, title="Panel", day=DAY_2, starts_at=time(14), ends_at=time(15))
    speaker(item, factories.organisation("Fundacja Gość"))
    db.session.commit()
    assert refused(update_programme_item, item, item_data(**changes)).field == field
    stored = db.session.get(ProgrammeItem, item.id)
    assert (stored.kind, stored.day, stored.starts_at) == (ProgrammeKind.PANEL, DAY_2, time(14)) and logged() == 0


def test_guests_only_on_panels_and_a_partner_once_per_role(ctx):
    lecture = programme_item(ctx, ProgrammeKind.LECTURE, "Wykład")
    organisation = factories.organisation("Fundacja Partner")
    assert refused(add_speaker, lecture, organisation, None).field is None
    add_partner(ctx, organisation, PartnerRole.MEDIA)
    db.session.commit()
    assert refused(add_partner, ctx, organisation, PartnerRole.MEDIA).field == "organisation"
    add_partner(ctx, organisation, None)  # another role is another partnership


# Participants and the check-in

@pytest.fixture
def listed(ctx) -> Participation:
    return add_participant(ctx, factories.person("Jan", "Obecny"), ParticipationRole.PARTICIPANT,
                           ParticipationStatus.REGISTERED)


def test_someone_on_the_list_is_not_added_twice(ctx, listed):
    problem = refused(add_participant, ctx, listed.person, ParticipationRole.SPEAKER, ParticipationStatus.INVITED)
    assert (problem.field, problem.message) == ("person", "Jan Obecny is already on the list of this edition.")


@pytest.mark.parametrize(("status", "role", "field"), [("party", "participant", "status"),
                                                        ("registered", "boss", "role")])
def test_an_unknown_status_or_role_is_refused(ctx, listed, status, role, field):
    db.session.commit()
    assert refused(update_participation, listed, status, role).field == field
    assert db.session.get(Participation, listed.id).status == ParticipationStatus.REGISTERED


def test_someone_checked_in_stays_attended(ctx, listed):
    check_in(ctx, listed.person_id, DAY_2)
    db.session.commit()
    problem = refused(update_participation, listed, ParticipationStatus.REGISTERED, ParticipationRole.PARTICIPANT)
    assert problem.field == "status" and problem.message.startswith("Checked in on May 19, 2023")
    update_participation(listed, ParticipationStatus.ATTENDED, ParticipationRole.SPEAKER)  # the role may change
    assert listed.role == ParticipationRole.SPEAKER


@pytest.mark.parametrize("day", [date(2023, 5, 17), AFTER])
def test_no_check_in_outside_the_edition(ctx, listed, day):
    db.session.commit()
    for call, args in ((check_in, (ctx, listed.person_id, day)), (undo_check_in, (listed, day)),
                       (add_walk_in, (ctx, {"first_name": "Oksana", "last_name": "Szewczenko", "email": None,
                                            "role": ParticipationRole.GUEST}, day))):
        problem = refused(call, *args)
        assert (problem.field, problem.message) == ("day", "Choose one of the days of this edition.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DayAttendance)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


def test_a_walk_in_with_a_known_e_mail_is_refused(ctx):
    factories.committed(factories.person("Zajęta", "Osoba", email="zajety@example.org"))
    problem = refused(add_walk_in, ctx, {"first_name": "Oksana", "last_name": "Szewczenko",
                                         "email": "Zajety@Example.org", "role": ParticipationRole.GUEST}, DAY_1)
    assert (problem.field, problem.message) == ("email", "Another person has this e-mail address.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
