"""Editions through the pages: list and detail for everyone; editions, programme, panel guests and
partners edited by the coordinator, every change logged; bad input refused with a message."""

import re
from datetime import date, time

import pytest
import sqlalchemy as sa
from markupsafe import escape

from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    Edition,
    PanelSpeaker,
    ParticipationStatus,
    PartnerRole,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
    Role,
)
from tests import factories
from tests.conftest import csrf_token

DAY_1, DAY_2 = date(2023, 5, 18), date(2023, 5, 19)


# Builders for the rows tests/factories.py does not make

def programme_item(edition, kind=ProgrammeKind.PANEL, title="Panel o integracji", **values):
    item = ProgrammeItem(edition=edition, kind=kind, title=title, **values)
    db.session.add(item)
    db.session.flush()
    return item


def speaker(item, organisation, person=None, position=0):
    row = PanelSpeaker(programme_item=item, organisation=organisation, person=person, position=position)
    db.session.add(row)
    db.session.flush()
    return row


def partnership(edition, organisation, role=None):
    row = Partnership(edition=edition, organisation=organisation, role=role)
    db.session.add(row)
    db.session.flush()
    return row


# Helpers

@pytest.fixture
def coordinator(app, client, login):
    """The test client, logged in as the coordinator and reading English."""
    with app.app_context():
        user = factories.committed(factories.user(Role.COORDINATOR))
    login(user)
    english(client)
    return user


def english(client) -> None:
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302


def post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **(data or {})})


def row_with(html: str, text: str) -> str:
    """The table row (or list item) of the page that contains `text`."""
    for match in re.finditer(r"(?s)<(tr|li)\b.*?</\1>", html):
        if text in match.group(0):
            return match.group(0)
    raise AssertionError(f"no row with {text!r}")


def programme_item_html(html: str, title: str) -> str:
    """The programme entry (with its panel guests) of the detail page whose title is `title`."""
    for piece in re.split(r'(?=<li id="item-)', html)[1:]:
        part = piece.split("</ol>")[0]
        if title in part:
            return part
    raise AssertionError(f"no programme item {title!r}")


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def log(app, action: str) -> list[ChangeLogEntry]:
    with app.app_context():
        return db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == action)
                                  .order_by(ChangeLogEntry.id)).all()


@pytest.fixture
def edition(app):
    """The I Forum in Lublin, 18-19 May 2023, with no programme yet."""
    with app.app_context():
        lublin = factories.locality()
        return factories.committed(factories.edition(1, DAY_1, DAY_2, locality=lublin, venue="Centrum Spotkania Kultur",
                                                     theme="Integracja w praktyce"))


def edition_form(**changes) -> dict:
    data = {"number": "4", "start_date": "2024-06-06", "end_date": "2024-06-07", "town": "Lublin",
            "town_voivodeship": "", "venue": "Aula UMCS", "theme": "Razem", "dates_note": ""}
    return {**data, **changes}


# The list

def test_list_is_polish_by_default_newest_first_with_counts(app, client, login):
    with app.app_context():
        lublin = factories.locality()
        first = factories.edition(1, date(2021, 10, 7), date(2021, 10, 8), locality=lublin)
        factories.edition(2, date(2022, 5, 12), date(2022, 5, 12), theme="Wspólnie")
        third = factories.edition(3, DAY_1, DAY_2)
        for status in (ParticipationStatus.ATTENDED, ParticipationStatus.ATTENDED, ParticipationStatus.INVITED):
            factories.participation(third, factories.person(), status=status)
        factories.participation(first, factories.person(), status=ParticipationStatus.ATTENDED)
        for title in ("Otwarcie", "Panel", "Warsztat"):
            programme_item(third, title=title)
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    page = client.get("/editions")
    assert page.status_code == 200 and 'lang="pl"' in page.text
    html = page.text
    assert html.index(">III Forum") < html.index(">II Forum") < html.index(">I Forum")
    third_row = row_with(html, "III Forum")
    assert "18 maj 2023" in third_row and "19 maj 2023" in third_row
    assert re.findall(r'<td class="num">(\d+)</td>', third_row) == ["2", "3"]
    first_row = row_with(html, ">I Forum")
    assert "Lublin" in first_row and re.findall(r'<td class="num">(\d+)</td>', first_row) == ["1", "0"]
    assert "Wspólnie" in row_with(html, ">II Forum")
    assert "/editions/new" not in html


