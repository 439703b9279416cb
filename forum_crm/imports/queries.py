"""Reads for imports: what is already in the database, looked up in a few batch queries per file."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.editions.participation_queries import represented_organisation
from forum_crm.extensions import db
from forum_crm.models import Affiliation, AreaOfWork, Organisation, Participation, Person
from forum_crm.text import fold

CHUNK = 1_000  # ids in one IN (...) list
LOOKUP_BATCH = 200  # e-mails in one IN (...) list, or names in one OR of (last name, first name) pairs
NAMESAKES_SHOWN = 3  # of the people a name matches, those named in a note ("Anna Nowak; Anna Nowak; …")
NAMESAKES_KEPT = NAMESAKES_SHOWN + 1  # and one more, to know whether to add "…"
# Addresses at these domains say nothing about where a person works.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "wp.pl", "o2.pl", "onet.pl", "onet.eu", "op.pl", "vp.pl", "interia.pl",
    "interia.eu", "poczta.fm", "gazeta.pl", "tlen.pl", "go2.pl", "int.pl", "yahoo.com", "outlook.com",
    "hotmail.com", "live.com", "icloud.com", "me.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
    "aol.com", "ukr.net", "i.ua", "meta.ua", "mail.ru", "yandex.ru", "yandex.com",
})


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def batches(keys: list) -> Iterator[list]:
    for start in range(0, len(keys), LOOKUP_BATCH):
        yield keys[start:start + LOOKUP_BATCH]


def email_domain(email: str | None) -> str | None:
    """"anna@fundacja.org.pl" -> "fundacja.org.pl"."""
    if not email or "@" not in email:
        return None
    return email.rpartition("@")[2].lower() or None


def website_domain(website: str | None) -> str | None:
    host = (urlsplit(website).hostname or "") if website else ""
    return host.removeprefix("www.") or None


@dataclass(frozen=True)
class OrganisationKeys:
    """What an organisation is recognised by in a file: its folded name, short name, KRS, NIP, domains."""

    id: int
    name: str
    name_key: str
    short_name: str | None
    krs: str | None
    nip: str | None
    domains: frozenset[str]


class OrganisationIndex:
    """Every organisation's keys, loaded in one query, looked up by name, KRS, NIP or e-mail domain."""

    def __init__(self):
        self.by_name: dict[str, OrganisationKeys] = {}
        self.by_short_name: dict[str, list[OrganisationKeys]] = {}
        self.by_krs: dict[str, OrganisationKeys] = {}
        self.by_nip: dict[str, OrganisationKeys] = {}
        self.by_domain: dict[str, list[OrganisationKeys]] = {}
        rows = db.session.execute(sa.select(
            Organisation.id, Organisation.name, Organisation.name_key, Organisation.short_name, Organisation.krs,
            Organisation.nip, Organisation.website, Organisation.email))
        for id_, name, name_key, short_name, krs, nip, website, email in rows:
            domains = frozenset(domain for domain in (website_domain(website), email_domain(email))
                                if domain and domain not in FREE_MAIL_DOMAINS)
            keys = OrganisationKeys(id_, name, name_key, short_name, krs, nip, domains)
            self.by_name[name_key] = keys
            if short_name:
                self.by_short_name.setdefault(fold(short_name), []).append(keys)
            if krs:
                self.by_krs[krs] = keys
            if nip:
                self.by_nip[nip] = keys
            for domain in domains:
                self.by_domain.setdefault(domain, []).append(keys)

    def named(self, typed: str) -> list[OrganisationKeys]:
        """The organisation with this exact name, or those with this short name (case and diacritics ignored)."""
        folded = fold(typed)
        exact = self.by_name.get(folded)
        return [exact] if exact else self.by_short_name.get(folded, [])

    def at_domain(self, email: str | None) -> list[OrganisationKeys]:
        domain = email_domain(email)
        return self.by_domain.get(domain, []) if domain and domain not in FREE_MAIL_DOMAINS else []


