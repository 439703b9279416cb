"""The smaller things a user notices (issue 16): drop-down lists in Polish order, readable change history, report
periods and charts, European dates in English, the favicon, the door page's name, the map's panel and credits,
the organisation edit page's confirmation, an editor adding a person."""

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale, format_date

from forum_crm.changelog import new_values, readers
from forum_crm.extensions import db
from forum_crm.forms import VOIVODESHIP_CHOICES, language_choices
from forum_crm.labels import logged_value
from forum_crm.mail import in_language
from forum_crm.models import Affiliation, AreaOfWork, ChangeLogEntry, Organisation, Person, Role
from forum_crm.text import polish_sort_key
from tests import factories
from tests.conftest import csrf_token
from tests.test_imports import confirm, csv_bytes, upload


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [text.strip() for text in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(email="k@example.org"))
    login(SimpleNamespace(email="k@example.org"))
    return user


def test_drop_down_lists_are_in_polish_order(app, client, coordinator):
    with app.app_context():
        db.session.add_all([AreaOfWork(name=name) for name in ("zdrowie", "świetlica", "edukacja", "łączenie rodzin")])
        db.session.commit()
    html = client.get("/organisations").text
    voivodeships = options(html, "voivodeship")
    assert voivodeships.index("lubuskie") < voivodeships.index("łódzkie") < voivodeships.index("małopolskie")
    assert voivodeships.index("śląskie") < voivodeships.index("świętokrzyskie") < voivodeships.index("wielkopolskie")
    assert options(html, "area") == ["—", "edukacja", "łączenie rodzin", "świetlica", "zdrowie"]
    sectors = options(html, "sector")
    assert sectors[1:] == sorted(sectors[1:], key=polish_sort_key) and len(sectors) == 10
    assert options(client.get("/map").text, "area") == ["—", "edukacja", "łączenie rodzin", "świetlica", "zdrowie"]


def test_language_names_are_in_polish_order(app):
    with app.test_request_context(), force_locale("pl"):
        names = [name for _code, name in language_choices()]
    assert names.index("angielski") < names.index("arabski") < names.index("białoruski")
    assert names.index("polski") < names.index("rosyjski") < names.index("ukraiński")
    assert [name for _value, name in VOIVODESHIP_CHOICES][:4] == ["—", "dolnośląskie", "kujawsko-pomorskie",
                                                                    "lubelskie"]


def test_change_history_reads_as_dates_times_and_language_names(app, client, coordinator):
    with app.app_context():
        alfa = factories.committed(factories.organisation("Fundacja Alfa"))
        db.session.add(ChangeLogEntry(
            entity_type="organisation", entity_id=alfa.id, entity_label=alfa.name, action="updated",
            occurred_at=datetime(2026, 11, 30, 9, 32, tzinfo=UTC),
            changes={"languages": [["pl"], ["pl", "uk"]], "forum_member_since": [None, "2023-05-18"],
                     "profile_confirmed_at": [None, "2026-11-30T09:32:00+00:00"]}))
        db.session.commit()
        alfa_id = alfa.id
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/organisations/{alfa_id}").text).split())
    assert "30 listopada 2026, 10:32" in page  # Warsaw time
    assert "polski → polski, ukraiński" in page
    assert "18 maja 2023" in page and "2023-05-18" not in page
    assert "2026-11-30T" not in page


def test_logged_values_that_are_not_dates_stay_as_they_are(app):
    with app.test_request_context(), force_locale("pl"):
        assert logged_value("nie data", "forum_member_since") == "nie data"
        assert logged_value("nie czas", "archived_at") == "nie czas"
        assert logged_value(["xx"], "languages") == "xx"
        assert logged_value(True, "leader") == "tak"


def test_a_new_record_logs_only_the_fields_with_a_value(app, ctx):
    person = Person(first_name="Anna", last_name="Lis", email=None, phone="", expertise=None)
    fields = readers("first_name", "last_name", "email", "phone", "expertise", "leader")
    person.leader = False
    assert new_values(person, fields) == {"first_name": [None, "Anna"], "last_name": [None, "Lis"]}