def test_list_in_english_after_choosing_it(app, client, login, edition):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    english(client)
    html = client.get("/editions").text
    assert 'lang="en"' in html and "Forum editions" in html
    assert "18 May 2023" in row_with(html, ">I Forum")


def test_list_empty_state_and_new_button_for_the_coordinator(client, coordinator):
    html = client.get("/editions").text
    assert 'class="empty"' in html and "No editions yet." in html
    assert 'href="/editions/new"' in html


def test_list_is_paginated(app, client, coordinator):
    with app.app_context():
        for number in range(1, 28):
            factories.edition(number)
        db.session.commit()
    first, second = client.get("/editions").text, client.get("/editions?page=2").text
    assert "XXVII Forum" in first and "III Forum" in first and ">II Forum" not in first
    assert ">II Forum" in second and ">I Forum" in second and "Page 2 of 2" in second


# The detail page

def build_full_edition():
    """An edition with a programme over two days and an unknown day, a panel with guests, partners and people."""
    edition = factories.edition(3, DAY_1, DAY_2, locality=factories.locality(), venue="Aula",
                                theme="Migracje i miasto", dates_note="Daty z zaproszenia, program ich nie podaje.")
    city = factories.organisation("Urząd Miasta Lublin")
    unhcr = factories.organisation("UNHCR Polska")
    expert = factories.person("Olena", "Kowalenko")
    programme_item(edition, ProgrammeKind.WORKSHOP, "Warsztat dnia drugiego", day=DAY_2, starts_at=time(10, 0))
    panel = programme_item(edition, ProgrammeKind.PANEL, "Panel samorządowy", day=DAY_1, starts_at=time(11, 0),
                           ends_at=time(12, 30))
    programme_item(edition, ProgrammeKind.NETWORKING, "Kawa i rozmowy", day=DAY_1, starts_at=time(9, 0))
    programme_item(edition, ProgrammeKind.LECTURE, "Wykład bez daty")
    speaker(panel, city, position=0)
    speaker(panel, unhcr, expert, position=1)
    partnership(edition, city, PartnerRole.HOST)
    partnership(edition, unhcr)
    partnership(None, factories.organisation("Fundacja Sieciowa"), PartnerRole.FUNDER)  # the whole network
    for status in (ParticipationStatus.ATTENDED, ParticipationStatus.ATTENDED, ParticipationStatus.NO_SHOW,
                   ParticipationStatus.REGISTERED):
        factories.participation(edition, factories.person(), status=status)
    return factories.committed(edition)


def test_detail_shows_programme_by_day_panels_partners_and_participants(app, client, coordinator):
    with app.app_context():
        edition = build_full_edition()
    html = client.get(f"/editions/{edition.id}").text
    assert "III Forum" in html and "18–19 May 2023" in html
    assert "Aula" in html and "Migracje i miasto" in html and "Lublin (lubelskie)" in html
    assert 'class="note"' in html and "Daty z zaproszenia" in html
    # Days in order, the unknown day last; within a day by start time.
    positions = [html.index(text) for text in ("Thursday, 18 May 2023", "Kawa i rozmowy", "Panel samorządowy",
                                               "Friday, 19 May 2023", "Warsztat dnia drugiego",
                                               "Day not specified", "Wykład bez daty")]
    assert positions == sorted(positions)
    panel = programme_item_html(html, "Panel samorządowy")
    assert "Discussion panel" in panel and "11:00" in panel and "12:30" in panel
    assert "Urząd Miasta Lublin" in panel and "UNHCR Polska" in panel and "Olena Kowalenko" in panel
    assert 'href="/organisations/' in panel  # the coordinator can open the institutions
    assert "Host" in row_with(html, "Urząd Miasta Lublin</a></td>")
    assert "role not specified" in row_with(html, "UNHCR Polska</a></td>")
    assert "Fundacja Sieciowa" not in html
    participants = html[html.index('id="participants"'):]
    assert re.search(r"Attended</dt><dd class=\"num\">2<", participants)
    assert re.search(r"Did not come</dt><dd class=\"num\">1<", participants)
    assert re.search(r"Cancelled</dt><dd class=\"num\">0<", participants)
    assert "History of changes" in html and f"/editions/{edition.id}/edit" in html