def organisations_by_id(ids: Iterable[int]) -> dict[int, Organisation]:
    """Organisations with their town, areas and languages (to compare with a file), a query per 1,000."""
    found = {}
    for chunk in chunks(ids):
        found.update((organisation.id, organisation) for organisation in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(chunk))
            .options(joinedload(Organisation.locality), selectinload(Organisation.areas),
                     selectinload(Organisation.languages))))
    return found


def organisations_to_link(ids: Iterable[int]) -> dict[int, Organisation]:
    """Organisations alone (people are linked to them by id), a query per 1,000."""
    found = {}
    for chunk in chunks(ids):
        found.update((row.id, row) for row in db.session.scalars(sa.select(Organisation).where(
            Organisation.id.in_(chunk))))
    return found


def areas_by_name() -> dict[str, AreaOfWork]:
    """Every area of work, by its name in lower case."""
    return {area.name.casefold(): area for area in db.session.scalars(sa.select(AreaOfWork))}


@dataclass(frozen=True)
class PersonKeys:
    id: int
    first_name: str
    last_name: str
    email: str | None

    @property
    def label(self) -> str:
        return f"{self.first_name} {self.last_name}" + (f" <{self.email}>" if self.email else "")


PERSON_KEY_COLUMNS = (Person.id, Person.first_name, Person.last_name, Person.email)


def name_key(first_name: str | None, last_name: str | None) -> str:
    """A full name as files are matched by it: "Anna  ŁUCZAK" -> "anna luczak"."""
    return fold(f"{first_name or ''} {last_name or ''}")


