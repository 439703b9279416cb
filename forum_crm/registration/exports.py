"""An edition's registrations as a CSV or XLSX download: everyone on its list with their answers, a column per
day and per night (marked x), and their place on the waiting list."""

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from forum_crm.labels import label
from forum_crm.models import ChoiceKind, Edition, Participation, ParticipationStatus, Person, Registration
from forum_crm.registration.queries import nights_of
from forum_crm.spreadsheets.columns import PARTICIPANT_COLUMNS, Column
from forum_crm.spreadsheets.export import Cell, Export, headers, stream_rows, yes_no_words

ANSWER_COLUMNS = (
    Column(None, "Lista rezerwowa, miejsce", "Waiting list, place"),
    Column(None, "Skąd przyjeżdża", "Travelling from"),
    Column(None, "Zwrot kosztów podróży", "Travel refund"),
    Column(None, "Dieta", "Dietary needs"),
    Column(None, "Dostępność", "Accessibility needs"),
    Column(None, "Zgoda na zdjęcia (obecnie)", "Photograph consent (now)"),
    Column(None, "Odpowiedź na pytanie", "Answer to the question"),
    Column(None, "Odpowiedź z dnia", "Answered at"),
)


def registrations_export(edition: Edition) -> Export:
    """Streamed: the waiting-list place is counted as rows go (they come in waiting-list order first)."""
    days, nights = edition.days, nights_of(edition)
    query = (sa.select(Participation).join(Person, Participation.person_id == Person.id)
             .outerjoin(Registration, Registration.participation_id == Participation.id)
             .where(Participation.edition_id == edition.id)
             .options(joinedload(Participation.person), joinedload(Participation.organisation),
                      joinedload(Participation.registration).selectinload(Registration.choices))
             .order_by(Registration.waiting_number.is_(None), Registration.waiting_number, Person.name_sort,
                       Person.id))
    yes_no = yes_no_words()
    night_header = gettext("night")

    def rows() -> Iterator[list[Cell]]:
        place = 0
        for (participation,) in stream_rows(query):
            person, registration = participation.person, participation.registration
            waiting = (registration is not None and registration.waiting_number is not None
                       and participation.status == ParticipationStatus.INVITED)
            place += waiting
            chosen_days = set(registration.chosen(ChoiceKind.DAY)) if registration else set()
            chosen_nights = set(registration.chosen(ChoiceKind.NIGHT)) if registration else set()
            answered = registration is not None and registration.answered_at is not None
            yield [person.first_name, person.last_name, person.email,
                   participation.organisation.name if participation.organisation else None,
                   label(participation.status), label(participation.role), place if waiting else None,
                   *(("x" if day in chosen_days else None) for day in days),
                   *(("x" if night in chosen_nights else None) for night in nights),
                   registration.travel_from if registration else None,
                   yes_no(registration.refund_needed) if answered else None,
                   registration.dietary_needs if registration else None,
                   registration.accessibility_needs if registration else None,
                   yes_no(person.photo_consent_at is not None),
                   registration.free_answer if registration else None,
                   registration.answered_at.date() if answered else None]

    all_headers = headers(PARTICIPANT_COLUMNS)
    answer_headers = headers(ANSWER_COLUMNS)
    return Export(f"registrations-{edition.roman_number}",
                  [*all_headers, answer_headers[0], *(day.isoformat() for day in days),
                   *(f"{night_header} {night.isoformat()}" for night in nights), *answer_headers[1:]],
                  rows(), personal_records=query)