def test_detail_for_a_member_has_no_edit_controls_links_or_history(app, client, login):
    with app.app_context():
        edition_id = build_full_edition().id
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    page = client.get(f"/editions/{edition_id}")
    assert page.status_code == 200 and 'lang="pl"' in page.text and "18 maja 2023" in page.text
    html = page.text
    assert "Urząd Miasta Lublin" in html and "Olena Kowalenko" in html
    assert "/organisations/" not in html and "/people/" not in html
    assert f"/editions/{edition_id}/edit" not in html and "/programme" not in html and "/partners" not in html
    assert 'class="changes"' not in html


def test_unknown_edition_is_404(client, coordinator):
    assert client.get("/editions/999").status_code == 404


def test_detail_queries_do_not_grow_with_the_programme(app, client, coordinator):
    """No N+1: the same number of queries for one panel as for six panels with three guests each."""
    with app.app_context():
        small, large = factories.edition(1), factories.edition(2)
        speaker(programme_item(small), factories.organisation())
        for index in range(6):
            panel = programme_item(large, title=f"Panel {index}")
            for position in range(3):
                speaker(panel, factories.organisation(), factories.person(), position)
            partnership(large, factories.organisation(), PartnerRole.CONTENT)
        factories.committed(small, large)

    def queries(url: str) -> int:
        statements = []
        def listener(_connection, _cursor, statement, *_args):
            statements.append(statement)

        client.get(url)  # the figures kept between requests (the banner's counts) are then kept for both pages
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get(url).status_code == 200
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries(f"/editions/{small.id}") == queries(f"/editions/{large.id}")
    single = queries("/editions")
    with app.app_context():
        for number in range(3, 10):
            factories.edition(number, locality=factories.locality(f"Miasto {number}"))
        db.session.commit()
    assert queries("/editions") == single


# Creating and editing editions

def test_new_edition_suggests_the_next_number(app, client, coordinator):
    with app.app_context():
        factories.edition(1)
        factories.edition(7)
        db.session.commit()
    html = client.get("/editions/new").text
    assert re.search(r'name="number"[^>]*value="8"', html)


def test_create_an_edition(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.locality())
    response = post(client, "/editions/new", edition_form(dates_note="Druga data\nniepewna"))
    assert response.status_code == 302
    with app.app_context():
        edition = db.session.scalar(sa.select(Edition))
        assert response.location == f"/editions/{edition.id}"
        assert (edition.number, edition.start_date, edition.end_date) == (4, date(2024, 6, 6), date(2024, 6, 7))
        assert (edition.locality.name, edition.venue, edition.theme) == ("Lublin", "Aula UMCS", "Razem")
        assert edition.dates_note == "Druga data\nniepewna"
    [entry] = log(app, "created")
    assert entry.entity_type == "edition" and entry.entity_label == "IV Forum"
    assert entry.changes["number"] == [None, 4] and entry.changes["locality"] == [None, "Lublin (lubelskie)"]
    assert "IV Forum" in client.get(response.location).text