def name_splits(name: str, either_order: bool = False) -> set[tuple[str, str]]:
    """The folded (first, last) names whose name_key is `name`: "anna maria nowak" may be ("anna", "maria nowak"),
    ("anna maria", "nowak"), or the whole in one part and the other empty; with `either_order`, each swapped too
    (the full name written last name first)."""
    words = name.split(" ") if name else []
    splits = {(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(len(words) + 1)}
    return splits | {(last, first) for first, last in splits} if either_order else splits


class PersonIndex:
    """The people a file may mean: those with its e-mails, and the first namesakes (by id) of its full names,
    looked up by those keys alone (the unique index on e-mail, the index on folded last and first names),
    LOOKUP_BATCH keys a query.

    Of each name, the first NAMESAKES_KEPT people and the first two without an e-mail are kept: enough to tell
    one namesake from several and to name a few (a common name may have thousands).
    `either_order`: "Nowak Anna" also finds Anna Nowak (sign-in sheets are written both ways).
    """

    def __init__(self, emails: set[str], names: set[str], either_order: bool = False):
        self.by_email: dict[str, PersonKeys] = {}
        self.by_name: dict[str, list[PersonKeys]] = {}
        self.without_email: dict[str, list[PersonKeys]] = {}
        for batch in batches(sorted(email for email in emails if email)):
            for row in db.session.execute(sa.select(*PERSON_KEY_COLUMNS).where(Person.email.in_(batch))):
                self.by_email[row.email] = PersonKeys(*row)
        namesakes: dict[int, PersonKeys] = {}
        for batch in batches(sorted({split for name in names for split in name_splits(name, either_order)})):
            namesakes.update((keys.id, keys) for keys in _namesakes(batch))
        for _id, keys in sorted(namesakes.items()):
            full = {name_key(keys.first_name, keys.last_name)}
            if either_order:
                full.add(name_key(keys.last_name, keys.first_name))
            for name in full & names:
                _keep(self.by_name.setdefault(name, []), keys, NAMESAKES_KEPT)
                if not keys.email:
                    _keep(self.without_email.setdefault(name, []), keys, 2)

    def named(self, name: str, without_email: bool = False) -> list[PersonKeys]:
        """The first NAMESAKES_KEPT people called `name` (by id), or the first two of them without an e-mail."""
        return (self.without_email if without_email else self.by_name).get(name, [])


def _keep(kept: list[PersonKeys], keys: PersonKeys, most: int) -> None:
    if len(kept) < most:
        kept.append(keys)


@cache
def _namesake_queries(size: int, by_legs: bool) -> tuple[sa.Select | sa.CompoundSelect, sa.Select]:
    """Of `size` folded (first, last) names (parameters first_0, last_0, ...): the ids of the first NAMESAKES_KEPT
    people (by id) of each; and the people of those names without an e-mail (found in the index on e-mails). Built
    once: a query of 200 pairs costs more to build than to run.

    `by_legs` (SQLite): the first ids are a UNION ALL of one range of the index on the names a name, which SQLite
    reads in id order and leaves after NAMESAKES_KEPT; numbering each name's people with a window read and sorted
    every namesake of a common name (the bench file's lookups on the 100,000-person network: 0.30 -> 0.19 s).
    PostgreSQL's index is not in id order, so each leg would read a name's people all the same, and planning 200
    legs cost more than the window (0.9-1.1 -> 1.5-1.6 s): it numbers them."""
    names = [sa.and_(Person.last_key == sa.bindparam(f"last_{number}"),
                     Person.first_key == sa.bindparam(f"first_{number}")) for number in range(size)]
    if by_legs:
        firsts = [sa.select(Person.id).where(name).order_by(Person.id).limit(NAMESAKES_KEPT).subquery()
                  for name in names]
        first_ids: sa.Select | sa.CompoundSelect = sa.union_all(*(sa.select(first.c.id) for first in firsts))
    else:
        nth = sa.func.row_number().over(partition_by=(Person.last_key, Person.first_key), order_by=Person.id)
        numbered = sa.select(Person.id, nth.label("nth")).where(sa.or_(*names)).subquery()
        first_ids = sa.select(numbered.c.id).where(numbered.c.nth <= NAMESAKES_KEPT)
    return first_ids, sa.select(*PERSON_KEY_COLUMNS).where(sa.or_(Person.email.is_(None), Person.email == ""),
                                                           sa.or_(*names))


def _namesakes(names: list[tuple[str, str]]) -> Iterator[PersonKeys]:
    """The first namesakes and those without an e-mail of up to LOOKUP_BATCH folded (first, last) names (the last
    repeated to fill the batch); the first are then read by id (a join lets PostgreSQL read all of person)."""
    names = names + names[-1:] * (LOOKUP_BATCH - len(names))
    parameters = {f"{part}_{number}": key for number, (first, last) in enumerate(names)
                  for part, key in (("first", first), ("last", last))}
    first_ids, without_email = _namesake_queries(LOOKUP_BATCH, db.session.get_bind().dialect.name == "sqlite")
    ids = list(db.session.scalars(first_ids, parameters))
    first = sa.select(*PERSON_KEY_COLUMNS).where(Person.id.in_(ids))
    yield from (PersonKeys(*row) for row in db.session.execute(first))
    yield from (PersonKeys(*row) for row in db.session.execute(without_email, parameters))


def people_by_id(ids: Iterable[int]) -> dict[int, Person]:
    """People with their town and affiliations (and the affiliations' organisations), a query per 1,000."""
    found = {}
    for chunk in chunks(ids):
        found.update((person.id, person) for person in db.session.scalars(
            sa.select(Person).where(Person.id.in_(chunk))
            .options(joinedload(Person.locality),
                     selectinload(Person.affiliations).joinedload(Affiliation.organisation))))
    return found


def represented_organisations(person_ids: Iterable[int]) -> dict[int, int]:
    """person id -> the organisation they represent now, as at the door check-in (primary affiliation first)."""
    found = {}
    for chunk in chunks(person_ids):
        found.update((person_id, organisation_id) for person_id, organisation_id in db.session.execute(
            sa.select(Person.id, represented_organisation(Person.id)).where(Person.id.in_(chunk)))
            if organisation_id is not None)
    return found


def edition_participations(edition_id: int) -> dict[int, Participation]:
    """person id -> their participation in the edition, with the days they attended."""
    return {participation.person_id: participation for participation in db.session.scalars(
        sa.select(Participation).where(Participation.edition_id == edition_id)
        .options(selectinload(Participation.days_attended)))}
