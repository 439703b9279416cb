"""The facts of the consortium's 2022/2023 report (shared/reference), loaded idempotently.

Only what the report says is stored. Where it is silent (venues, the places of editions II and
III, partners' roles, which Kamionka) the fields stay empty. How each fact was read is written
down in docs/report-data.md.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.localities.gazetteer import find_places
from forum_crm.localities.services import locality_for_place
from forum_crm.models import (
    Edition,
    Locality,
    Organisation,
    Origin,
    PanelSpeaker,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
    Sector,
    Voivodeship,
)
from forum_crm.text import fold

V = Voivodeship

# The Forum's size as the report gives it ("104 osób, 51 organizacji pozarządowych"). The report does not
# name them, so nothing is seeded for them; `make run` adds a demo network of this size.
FORUM_PEOPLE, FORUM_ORGANISATIONS = 104, 51

# The towns the Forum's NGOs are based in, as the report lists them (18 names for "19 towns").
# The voivodeship is ours: each of these names has one town of over 10,000 people, except
# Kamionka, of which Poland has dozens; the report does not say which, so it stays unidentified.
FORUM_TOWNS: tuple[tuple[str, Voivodeship | None], ...] = (
    ("Wrocław", V.DOLNOSLASKIE), ("Warszawa", V.MAZOWIECKIE), ("Lublin", V.LUBELSKIE),
    ("Poznań", V.WIELKOPOLSKIE), ("Toruń", V.KUJAWSKO_POMORSKIE), ("Bydgoszcz", V.KUJAWSKO_POMORSKIE),
    ("Rybnik", V.SLASKIE), ("Gdynia", V.POMORSKIE), ("Kraków", V.MALOPOLSKIE), ("Siedlce", V.MAZOWIECKIE),
    ("Przemyśl", V.PODKARPACKIE), ("Gorzów Wlkp", V.LUBUSKIE), ("Białystok", V.PODLASKIE),
    ("Rzeszów", V.PODKARPACKIE), ("Gdańsk", V.POMORSKIE), ("Gliwice", V.SLASKIE), ("Kamionka", None),
    ("Olsztyn", V.WARMINSKO_MAZURSKIE),
)
UNIDENTIFIED_KAMIONKA_NOTE = (
    "Raport wymienia „Kamionka” bez województwa, a w Polsce jest wiele miejscowości o tej nazwie. "
    "Województwo i współrzędne uzupełni koordynator, gdy ustali, o którą chodzi."
)


@dataclass(frozen=True)
class Org:
    name: str
    sector: Sector
    short_name: str | None = None
    town: str | None = None
    consortium_member: bool = False
    description: str | None = None


CONSORTIUM = "Konsorcjum Migracyjne"
ORGANISATIONS = (
    Org(CONSORTIUM, Sector.NGO, description="Konsorcjum organizacji pozarządowych; prowadzi Forum "
        "Współpracy i Integracji. Zarejestrowane w KRS 24.07.2023."),
    Org("Stowarzyszenie Nomada", Sector.NGO, "Nomada", "Wrocław", consortium_member=True),
    Org("Migrant Info Point", Sector.NGO, "MIP", "Poznań", consortium_member=True),
    Org("Stowarzyszenie Homo Faber", Sector.NGO, "Homo Faber", "Lublin", consortium_member=True),
    Org("Polskie Forum Migracyjne", Sector.NGO, "PFM", consortium_member=True),
    Org("Dom Ukraiński", Sector.NGO, consortium_member=True),
    Org("UNHCR", Sector.INTERNATIONAL_ORGANISATION, "UNHCR"),
    Org("Komisja Europejska w Polsce", Sector.INTERNATIONAL_ORGANISATION),
    Org("Norwegian Refugee Council", Sector.INTERNATIONAL_ORGANISATION, "NRC"),
    Org("Oxfam", Sector.INTERNATIONAL_ORGANISATION),
    Org("International Rescue Committee", Sector.INTERNATIONAL_ORGANISATION, "IRC"),
    Org("NGO Forum Razem", Sector.NGO),
    Org("Allegro", Sector.BUSINESS),
    Org("Google", Sector.BUSINESS),
    Org("Władze samorządowe Warszawy", Sector.LOCAL_GOVERNMENT, town="Warszawa"),
    Org("Władze samorządowe Krakowa", Sector.LOCAL_GOVERNMENT, town="Kraków"),
    Org("Władze samorządowe Lublina", Sector.LOCAL_GOVERNMENT, town="Lublin"),
    Org("Open Society Foundations", Sector.DONOR, "OSF"),
    Org("Unia Metropolii Polskich", Sector.LOCAL_GOVERNMENT, "UMP"),
)

EDITION_III_DATES_NOTE = (
    "Raport podaje termin „31.11 - 1.12.2023”, a listopad ma 30 dni. Zapisano 30.11-1.12.2023: "
    "edycje trwają dwa dni, czwartek i piątek (18-19.05 i 31.08-1.09.2023 też), a 1.12.2023 był piątkiem."
)


@dataclass(frozen=True)
class EditionFacts:
    number: int
    start: date
    end: date
    town: str | None
    panel_title: str
    panel_institutions: tuple[str, ...]
    partners: tuple[str, ...] = ()
    dates_note: str | None = None


EDITIONS = (
    EditionFacts(1, date(2023, 5, 18), date(2023, 5, 19), "Warszawa",
                 "Panel dyskusyjny o współpracy: międzynarodowi darczyńcy",
                 ("UNHCR", "Komisja Europejska w Polsce", "Norwegian Refugee Council", "Oxfam",
                  "International Rescue Committee", "NGO Forum Razem")),
    EditionFacts(2, date(2023, 8, 31), date(2023, 9, 1), None,
                 "Panel dyskusyjny o współpracy organizacji pozarządowych z sektorem prywatnym",
                 ("Allegro", "Google")),
    EditionFacts(3, date(2023, 11, 30), date(2023, 12, 1), None,
                 "Panel dyskusyjny z władzami samorządowymi",
                 ("Władze samorządowe Warszawy", "Władze samorządowe Krakowa", "Władze samorządowe Lublina"),
                 partners=("Unia Metropolii Polskich", "NGO Forum Razem"),
                 dates_note=EDITION_III_DATES_NOTE),
)
NETWORK_PARTNERS = ("Google", "Open Society Foundations", "Unia Metropolii Polskich", "NGO Forum Razem")

# "The programme of every Forum includes networking, knowledge-exchange sessions, discussions,
# lectures and workshops", plus the panel. Days and times are not given.
PROGRAMME = (
    (ProgrammeKind.NETWORKING, "Networking"),
    (ProgrammeKind.KNOWLEDGE_EXCHANGE, "Sesje wymiany wiedzy"),
    (ProgrammeKind.DISCUSSION, "Dyskusje"),
    (ProgrammeKind.LECTURE, "Wykłady"),
    (ProgrammeKind.WORKSHOP, "Warsztaty"),
)


def _get_or_create(model: type, match: dict[str, Any], **values: Any):
    """The row matching `match` (None matches NULL), or a new one with `match` and `values`."""
    conditions = [getattr(model, key).is_(None) if value is None else getattr(model, key) == value
                  for key, value in match.items()]
    row = db.session.scalar(sa.select(model).where(*conditions))
    if row is None:
        row = model(**match, **values)
        db.session.add(row)
        db.session.flush()
    return row


def seed_forum_towns() -> dict[str, Locality]:
    """The report's towns, keyed by the name the report uses."""
    towns = {}
    for name, voivodeship in FORUM_TOWNS:
        if voivodeship is None:
            towns[name] = _get_or_create(Locality, {"name": name, "voivodeship": None}, note=UNIDENTIFIED_KAMIONKA_NOTE)
        else:
            (place,) = find_places(name, voivodeship)[:1]
            towns[name] = locality_for_place(place)
    return towns