def test_a_town_from_the_gazetteer_is_stored(app, client, coordinator):
    assert post(client, "/editions/new", edition_form(town="Kraków")).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Edition)).locality.name == "Kraków"


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"number": ""}, "number", "This field is required."),
    ({"number": "1"}, "number", "An edition with this number already exists."),
    ({"number": "0"}, "number", "Number must be between 1 and 1000."),
    ({"start_date": "2024-06-07", "end_date": "2024-06-06"}, "end_date",
     "The end date cannot be before the start date."),
    ({"end_date": "2025-06-07"}, "end_date", "An edition cannot last longer than 31 days."),
    ({"start_date": "7 czerwca"}, "start_date", "Not a valid date value."),
    ({"theme": "x" * 10_000}, "theme", "Field cannot be longer than 300 characters."),
    ({"town": "Nieistniejewo Wielkie"}, "town", "We do not know a town called Nieistniejewo Wielkie."),
    ({"theme": "Razem\u202ewspólnie"}, "theme", "Remove the invisible control characters from this field."),
    ({"theme": "Razem\x00"}, "theme", "Remove the invisible control characters from this field."),
    ({"venue": "Aula\nUMCS"}, "venue", "Remove the invisible control characters from this field."),
])
def test_bad_edition_input_is_refused_with_a_message(app, client, coordinator, edition, changes, field_id, message):
    response = post(client, "/editions/new", edition_form(**changes))
    assert response.status_code == 422
    assert message in error_of(response.text, field_id)
    assert "Nothing was saved." in response.text
    with app.app_context():
        assert count(Edition) == 1 and count(ChangeLogEntry) == 0


def test_edit_an_edition(app, client, coordinator, edition):
    form = client.get(f"/editions/{edition.id}/edit").text
    assert 'value="Centrum Spotkania Kultur"' in form and re.search(r'name="town"[^>]*value="Lublin"', form)
    response = post(client, f"/editions/{edition.id}/edit",
                    edition_form(number="1", start_date="2023-05-18", end_date="2023-05-18", version="1"))
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}"
    with app.app_context():
        stored = db.session.get(Edition, edition.id)
        assert (stored.end_date, stored.theme, stored.version) == (DAY_1, "Razem", 2)
    [entry] = log(app, "updated")
    assert entry.changes["end_date"] == ["2023-05-19", "2023-05-18"]
    assert entry.changes["theme"] == ["Integracja w praktyce", "Razem"] and "number" not in entry.changes


def test_edit_from_a_stale_version_is_refused_and_shows_what_changed(app, client, coordinator, edition):
    assert post(client, f"/editions/{edition.id}/edit",
                edition_form(number="1", theme="Pierwsza zmiana", version="1")).status_code == 302
    response = post(client, f"/editions/{edition.id}/edit", edition_form(number="1", theme="Druga", version="1"))
    assert response.status_code == 409
    assert "Pierwsza zmiana" in response.text and 'value="Druga"' in response.text
    with app.app_context():
        assert db.session.get(Edition, edition.id).theme == "Pierwsza zmiana"


def test_dates_that_would_leave_programme_items_outside_are_refused(app, client, coordinator, edition):
    with app.app_context():
        programme_item(db.session.get(Edition, edition.id), day=DAY_2, title="Drugi dzień")
        db.session.commit()
    response = post(client, f"/editions/{edition.id}/edit",
                    edition_form(number="1", start_date="2023-05-18", end_date="2023-05-18", version="1"))
    assert response.status_code == 422
    assert "The programme has items on 19 May 2023" in error_of(response.text, "end_date")
    with app.app_context():
        assert db.session.get(Edition, edition.id).end_date == DAY_2


# The programme

def item_form(**changes) -> dict:
    data = {"kind": "panel", "title": "Panel o mieszkalnictwie", "day": "2023-05-19", "starts_at": "14:00",
            "ends_at": "15:30", "description": "Rozmowa\nz samorządami"}
    return {**data, **changes}


def test_add_a_programme_item(app, client, coordinator, edition):
    detail = client.get(f"/editions/{edition.id}").text
    assert '<option value="2023-05-19">Friday, 19 May 2023</option>' in detail
    response = post(client, f"/editions/{edition.id}/programme", item_form())
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}#programme"
    with app.app_context():
        item = db.session.scalar(sa.select(ProgrammeItem))
        assert (item.kind, item.day, item.starts_at, item.ends_at) == (
            ProgrammeKind.PANEL, DAY_2, time(14, 0), time(15, 30))
    [entry] = log(app, "programme_item_added")
    assert entry.entity_type == "edition" and entry.entity_id == edition.id
    assert entry.changes["title"] == [None, "Panel o mieszkalnictwie"] and entry.changes["day"] == [None, "2023-05-19"]
    assert "Panel o mieszkalnictwie" in client.get(f"/editions/{edition.id}").text