def test_an_import_logs_no_empty_fields(app, client, coordinator):
    upload(client, "/imports/people", csv_bytes([["Imię", "Nazwisko", "E-mail", "Telefon"],
                                                 ["Anna", "Lis", "", ""]], "utf-8-sig"), "osoby.csv")
    confirm(client, "/imports/people/confirm")
    with app.app_context():
        [changes] = db.session.scalars(sa.select(ChangeLogEntry.changes).where(ChangeLogEntry.action == "imported"))
    assert set(changes) == {"first_name", "last_name"}


def test_statuses_read_as_groups_and_the_door_page_is_not_confused_with_registered(app, client, coordinator):
    with app.app_context():
        edition = factories.committed(factories.edition(1))
    html = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/editions/{edition.id}/participants").text).split())
    assert "Zaproszeni 0 Zarejestrowani 0 Obecni 0 Nieobecni 0 Odwołali udział 0" in html
    assert "Potwierdzanie obecności przy wejściu" in html and "Rejestracja przy wejściu" not in html
    assert "<h1>Potwierdzanie obecności: I Forum</h1>" in client.get(f"/editions/{edition.id}/checkin").text


@pytest.mark.parametrize(("query", "said"), [
    ("", "Wszystkie edycje."),
    ("?start=2023-01-01", "Edycje rozpoczęte 1 stycznia 2023 lub później."),
    ("?end=2023-12-31", "Edycje rozpoczęte 31 grudnia 2023 lub wcześniej."),
    ("?start=2023-01-01&end=2023-12-31", "Edycje rozpoczęte między 1 stycznia 2023 a 31 grudnia 2023."),
])
def test_the_report_period_reads_naturally(app, client, coordinator, query, said):
    assert said in client.get(f"/reports{query}").text


def test_chart_labels_are_wrapped_not_cut(app):
    long = "Międzynarodowa organizacja pozarządowa działająca na rzecz uchodźców i migrantów w Polsce"
    with app.test_request_context():
        svg = render_template_string('{% from "reports/_charts.html" import bar_chart %}{{ bar_chart(rows, "T") }}',
                                     rows=[(long, 3), ("NGO", 1)])
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines[:-1]) == long and len(lines) == 3 and lines[-1] == "NGO"
    assert 'text-anchor="end"' not in svg


def test_english_dates_are_european(app, client, coordinator):
    with app.app_context():
        edition = factories.committed(factories.edition(1))
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    html = client.get(f"/editions/{edition.id}").text
    assert "18–19 May 2023" in html and 'lang="en"' in html
    assert f'href="/reports/editions/{edition.id}">Report of this edition' in html


def test_every_page_names_its_favicon_and_it_is_served(app, client, coordinator):
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/").text
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()


def test_the_map_folds_its_layer_panel_on_phones_and_credits_in_polish(app, client, coordinator):
    html = client.get("/map").text
    assert "window.matchMedia(\"(max-width: 40rem)\").matches" in html
    assert r'"attribution": "Dane miejscowo\u015bci \u00a9 GeoNames, CC BY 4.0, zmienione"' in html
    assert '"attribution": "Granice: Natural Earth"' in html
    assert '"fill":false' in html.replace(" ", "")  # venue rings leave the organisations' circles visible


@pytest.fixture
def editor(app, client, login):
    with app.app_context():
        alfa = factories.organisation("Fundacja Alfa", profile_confirmed_at=datetime(2020, 1, 1, tzinfo=UTC))
        factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=alfa)
        factories.user(Role.COORDINATOR, email="k@example.org")
        factories.committed(alfa)
        alfa_id = alfa.id
    login(SimpleNamespace(email="redaktor@example.org"))
    return alfa_id


def profile(app, alfa_id, **values):
    with app.app_context():
        version = db.session.get(Organisation, alfa_id).version
    return {"name": "Fundacja Alfa", "short_name": "", "town": "", "town_voivodeship": "", "krs": "", "nip": "",
            "website": "", "email": "", "phone": "", "description": "", "areas": "", "version": str(version),
            **values}