def seed_report() -> None:
    """Load the report's towns, organisations, editions, programmes, panels and partners. Idempotent."""
    towns = seed_forum_towns()
    organisations = {}
    for org in ORGANISATIONS:
        locality = towns[org.town] if org.town else None
        organisations[org.name] = _get_or_create(
            Organisation, {"name_key": fold(org.name)},
            name=org.name, short_name=org.short_name, sector=org.sector, locality=locality,
            consortium_member=org.consortium_member, description=org.description, origin=Origin.REPORT,
        )
    for facts in EDITIONS:
        edition = _get_or_create(
            Edition, {"number": facts.number}, start_date=facts.start, end_date=facts.end,
            locality=towns[facts.town] if facts.town else None, dates_note=facts.dates_note, origin=Origin.REPORT,
        )
        for kind, title in PROGRAMME:
            _get_or_create(ProgrammeItem, {"edition_id": edition.id, "kind": kind, "title": title})
        panel = _get_or_create(
            ProgrammeItem, {"edition_id": edition.id, "kind": ProgrammeKind.PANEL, "title": facts.panel_title}
        )
        for position, institution in enumerate(facts.panel_institutions):
            _get_or_create(PanelSpeaker,
                           {"programme_item_id": panel.id, "organisation_id": organisations[institution].id},
                           position=position)
        for partner in facts.partners:
            _get_or_create(Partnership,
                           {"organisation_id": organisations[partner].id, "edition_id": edition.id, "role": None})
    for partner in NETWORK_PARTNERS:
        _get_or_create(Partnership, {"organisation_id": organisations[partner].id, "edition_id": None, "role": None})
