"""Merging two people: the chosen values, every attached row moved, participations in one edition joined,
one readable change-log entry; refusals; the merge page."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum_crm.changelog import record_change
from forum_crm.consents import record_consent
from forum_crm.duplicates.merging import merge_people, undo_merge
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    DayAttendance,
    PanelSpeaker,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    PersonMerge,
    ProgrammeItem,
    ProgrammeKind,
    Role,
)
from tests import factories
from tests.test_events import english, post

DAY_1, DAY_2 = date(2023, 5, 18), date(2023, 5, 19)


@pytest.fixture
def twins(ctx):
    """Ołena Szewczenko (kept) and Olena Szewczenko (merged into her), each with things attached."""
    lublin = factories.locality()
    kept = factories.person("Ołena", "Szewczenko", email="olena@example.org")
    other = factories.person("Olena", "Szewczenko", phone="601 234 567", locality=lublin, expertise="prawo")
    first, second, third = factories.edition(1, DAY_1, DAY_2), factories.edition(2), factories.edition(3)
    fundacja = factories.organisation("Fundacja X")
    factories.affiliation(other, fundacja, is_primary=True)
    factories.affiliation(kept, factories.organisation("Stowarzyszenie Y"))
    both_kept = factories.participation(first, kept, status=ParticipationStatus.REGISTERED)
    both_other = factories.participation(first, other, status=ParticipationStatus.ATTENDED,
                                         role=ParticipationRole.SPEAKER, organisation=fundacja)
    both_kept.days_attended.append(DayAttendance(day=DAY_1))
    both_other.days_attended.extend([DayAttendance(day=DAY_1), DayAttendance(day=DAY_2)])
    factories.participation(second, other)
    factories.participation(third, kept)
    panel = ProgrammeItem(edition=first, kind=ProgrammeKind.PANEL, title="Panel")
    db.session.add_all([panel, PanelSpeaker(programme_item=panel, organisation=fundacja, person=other)])
    account = factories.user(Role.MEMBER, person=other)
    db.session.flush()
    record_change("person", other, "updated", {"expertise": [None, "prawo"]})
    db.session.flush()
    return kept, other, account


def rows_of(model, **where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_a_merge_moves_every_attached_row(twins):
    kept, other, account = twins
    other_id, kept_id = other.id, kept.id

    merge_people(kept, other, {"first_name"})

    assert db.session.get(Person, other_id) is None
    person = db.session.get(Person, kept_id)
    assert (person.first_name, person.email, person.phone, person.expertise) == (
        "Olena", "olena@example.org", "601 234 567", "prawo")  # chosen, kept, and filled from the other
    assert person.locality.name == "Lublin"
    assert rows_of(Affiliation, person_id=kept_id) == 2
    assert rows_of(Participation, person_id=kept_id) == 3 and rows_of(Participation) == 3
    assert rows_of(PanelSpeaker, person_id=kept_id) == 1
    assert account.person_id == kept_id
    assert rows_of(ChangeLogEntry, entity_type="person", entity_id=other_id) == 0


def test_two_participations_in_one_edition_become_one_with_the_better_status_and_all_days(twins):
    kept, other, _ = twins
    merge_people(kept, other, set())
    joined = db.session.scalar(sa.select(Participation).where(Participation.person_id == kept.id)
                               .order_by(Participation.edition_id))
    assert joined.status == ParticipationStatus.ATTENDED and joined.role == ParticipationRole.SPEAKER
    assert joined.organisation.name == "Fundacja X"
    assert [attendance.day for attendance in joined.days_attended] == [DAY_1, DAY_2]
    assert rows_of(DayAttendance) == 2


def test_the_merge_is_one_readable_change_log_entry(twins):
    kept, other, _ = twins
    merge = merge_people(kept, other, {"first_name"})
    entry = db.session.get(ChangeLogEntry, merge.change_log_id)
    assert (entry.entity_type, entry.entity_id, entry.action) == ("person", kept.id, "merged")
    assert entry.changes["merged_with"] == ["Olena Szewczenko", None]
    assert entry.changes["first_name"] == ["Ołena", "Olena"]
    assert entry.changes["participations_joined"] == [None, 1]
    assert entry.changes["participations_moved"] == [None, 1]
    assert entry.changes["affiliations_moved"] == [None, 1]
    assert rows_of(ChangeLogEntry, action="merged") == 1
    stored = db.session.get(PersonMerge, merge.id)
    assert stored.removed["first_name"] == "Olena" and stored.kept_before == {
        "first_name": "Ołena", "phone": None, "locality_id": None, "expertise": None}


def test_a_merge_is_refused_when_both_have_accounts(twins):
    kept, other, _ = twins
    factories.user(Role.MEMBER, person=kept)
    with pytest.raises(FieldProblem):
        merge_people(kept, other, set())
    assert db.session.get(Person, other.id) is not None


def test_a_person_cannot_be_merged_with_themselves(twins):
    kept, _, _ = twins
    with pytest.raises(FieldProblem):
        merge_people(kept, kept, set())


def test_the_merge_page_merges_the_chosen_way(app, client, login):
    with app.app_context():
        first, second = factories.person("Łukasz", "Wiśniewski"), factories.person("Lukasz", "Wisniewski",
                                                                                   phone="601234567")
        user = factories.user(Role.COORDINATOR)
        first_id, second_id = first.id, second.id
        factories.committed(first, second, user)
    login(user)
    english(client)
    page = client.get(f"/duplicates/people/{first_id}/{second_id}/merge")
    assert page.status_code == 200 and "601234567" in page.text

    response = post(client, f"/duplicates/people/{first_id}/{second_id}/merge",
                    {"kept": "second", "first_name": "first", "last_name": "first"})

    assert response.status_code == 302 and response.location == f"/people/{second_id}"
    with app.app_context():
        assert db.session.get(Person, first_id) is None
        person = db.session.get(Person, second_id)
        assert (person.first_name, person.last_name, person.phone) == ("Łukasz", "Wiśniewski", "601234567")
    assert "merged with a duplicate" in client.get(f"/people/{second_id}").text


# Undo

def test_undoing_a_merge_brings_everything_back(twins):
    kept, other, account = twins
    kept_id, other_id = kept.id, other.id
    before = {model: sorted(db.session.execute(sa.select(model.__table__)).all())
              for model in (Affiliation, Participation, DayAttendance, PanelSpeaker)}
    history = rows_of(ChangeLogEntry, entity_type="person", entity_id=other_id)
    merge = merge_people(kept, other, {"first_name", "email"})

    restored = undo_merge(merge)

    assert restored.id == other_id and restored.full_name == "Olena Szewczenko"
    person = db.session.get(Person, kept_id)
    assert (person.first_name, person.email, person.phone, person.locality) == (
        "Ołena", "olena@example.org", None, None)
    for model, rows in before.items():
        assert sorted(db.session.execute(sa.select(model.__table__)).all()) == rows, model
    assert db.session.get(type(account), account.id).person_id == other_id
    assert rows_of(ChangeLogEntry, entity_type="person", entity_id=other_id) == history
    assert rows_of(ChangeLogEntry, action="merge_undone", entity_id=kept_id) == 1
    with pytest.raises(FieldProblem):
        undo_merge(merge)  # once only


def test_a_merge_older_than_30_days_cannot_be_undone(twins):
    kept, other, _ = twins
    merge = merge_people(kept, other, set())
    merge.merged_at = merge.merged_at - timedelta(days=31)
    with pytest.raises(FieldProblem):
        undo_merge(merge)


def test_the_recent_merges_page_undoes_a_merge(app, client, login):
    with app.app_context():
        first, second = factories.person("Anna", "Kowalska"), factories.person("Kowalska", "Anna")
        user = factories.user(Role.COORDINATOR)
        first_id, second_id = first.id, second.id
        factories.committed(first, second, user)
    login(user)
    english(client)
    post(client, f"/duplicates/people/{first_id}/{second_id}/merge", {"kept": "first"})
    listing = client.get("/duplicates/merges").text
    assert "Undo this merge" in listing and "Kowalska Anna" in listing
    with app.app_context():
        merge_id = db.session.scalar(sa.select(PersonMerge.id))
    response = post(client, f"/duplicates/merges/{merge_id}/undo")
    assert response.status_code == 302 and response.location == f"/people/{second_id}"
    assert "undone" in client.get("/duplicates/merges").text
    with app.app_context():
        assert db.session.get(Person, second_id).full_name == "Kowalska Anna"


def test_consents_and_their_history_move_with_the_merge_and_back(twins):
    kept, other, _account = twins
    kept_id, other_id = kept.id, other.id
    record_consent(other, ConsentPurpose.PHOTOGRAPHS, True, ConsentSource.REGISTRATION)
    record_consent(other, ConsentPurpose.NEWSLETTER, False, ConsentSource.UNSUBSCRIBE)
    merge = merge_people(kept, other, set())
    person = db.session.get(Person, kept_id)
    assert person.photo_consent_at is not None and not person.accepts_newsletter  # filled from the other
    assert rows_of(ConsentEvent, person_id=kept_id) == 2
    undo_merge(merge)
    assert rows_of(ConsentEvent, person_id=other_id) == 2 and rows_of(ConsentEvent, person_id=kept_id) == 0