def test_save_and_confirm_saves_what_the_form_holds(app, client, editor):
    form = client.get(f"/organisations/{editor}/edit").text
    assert 'name="confirm_profile" value="yes"' in form
    assert f'action="/organisations/{editor}/confirm"' not in form  # no button that would drop the edits
    response = post(client, f"/organisations/{editor}/edit", profile(app, editor, description="Nowy opis.",
                                                                      confirm_profile="yes"))
    assert response.status_code == 302
    with app.app_context():
        alfa = db.session.get(Organisation, editor)
        assert alfa.description == "Nowy opis." and not alfa.profile_is_stale


def test_a_plain_save_does_not_confirm_and_a_refused_save_confirms_nothing(app, client, editor):
    post(client, f"/organisations/{editor}/edit", profile(app, editor, description="Opis."))
    refused = post(client, f"/organisations/{editor}/edit", profile(app, editor, name="", confirm_profile="yes"))
    assert refused.status_code == 422
    with app.app_context():
        alfa = db.session.get(Organisation, editor)
        assert alfa.description == "Opis." and alfa.profile_is_stale


def test_the_editor_sees_the_saved_profile_before_confirming(app, client, editor):
    post(client, f"/organisations/{editor}/edit", profile(app, editor, website="https://alfa.example.org"))
    page = client.get("/me/organisation").text
    assert "Profil w zapisanej postaci" in page and "https://alfa.example.org" in page
    assert f'action="/organisations/{editor}/confirm"' in page


def test_an_editor_adds_a_person_to_their_organisation(app, client, editor):
    assert 'href="/me/organisation/people/new"' in client.get("/me/organisation").text
    refused = post(client, "/me/organisation/people/new", {"first_name": "", "last_name": "Nowak"})
    assert refused.status_code == 422
    response = post(client, "/me/organisation/people/new", {
        "first_name": "Ewa", "last_name": "Nowak", "email": "ewa@example.org", "phone": "", "town": "",
        "town_voivodeship": "", "expertise": "prawo"})
    assert response.status_code == 302 and response.location == "/me/organisation"
    assert "Ewa Nowak" in client.get("/me/organisation").text
    with app.app_context():
        affiliation = db.session.scalar(sa.select(Affiliation).join(Person).where(Person.last_name == "Nowak"))
        assert affiliation.organisation_id == editor and affiliation.is_current and affiliation.is_primary
        assert db.session.scalar(sa.select(sa.func.count()).where(ChangeLogEntry.review_state == "to_review")) == 2


def test_the_coordinator_is_sent_to_the_people_list_to_add_people(app, client, coordinator):
    page = client.get("/me/organisation/people/new").text
    assert 'href="/people/new"' in page
    assert post(client, "/me/organisation/people/new", {"first_name": "X", "last_name": "Y"}).status_code == 200


def test_an_edition_date_range_in_polish(app):
    with app.test_request_context(), force_locale("pl"):
        html = render_template_string('{% from "editions/_macros.html" import edition_dates %}{{ edition_dates(e) }}',
                                      e=SimpleNamespace(start_date=date(2023, 8, 31), end_date=date(2023, 9, 1)))
    assert ">31 sierpnia\u2009–\u20091 września 2023<" in html


def test_areas_of_work_in_polish_order_on_an_organisation_s_page(app, client, coordinator):
    with app.app_context():
        organisation = factories.organisation("Fundacja Obszarów")
        organisation.areas.extend(AreaOfWork(name=name) for name in ("zdrowie", "świetlica", "edukacja"))
        factories.committed(organisation)
    text = " ".join(client.get(f"/organisations/{organisation.id}").text.split())
    assert "edukacja, świetlica, zdrowie" in text


def test_english_e_mails_use_european_dates(app):
    with app.test_request_context():
        subject, _text = in_language("en", lambda site: (format_date(date(2023, 5, 18), "long"), ""))
    assert subject == "18 May 2023"
