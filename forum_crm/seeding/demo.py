"""A synthetic network for demos and benchmarks: Polish and Ukrainian names, NGOs in the report's
towns, affiliations (some people changed NGO), and participations in demo editions of its own.

Every record is marked origin=demo and every e-mail is at demo.example.org. The same seed and
counts always give the same network; running again replaces the earlier demo network.
Rows are written with bulk INSERTs, so 100,000 people take seconds, not minutes.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from forum_crm.consents import GIVEN_AT, WORDING_VERSIONS
from forum_crm.demo.services import remove_demo_data
from forum_crm.extensions import db
from forum_crm.localities.gazetteer import all_places
from forum_crm.models import (
    Affiliation,
    AreaOfWork,
    ConsentEvent,
    ConsentSource,
    DayAttendance,
    Edition,
    Locality,
    Organisation,
    OrganisationLanguage,
    Origin,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    Sector,
)
from forum_crm.models.directory import organisation_area, person_keys
from forum_crm.models.duplicates import store_names
from forum_crm.seeding.report import seed_forum_towns
from forum_crm.text import fold, polish_sort_key

DEMO_DOMAIN = "demo.example.org"
BATCH = 5_000
# Above this many organisations the network also spreads over the gazetteer's towns.
REPORT_TOWNS_ONLY_UP_TO = 100
# Each person takes part in an edition with this chance, capped so big networks have forum-sized editions.
PARTICIPATION_CHANCE = 0.35
MAX_PARTICIPANTS_PER_EDITION = 3_000

FEMALE_FIRST = ("Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Joanna",
                "Żaneta", "Łucja", "Zofia", "Magdalena", "Dorota", "Aleksandra", "Urszula", "Elżbieta",
                "Oksana", "Olena", "Iryna", "Tetiana", "Natalia", "Yuliia", "Halyna", "Mariam")
MALE_FIRST = ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał", "Marcin", "Jakub",
              "Grzegorz", "Szymon", "Wojciech", "Adam", "Bartłomiej", "Zbigniew", "Andrii", "Dmytro",
              "Oleksandr", "Serhii", "Taras", "Yusuf", "Ahmad")
# (masculine, feminine) forms
LAST_NAMES = (("Kowalski", "Kowalska"), ("Nowak", "Nowak"), ("Wiśniewski", "Wiśniewska"),
              ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
              ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"),
              ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"),
              ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"), ("Krawczyk", "Krawczyk"),
              ("Łuczak", "Łuczak"), ("Ślęzak", "Ślęzak"), ("Żak", "Żak"), ("Ćwik", "Ćwik"),
              ("Shevchenko", "Shevchenko"), ("Kovalenko", "Kovalenko"), ("Bondarenko", "Bondarenko"),
              ("Tkachenko", "Tkachenko"), ("Melnyk", "Melnyk"), ("Hassan", "Hassan"))
ORGANISATION_KINDS = ("Fundacja", "Stowarzyszenie", "Centrum Wsparcia Migrantów", "Inicjatywa",
                      "Klub Integracji", "Spółdzielnia Socjalna", "Towarzystwo", "Punkt Pomocy")
ORGANISATION_NAMES = ("Otwarty Dom", "Wspólna Przestrzeń", "Nowy Start", "Dobry Sąsiad", "Most", "Horyzont",
                      "Ślad", "Łączy Nas", "Żółty Parasol", "Przystań", "Kompas", "Źródło", "Razem Tu",
                      "Sąsiedzi", "Ogród Kultur", "Latarnia", "Mosty Zamiast Murów", "Dialog", "Ścieżka",
                      "Azyl", "Współdziałanie", "Nadzieja", "Język Bez Granic", "Ukraiński Dom",
                      "Pomocna Dłoń", "Wspólnota", "Krąg", "Akcja", "Tęcza", "Wolna Droga")
AREAS = ("pomoc prawna", "edukacja", "rynek pracy", "mieszkalnictwo", "wsparcie psychologiczne",
         "integracja", "rzecznictwo", "pomoc humanitarna", "nauka języka polskiego", "dzieci i młodzież",
         "osoby LGBTI+", "przeciwdziałanie przemocy", "zdrowie", "kultura")
LANGUAGES = ("uk", "en", "ru", "be", "ar", "fr", "ka", "es")
ROLE_TITLES = ("prezeska", "prezes", "koordynatorka projektów", "koordynator projektów", "prawniczka",
               "psycholog", "asystentka międzykulturowa", "asystent międzykulturowy", "wolontariuszka",
               "specjalistka ds. integracji", "fundraiserka", "edukator")
FIRST_MEMBERS = date(2023, 5, 18)
# Demo editions are numbered from here (CI Forum...), far above the real ones.
FIRST_DEMO_EDITION = 101


@dataclass(frozen=True)
class DemoSummary:
    people: int
    organisations: int
    affiliations: int
    participations: int
    editions: int


def _insert(table_or_model, rows: list[dict]) -> None:
    """Core bulk INSERT (one executemany a batch); callers look new ids up by a unique key afterwards."""
    table = getattr(table_or_model, "__table__", table_or_model)
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def _demo_towns(organisations: int) -> list[int]:
    """Locality ids for the demo network: the report's towns, plus gazetteer towns for big networks."""
    town_ids = [locality.id for locality in seed_forum_towns().values()]
    if organisations > REPORT_TOWNS_ONLY_UP_TO:
        wanted = all_places()[: organisations // 3]
        known = set(db.session.scalars(sa.select(Locality.geonames_id).where(Locality.geonames_id.is_not(None))))
        taken = set(db.session.execute(sa.select(Locality.name, Locality.voivodeship)).tuples())
        new_rows = []
        for place in wanted:
            if place.geonames_id in known or (place.name, place.voivodeship) in taken:
                continue
            taken.add((place.name, place.voivodeship))
            new_rows.append({"name": place.name, "voivodeship": place.voivodeship, "latitude": place.latitude,
                             "longitude": place.longitude, "geonames_id": place.geonames_id,
                             "name_key": fold(place.name), "name_sort": polish_sort_key(place.name)})
        _insert(Locality, new_rows)
        wanted_ids = [place.geonames_id for place in wanted]
        town_ids += db.session.scalars(sa.select(Locality.id).where(Locality.geonames_id.in_(wanted_ids)))
    return sorted(set(town_ids))


def _demo_editions(count: int, towns: list[int], rng: random.Random) -> list[Edition]:
    """`count` demo editions of their own, numbered from 101 (above any real edition), a quarter apart after
    the last real one, so the demo never attends an edition that did not come from here."""
    number, start = db.session.execute(sa.select(
        sa.func.max(Edition.number), sa.func.max(Edition.start_date))).one()
    number = max(number or 0, FIRST_DEMO_EDITION - 1)
    start = start or FIRST_MEMBERS
    editions = []
    for index in range(count):
        number += 1
        start += timedelta(days=rng.choice((84, 91, 98)))
        start += timedelta(days=(3 - start.weekday()) % 7)  # Thursday and Friday, as the Forum meets
        editions.append(Edition(number=number, start_date=start, end_date=start + timedelta(days=1),
                                locality_id=towns[index % len(towns)],
                                theme=f"Edycja demonstracyjna {index + 1}", origin=Origin.DEMO))
    db.session.add_all(editions)
    db.session.flush()
    return editions


def _organisation_rows(count: int, towns: list[int], rng: random.Random) -> list[dict]:
    taken = set(db.session.scalars(sa.select(Organisation.name_key)))
    uses: Counter[str] = Counter()
    rows = []
    for index in range(count):
        base = f"{rng.choice(ORGANISATION_KINDS)} {rng.choice(ORGANISATION_NAMES)}"
        name = base
        while fold(name) in taken:
            uses[base] += 1
            name = f"{base} {uses[base] + 1}"
        taken.add(fold(name))
        joined = FIRST_MEMBERS + timedelta(days=rng.randrange(0, 700))
        rows.append({
            "name": name, "sector": Sector.NGO, "locality_id": towns[index % len(towns)] if index < len(towns)
            else rng.choice(towns), "email": f"kontakt{index + 1}@{DEMO_DOMAIN}",
            "description": "Organizacja demonstracyjna (dane fikcyjne).", "forum_member_since": joined,
            "origin": Origin.DEMO, "name_key": fold(name), "search_text": fold(name),
            "name_sort": polish_sort_key(name),
        })
    return rows


def _person_rows(count: int, org_ids: list[int], org_towns: dict[int, int], rng: random.Random,
                 consent_time: datetime) -> tuple[list[dict], list[int]]:
    rows, employers = [], []
    for index in range(count):
        female = rng.random() < 0.6
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        last = rng.choice(LAST_NAMES)[1 if female else 0]
        email = f"{fold(first)}.{fold(last)}.{index + 1}@{DEMO_DOMAIN}".replace(" ", "-")
        # Every organisation gets someone before anyone gets a second employer.
        employer = org_ids[index] if index < len(org_ids) else rng.choice(org_ids)
        employers.append(employer)
        rows.append({
            "first_name": first, "last_name": last, "email": email, "locality_id": org_towns[employer],
            "forum_member": True, "leader": index < len(org_ids),
            "directory_consent_at": consent_time if rng.random() < 0.7 else None,
            "map_consent_at": consent_time if rng.random() < 0.6 else None,
            "origin": Origin.DEMO, **person_keys(first, last, email),
        })
    return rows, employers


# The demo people gave their consents on a (fictional) registration form for the Forum: history rows say so.
DEMO_CONSENT_NOTE = "formularz zgłoszeniowy (dane demonstracyjne)"


def _consent_rows(person_rows: list[dict], person_ids: list[int]) -> list[dict]:
    """The history row of each consent the demo people have, as forum_crm.consents.record_consent writes it."""
    return [{"person_id": person_id, "purpose": purpose, "given": True, "decided_at": row[column],
             "source": ConsentSource.REGISTRATION, "wording_version": WORDING_VERSIONS[purpose],
             "note": DEMO_CONSENT_NOTE}
            for row, person_id in zip(person_rows, person_ids, strict=True)
            for purpose, column in GIVEN_AT.items() if row.get(column)]


def generate_demo_network(people: int, organisations: int, seed: int, editions: int = 0) -> DemoSummary:
    """Replace any earlier demo network with a new one of exactly these sizes.

    It links only to its own rows and to shared reference data (towns, areas of work): its people
    attend only its own `editions`.
    """
    if people < 0 or organisations < 1 or people < organisations:
        raise ValueError("Need at least one organisation and at least as many people as organisations.")
    rng = random.Random(seed)
    remove_demo_data()
    towns = _demo_towns(organisations)
    all_editions = _demo_editions(editions, towns, rng)

    org_rows = _organisation_rows(organisations, towns, rng)
    _insert(Organisation, org_rows)
    org_id_by_key = dict(db.session.execute(
        sa.select(Organisation.name_key, Organisation.id).where(Organisation.origin == Origin.DEMO)).tuples().all())
    org_ids = [org_id_by_key[row["name_key"]] for row in org_rows]
    org_towns = {org_id: row["locality_id"] for org_id, row in zip(org_ids, org_rows, strict=True)}
    area_ids = _area_ids()
    _insert(organisation_area, [
        {"organisation_id": org_id, "area_id": area_id}
        for org_id in org_ids for area_id in rng.sample(area_ids, rng.randint(1, 4))
    ])
    _insert(OrganisationLanguage, [
        {"organisation_id": org_id, "code": code}
        for org_id in org_ids for code in ["pl", *rng.sample(LANGUAGES, rng.randint(0, 3))]
    ])

    consent_time = datetime(2023, 5, 18, 9, 0, tzinfo=UTC)
    person_rows, employers = _person_rows(people, org_ids, org_towns, rng, consent_time)
    _insert(Person, person_rows)
    store_names(db.session.connection(), {(row["first_key"], row["last_key"]) for row in person_rows})
    person_id_by_email = dict(db.session.execute(
        sa.select(Person.email, Person.id).where(Person.origin == Origin.DEMO)).tuples().all())
    person_ids = [person_id_by_email[row["email"]] for row in person_rows]
    _insert(ConsentEvent, _consent_rows(person_rows, person_ids))

    affiliations = []
    for person_id, employer in zip(person_ids, employers, strict=True):
        started = FIRST_MEMBERS - timedelta(days=rng.randrange(0, 2000))
        if rng.random() < 0.1 and len(org_ids) > 1:  # moved here from another NGO
            earlier = rng.choice([org_id for org_id in rng.sample(org_ids, 2) if org_id != employer])
            affiliations.append({"person_id": person_id, "organisation_id": earlier,
                                 "role_title": rng.choice(ROLE_TITLES),
                                 "is_primary": False, "started_on": started - timedelta(days=900),
                                 "ended_on": started - timedelta(days=1)})
        affiliations.append({"person_id": person_id, "organisation_id": employer, "role_title": rng.choice(ROLE_TITLES),
                             "is_primary": True, "started_on": started, "ended_on": None})
    _insert(Affiliation, affiliations)

    participations = _participate(all_editions, person_ids, employers, rng)
    db.session.flush()
    return DemoSummary(people, organisations, len(affiliations), participations, len(all_editions))


def refresh_statistics() -> None:
    """ANALYZE after a bulk load, so the query planner knows the tables' new sizes (call after commit).

    On PostgreSQL, VACUUM too: it marks the new rows visible to all, without which an index-only scan reads the
    table anyway (autovacuum would, some minutes later).
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        return
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def _area_ids() -> list[int]:
    existing = set(db.session.scalars(sa.select(AreaOfWork.name)))
    missing = [{"name": name} for name in AREAS if name not in existing]
    _insert(AreaOfWork, missing)
    return list(db.session.scalars(sa.select(AreaOfWork.id).where(AreaOfWork.name.in_(AREAS)).order_by(AreaOfWork.id)))


def _participate(editions: list[Edition], person_ids: list[int], employers: list[int], rng: random.Random) -> int:
    """Participations with day-by-day attendance; future editions only have invitations."""
    today = date.today()
    per_edition = min(round(len(person_ids) * PARTICIPATION_CHANCE), MAX_PARTICIPANTS_PER_EDITION)
    participation_rows, day_plans = [], []
    for edition in editions:
        for index in sorted(rng.sample(range(len(person_ids)), per_edition)):
            if edition.start_date > today:
                status = rng.choice((ParticipationStatus.INVITED, ParticipationStatus.REGISTERED))
            else:
                status = rng.choices((ParticipationStatus.ATTENDED, ParticipationStatus.NO_SHOW,
                                      ParticipationStatus.CANCELLED), weights=(85, 8, 7))[0]
            days = edition.days if rng.random() < 0.85 else [rng.choice(edition.days)]
            participation_rows.append({
                "edition_id": edition.id, "person_id": person_ids[index], "organisation_id": employers[index],
                "status": status,
                "role": ParticipationRole.ORGANISER if rng.random() < 0.03 else ParticipationRole.PARTICIPANT,
            })
            day_plans.append(days if status == ParticipationStatus.ATTENDED else [])
    _insert(Participation, participation_rows)
    demo_people = sa.select(Person.id).where(Person.origin == Origin.DEMO)
    id_by_pair = {(edition_id, person_id): participation_id for participation_id, edition_id, person_id in
                  db.session.execute(sa.select(Participation.id, Participation.edition_id, Participation.person_id)
                                     .where(Participation.person_id.in_(demo_people)))}
    participation_ids = [id_by_pair[row["edition_id"], row["person_id"]] for row in participation_rows]
    _insert(DayAttendance, [
        {"participation_id": participation_id, "day": day,
         "checked_in_at": datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)}
        for participation_id, days in zip(participation_ids, day_plans, strict=True) for day in days
    ])
    return len(participation_rows)