def test_a_programme_item_without_day_or_times(app, client, coordinator, edition):
    response = post(client, f"/editions/{edition.id}/programme",
                    item_form(kind="lecture", day="", starts_at="", ends_at="", description=""))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(ProgrammeItem))
        assert (item.kind, item.day, item.starts_at, item.description) == (ProgrammeKind.LECTURE, None, None, None)


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"day": "2023-06-01"}, "day", "Choose one of the days of this edition."),
    ({"day": "yesterday"}, "day", "Choose one of the days of this edition."),
    ({"title": ""}, "title", "This field is required."),
    ({"title": "t" * 301}, "title", "Field cannot be longer than 300 characters."),
    ({"kind": "party"}, "kind", "Not a valid choice."),
    ({"starts_at": "15:00", "ends_at": "14:00"}, "ends_at", "The end time cannot be before the start time."),
    ({"starts_at": "25:00"}, "starts_at", "Not a valid time value."),
    ({"description": "Opis\x07"}, "description", "Remove the invisible control characters from this field."),
])
def test_bad_programme_item_is_refused(app, client, coordinator, edition, changes, field_id, message):
    response = post(client, f"/editions/{edition.id}/programme", item_form(**changes))
    assert response.status_code == 422
    assert message in error_of(response.text, field_id)
    with app.app_context():
        assert count(ProgrammeItem) == 0 and count(ChangeLogEntry) == 0


def test_edit_a_programme_item(app, client, coordinator, edition):
    with app.app_context():
        item = factories.committed(programme_item(db.session.get(Edition, edition.id), ProgrammeKind.LECTURE,
                                                  "Wykład", day=DAY_1, starts_at=time(9, 30)))
    url = f"/editions/{edition.id}/programme/{item.id}/edit"
    form = client.get(url).text
    assert 'value="Wykład"' in form and 'value="09:30"' in form
    assert '<option selected value="2023-05-18">' in form
    response = post(client, url, item_form(kind="lecture", title="Wykład otwierający", day="2023-05-18",
                                           starts_at="09:30", ends_at="", description=""))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ProgrammeItem, item.id).title == "Wykład otwierający"
    [entry] = log(app, "programme_item_updated")
    assert entry.changes == {"title": ["Wykład", "Wykład otwierający"]}
    refused = post(client, url, item_form(kind="lecture", day="2023-05-20"))
    assert refused.status_code == 422 and "Choose one of the days of this edition." in refused.text


def test_remove_a_programme_item_with_its_guests(app, client, coordinator, edition):
    with app.app_context():
        panel = programme_item(db.session.get(Edition, edition.id), title="Panel do usunięcia")
        speaker(panel, factories.organisation("Fundacja Gość"))
        factories.committed(panel)
    url = f"/editions/{edition.id}/programme/{panel.id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Panel do usunięcia" in confirm.text and "1 panel guest" in confirm.text
    response = post(client, url)
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}#programme"
    with app.app_context():
        assert count(ProgrammeItem) == 0 and count(PanelSpeaker) == 0
    [entry] = log(app, "programme_item_removed")
    assert entry.changes["title"] == ["Panel do usunięcia", None]
    assert entry.changes["speakers"] == [["Fundacja Gość"], None]


def test_a_panel_with_guests_keeps_its_kind(app, client, coordinator, edition):
    with app.app_context():
        panel = programme_item(db.session.get(Edition, edition.id))
        speaker(panel, factories.organisation())
        factories.committed(panel)
    response = post(client, f"/editions/{edition.id}/programme/{panel.id}/edit", item_form(kind="workshop"))
    assert response.status_code == 422
    assert "remove them before changing its kind" in error_of(response.text, "kind")


def test_objects_of_another_edition_are_not_found(app, client, coordinator, edition):
    with app.app_context():
        other = factories.edition(2)
        organisation = factories.organisation()
        panel = programme_item(other)
        guest = speaker(panel, organisation)
        mine = programme_item(db.session.get(Edition, edition.id), title="Mój panel")
        theirs = partnership(other, organisation)
        network = partnership(None, organisation, PartnerRole.FUNDER)
        factories.committed(panel, guest, mine, theirs, network, organisation)
    base = f"/editions/{edition.id}"
    for url in (f"{base}/programme/{panel.id}/edit", f"{base}/programme/{panel.id}/delete",
                f"{base}/programme/{mine.id}/speakers/{guest.id}/delete",
                f"{base}/partners/{theirs.id}/delete", f"{base}/partners/{network.id}/delete"):
        assert client.get(url).status_code == 404, url
        assert post(client, url).status_code == 404, url
    assert post(client, f"{base}/programme/{panel.id}/speakers", {"institution": organisation.name}).status_code == 404
    with app.app_context():
        assert count(PanelSpeaker) == 1 and count(Partnership) == 2 and count(ProgrammeItem) == 2


# Panel guests

@pytest.fixture
def panel(app, edition):
    with app.app_context():
        factories.organisation("Urząd Wojewódzki w Lublinie", short_name="LUW")
        factories.person("Iryna", "Bondarenko", email="iryna@example.org")
        return factories.committed(programme_item(db.session.get(Edition, edition.id), title="Panel o pracy"))


def test_add_a_guest_with_an_institution_only_and_with_a_person(app, client, coordinator, edition, panel):
    url = f"/editions/{edition.id}/programme/{panel.id}/speakers"
    response = post(client, url, {"institution": "LUW", "person": ""})
    assert response.status_code == 302
    assert response.location == f"/editions/{edition.id}/programme/{panel.id}/edit#guests"
    assert post(client, url, {"institution": "urząd wojewódzki w lublinie",
                              "person": "iryna@example.org"}).status_code == 302
    with app.app_context():
        guests = db.session.scalars(sa.select(PanelSpeaker).order_by(PanelSpeaker.position)).all()
        assert [(guest.position, guest.organisation.short_name) for guest in guests] == [(0, "LUW"), (1, "LUW")]
        assert guests[0].person is None and guests[1].person.full_name == "Iryna Bondarenko"
    first, second = log(app, "speaker_added")
    assert first.changes == {"title": ["Panel o pracy", "Panel o pracy"],
                             "institution": [None, "Urząd Wojewódzki w Lublinie"]}
    assert second.changes["person"] == [None, "Iryna Bondarenko"]
    detail = client.get(f"/editions/{edition.id}").text
    assert "Iryna Bondarenko" in programme_item_html(detail, "Panel o pracy")
    assert post(client, url, {"institution": "LUW", "person": "Iryna Bondarenko"}).status_code == 302


def test_a_guest_needs_a_known_institution(app, client, coordinator, edition, panel):
    url = f"/editions/{edition.id}/programme/{panel.id}/speakers"
    response = post(client, url, {"institution": "Fundacja Widmo"})
    assert response.status_code == 422
    assert "There is no organisation called Fundacja Widmo; add it first." in error_of(response.text, "institution")
    assert error_of(post(client, url, {"institution": ""}).text, "institution") == "This field is required."
    with app.app_context():
        assert count(PanelSpeaker) == 0


def test_a_person_that_is_unknown_or_ambiguous_is_refused(app, client, coordinator, edition, panel):
    with app.app_context():
        factories.person("Iryna", "Bondarenko", email="druga@example.org")
        db.session.commit()
    url = f"/editions/{edition.id}/programme/{panel.id}/speakers"
    ambiguous = post(client, url, {"institution": "LUW", "person": "Iryna Bondarenko"})
    assert ambiguous.status_code == 422
    assert "Several people match" in error_of(ambiguous.text, "person")
    unknown = post(client, url, {"institution": "LUW", "person": "Jan Nieznany"})
    assert unknown.status_code == 422 and "There is no person called Jan Nieznany" in error_of(unknown.text, "person")
    with app.app_context():
        assert count(PanelSpeaker) == 0


def test_guests_are_refused_on_items_that_are_not_panels(app, client, coordinator, edition):
    with app.app_context():
        factories.organisation("Fundacja Ocalenie")
        workshop = factories.committed(programme_item(db.session.get(Edition, edition.id), ProgrammeKind.WORKSHOP))
    response = post(client, f"/editions/{edition.id}/programme/{workshop.id}/speakers",
                    {"institution": "Fundacja Ocalenie"})
    assert response.status_code == 422
    assert "Guests can be added only to discussion panels." in response.text
    with app.app_context():
        assert count(PanelSpeaker) == 0


def test_remove_a_guest(app, client, coordinator, edition, panel):
    with app.app_context():
        guest = factories.committed(speaker(db.session.get(ProgrammeItem, panel.id),
                                            factories.organisation("Caritas"), factories.person("Jan", "Kos")))
    url = f"/editions/{edition.id}/programme/{panel.id}/speakers/{guest.id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Caritas" in confirm.text
    assert post(client, url).status_code == 302
    with app.app_context():
        assert count(PanelSpeaker) == 0
    [entry] = log(app, "speaker_removed")
    assert entry.changes["institution"] == ["Caritas", None] and entry.changes["person"] == ["Jan Kos", None]


# Partners

def test_add_partners_with_and_without_a_role_and_remove_one(app, client, coordinator, edition):
    with app.app_context():
        factories.organisation("Fundacja Batorego")
        factories.organisation("Radio Lublin")
        db.session.commit()
    url = f"/editions/{edition.id}/partners"
    response = post(client, url, {"organisation": "Fundacja Batorego", "role": "funder"})
    assert response.status_code == 302 and response.location == f"/editions/{edition.id}#partners"
    assert post(client, url, {"organisation": "Radio Lublin", "role": ""}).status_code == 302
    with app.app_context():
        roles = {row.organisation.name: row.role for row in db.session.scalars(sa.select(Partnership))}
        assert roles == {"Fundacja Batorego": PartnerRole.FUNDER, "Radio Lublin": None}
    added = log(app, "partner_added")
    assert [entry.changes for entry in added] == [
        {"organisation": [None, "Fundacja Batorego"], "role": [None, "funder"]},
        {"organisation": [None, "Radio Lublin"]}]
    detail = client.get(f"/editions/{edition.id}").text
    assert "Funder" in row_with(detail, "Fundacja Batorego</a>")
    assert "role not specified" in row_with(detail, "Radio Lublin</a>")
    with app.app_context():
        radio = db.session.scalar(sa.select(Partnership).where(Partnership.role.is_(None)))
    delete_url = f"/editions/{edition.id}/partners/{radio.id}/delete"
    assert client.get(delete_url).status_code == 200
    assert post(client, delete_url).status_code == 302
    with app.app_context():
        assert count(Partnership) == 1
    [removed] = log(app, "partner_removed")
    assert removed.changes == {"organisation": ["Radio Lublin", None]}


def test_the_same_partner_in_the_same_role_is_refused(app, client, coordinator, edition):
    with app.app_context():
        factories.organisation("Fundacja Batorego")
        db.session.commit()
    url = f"/editions/{edition.id}/partners"
    for role in ("funder", ""):
        assert post(client, url, {"organisation": "Fundacja Batorego", "role": role}).status_code == 302
        again = post(client, url, {"organisation": "Fundacja Batorego", "role": role})
        assert again.status_code == 422
        assert "already a partner of this edition in this role" in error_of(again.text, "organisation")
    assert post(client, url, {"organisation": "Fundacja Batorego", "role": "host"}).status_code == 302
    with app.app_context():
        assert count(Partnership) == 3


def test_bad_partner_input_is_refused(app, client, coordinator, edition):
    url = f"/editions/{edition.id}/partners"
    unknown = post(client, url, {"organisation": "Nikt", "role": ""})
    assert unknown.status_code == 422 and "There is no organisation called Nikt" in unknown.text
    bad_role = post(client, url, {"organisation": "Nikt", "role": "sponsor"})
    assert bad_role.status_code == 422 and "Not a valid choice." in error_of(bad_role.text, "role")
    with app.app_context():
        assert count(Partnership) == 0


# Escaping

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_are_escaped_everywhere_they_appear(app, client, coordinator, edition, payload):
    with app.app_context():
        factories.organisation(payload)
        panel = factories.committed(programme_item(db.session.get(Edition, edition.id), title=payload))
    base = f"/editions/{edition.id}"
    assert post(client, f"{base}/programme/{panel.id}/speakers", {"institution": payload}).status_code == 302
    assert post(client, f"{base}/partners", {"organisation": payload, "role": "media"}).status_code == 302
    with app.app_context():
        guest = db.session.scalar(sa.select(PanelSpeaker))
        partner = db.session.scalar(sa.select(Partnership))
    pages = [client.get(url).text for url in (
        base, f"{base}/programme/{panel.id}/edit", f"{base}/programme/{panel.id}/delete",
        f"{base}/programme/{panel.id}/speakers/{guest.id}/delete", f"{base}/partners/{partner.id}/delete")]
    refused = post(client, f"{base}/partners", {"organisation": payload, "role": "media"})
    assert refused.status_code == 422
    for html in [*pages, refused.text]:
        assert payload not in html
        assert str(escape(payload)) in html


def test_a_typed_unknown_name_is_escaped_in_the_message(client, coordinator, edition):
    response = post(client, f"/editions/{edition.id}/partners", {"organisation": PAYLOADS[0]})
    assert response.status_code == 422
    assert PAYLOADS[0] not in response.text and str(escape(PAYLOADS[0])) in response.text


# Who may do what

WRITE_URLS = [
    ("GET", "/editions/new"), ("POST", "/editions/new"),
    ("GET", "/editions/{id}/edit"), ("POST", "/editions/{id}/edit"),
    ("POST", "/editions/{id}/programme"),
    ("GET", "/editions/{id}/programme/{item}/edit"), ("POST", "/editions/{id}/programme/{item}/edit"),
    ("GET", "/editions/{id}/programme/{item}/delete"), ("POST", "/editions/{id}/programme/{item}/delete"),
    ("POST", "/editions/{id}/programme/{item}/speakers"),
    ("GET", "/editions/{id}/programme/{item}/speakers/{speaker}/delete"),
    ("POST", "/editions/{id}/programme/{item}/speakers/{speaker}/delete"),
    ("POST", "/editions/{id}/partners"),
    ("GET", "/editions/{id}/partners/{partner}/delete"), ("POST", "/editions/{id}/partners/{partner}/delete"),
]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_members_and_organisation_editors_read_but_cannot_write(app, client, login, role):
    with app.app_context():
        organisation = factories.organisation("Fundacja Redaktora")
        edition = factories.edition(1)
        panel = programme_item(edition)
        guest = speaker(panel, organisation)
        partner = partnership(edition, organisation, PartnerRole.HOST)
        user = factories.user(role, organisation=organisation if role == Role.ORG_EDITOR else None)
        factories.committed(edition, panel, guest, partner, user)
    login(user)
    assert client.get("/editions").status_code == 200
    assert client.get(f"/editions/{edition.id}").status_code == 200
    ids = {"id": edition.id, "item": panel.id, "speaker": guest.id, "partner": partner.id}
    for method, pattern in WRITE_URLS:
        url = pattern.format(**ids)
        response = client.get(url) if method == "GET" else post(client, url, {
            "number": "9", "start_date": "2024-01-01", "end_date": "2024-01-01", "title": "x", "kind": "panel",
            "institution": "Fundacja Redaktora", "organisation": "Fundacja Redaktora", "version": "1"})
        assert response.status_code == 403, (method, url)
    with app.app_context():
        assert (count(Edition), count(ProgrammeItem), count(PanelSpeaker), count(Partnership)) == (1, 1, 1, 1)
        assert count(ChangeLogEntry) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, edition):
    for url in ("/editions", f"/editions/{edition.id}"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
