"""The network: organisations, people, and which person works where."""

import enum
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from forum_crm.models.base import Base, as_utc, choice, utcnow
from forum_crm.models.geo import Locality
from forum_crm.text import fold, polish_sort_key

# An organisation's editors are reminded when its profile has not been confirmed for this long.
PROFILE_CONFIRMATION_INTERVAL = timedelta(days=365)


class Sector(enum.StrEnum):
    NGO = "ngo"
    LOCAL_GOVERNMENT = "local_government"
    UNIVERSITY = "university"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    BUSINESS = "business"
    DONOR = "donor"
    PUBLIC_INSTITUTION = "public_institution"
    MEDIA = "media"
    OTHER = "other"


class Origin(enum.StrEnum):
    """Where a record came from; demo records are synthetic and safe to delete."""

    MANUAL = "manual"
    REPORT = "report"
    DEMO = "demo"
    IMPORT = "import"


organisation_area = sa.Table(
    "organisation_area",
    Base.metadata,
    sa.Column("organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("area_of_work.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class AreaOfWork(Base):
    """A tag for what organisations do: legal aid, education, housing..."""

    __tablename__ = "area_of_work"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class OrganisationLanguage(Base):
    """A language an organisation works in (ISO 639-1 code)."""

    __tablename__ = "organisation_language"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)


class Organisation(Base):
    """An NGO, institution, company or donor. Archived, never deleted, so history stays."""

    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint("krs IS NULL OR length(krs) = 10", name="krs_ten_digits"),
        sa.CheckConstraint("nip IS NULL OR length(nip) = 10", name="nip_ten_digits"),
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        # An edition's report counts its attendees' organisations by sector and town: read here, not in the rows.
        sa.Index("ix_organisation_id_sector_locality_id", "id", "sector", "locality_id"),
        # The list's member split counts the other institutions not archived here alone; a page of the list asked
        # by number finds its first key in the list's order and default filter alone.
        sa.Index("ix_organisation_forum_member_since_archived_at", "forum_member_since", "archived_at"),
        sa.Index("ix_organisation_list_order", "name_sort", "id", "archived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str | None] = mapped_column(sa.String(80))
    sector: Mapped[Sector] = mapped_column(choice(Sector, "sector"), default=Sector.NGO, index=True)
    locality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locality.id", ondelete="RESTRICT"), index=True
    )
    krs: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    nip: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.Text)
    forum_member_since: Mapped[date | None] = mapped_column(index=True)
    consortium_member: Mapped[bool] = mapped_column(default=False)
    # Shown on the public pages and in the API (opt-in): since when, and which fields beside the name.
    public_since: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    public_town: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_areas: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_languages: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_website: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_email: Mapped[str | None] = mapped_column(sa.String(254))  # a contact address meant for the public
    # An editor confirms now and then that the profile is up to date; reminders go out when it is not.
    profile_confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    profile_reminder_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Indexed: the demo banner of every page counts demo records (a table scan without it).
    origin: Mapped[Origin] = mapped_column(choice(Origin, "origin"), default=Origin.MANUAL, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Derived from name and short name: unique folded name (no two "Fundacja Łąka" / "fundacja laka"),
    # folded search text, and the Polish sort key.
    name_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    search_text: Mapped[str] = mapped_column(sa.String(400))
    name_sort: Mapped[str] = mapped_column(sa.String(240), index=True)
    # The folded short name, so the duplicate finder can pair "IRC" with "International Rescue Committee".
    short_key: Mapped[str | None] = mapped_column(sa.String(80), index=True)

    locality: Mapped[Locality | None] = relationship()
    areas: Mapped[list[AreaOfWork]] = relationship(secondary=organisation_area, order_by=AreaOfWork.name)
    languages: Mapped[list[OrganisationLanguage]] = relationship(cascade="all, delete-orphan")
    affiliations: Mapped[list["Affiliation"]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}

    @validates("name", "short_name")
    def _derive_keys(self, key: str, value: str | None) -> str | None:
        name = value if key == "name" else self.name
        short_name = value if key == "short_name" else self.short_name
        self.name_key = fold(name)
        self.short_key = fold(short_name) or None
        self.search_text = fold(f"{name or ''} {short_name or ''}")
        self.name_sort = polish_sort_key(name)
        return value

    @validates("email")
    def _lower_email(self, _key: str, email: str | None) -> str | None:
        return stored_email(email)

    @property
    def is_forum_member(self) -> bool:
        return self.forum_member_since is not None

    @hybrid_property
    def is_active_member(self) -> bool:
        """A member of the Forum, not archived: listed in the members' directory, counted on the map and in
        reports. Usable in Python and in SQL (`.where(Organisation.is_active_member)`)."""
        return self.forum_member_since is not None and self.archived_at is None

    @is_active_member.inplace.expression
    @classmethod
    def _is_active_member_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.forum_member_since.is_not(None), cls.archived_at.is_(None))

    @hybrid_property
    def is_public(self) -> bool:
        """On the public pages and in the API: opted in, and an active Forum member. In Python and in SQL."""
        return self.public_since is not None and self.forum_member_since is not None and self.archived_at is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.public_since.is_not(None), cls.is_active_member)

    @property
    def profile_checked_at(self) -> datetime:
        """When the profile was last confirmed as up to date (or, if never, created)."""
        return as_utc(self.profile_confirmed_at or self.created_at)

    @property
    def profile_is_stale(self) -> bool:
        """Not confirmed as up to date for PROFILE_CONFIRMATION_INTERVAL."""
        return self.profile_checked_at < utcnow() - PROFILE_CONFIRMATION_INTERVAL

    def __str__(self) -> str:
        return self.name


class Person(Base):
    """Someone in the network. Anonymised rather than deleted, so they still count in totals."""

    __tablename__ = "person"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        # The duplicate finder joins people on these: the same name, the name swapped, one typo in either part.
        # The first index also holds what the finder's groupings read (alive? spelled how?), so they scan only it.
        sa.Index("ix_person_first_key_last_key", "first_key", "last_key", "locality_id", "anonymised_at",
                 "first_name", "last_name"),
        sa.Index("ix_person_last_key_first_key", "last_key", "first_key"),
        # The people list's order with its default filter (not archived): its pages are found and counted in this
        # index alone. Not a partial index: SQLite would then read a whole-table scan through it, row by row.
        sa.Index("ix_person_list_order", "name_sort", "id", "archived_at"),
        # The home page's count of real Forum members (reports.queries.network_numbers) reads this index alone.
        sa.Index("ix_person_origin_member", "origin", "forum_member", "archived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    language: Mapped[str | None] = mapped_column(sa.String(8))  # of the e-mails sent to them; None: Polish
    locality_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("locality.id", ondelete="RESTRICT"), index=True
    )
    expertise: Mapped[str | None] = mapped_column(sa.Text)
    forum_member: Mapped[bool] = mapped_column(default=False, index=True)
    leader: Mapped[bool] = mapped_column(default=False)
    # The consents the app obeys now (their history: ConsentEvent, written by forum_crm.consents).
    # An opt-in consent is the moment it was given, None when not given; mailings go unless withdrawn.
    directory_consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    map_consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    photo_consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    newsletter_withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The person lets other members see their e-mail address and phone number in the directory.
    share_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    notes: Mapped[str | None] = mapped_column(sa.Text)  # coordinator only
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    anonymised_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Indexed: the demo banner of every page counts demo records (a table scan without it).
    origin: Mapped[Origin] = mapped_column(choice(Origin, "origin"), default=Origin.MANUAL, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    search_text: Mapped[str] = mapped_column(sa.String(500))
    name_sort: Mapped[str] = mapped_column(sa.String(240), index=True)
    # Folded first and last name and the phone's last nine digits, derived like search_text: duplicate finder keys.
    first_key: Mapped[str] = mapped_column(sa.String(100), server_default="")
    last_key: Mapped[str] = mapped_column(sa.String(100), server_default="")
    phone_key: Mapped[str | None] = mapped_column(sa.String(20), index=True)

    locality: Mapped[Locality | None] = relationship()
    affiliations: Mapped[list["Affiliation"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **kwargs: Any) -> None:
        """A person; the keys of their name and e-mail are derived once, when all three are set."""
        self._keys_deferred = True
        try:
            super().__init__(**kwargs)
        finally:
            del self._keys_deferred
        if kwargs.keys() & {"first_name", "last_name", "email"}:
            self._set_keys(self.first_name, self.last_name, self.email)

    @validates("first_name", "last_name", "email")
    def _derive_keys(self, key: str, value: str | None) -> str | None:
        if key == "email":
            value = stored_email(value)
        if not getattr(self, "_keys_deferred", False):
            parts = {"first_name": self.first_name, "last_name": self.last_name, "email": self.email, key: value}
            self._set_keys(parts["first_name"], parts["last_name"], parts["email"])
        return value

    def _set_keys(self, first_name: str | None, last_name: str | None, email: str | None) -> None:
        for name, key in person_keys(first_name, last_name, email).items():
            setattr(self, name, key)

    @validates("phone")
    def _derive_phone_key(self, _key: str, phone: str | None) -> str | None:
        self.phone_key = phone_key(phone)
        return phone

    @hybrid_property
    def is_active_member(self) -> bool:
        """A member of the Forum, not archived: counted in reports. In Python and in SQL."""
        return self.forum_member and self.archived_at is None

    @is_active_member.inplace.expression
    @classmethod
    def _is_active_member_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.forum_member.is_(True), cls.archived_at.is_(None))

    @hybrid_property
    def is_listed(self) -> bool:
        """Shown in the members' directory: agreed to it, neither archived nor anonymised. In Python and SQL."""
        return self.directory_consent_at is not None and self.archived_at is None and self.anonymised_at is None

    @is_listed.inplace.expression
    @classmethod
    def _is_listed_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.directory_consent_at.is_not(None), cls.archived_at.is_(None), cls.anonymised_at.is_(None))

    @hybrid_property
    def is_on_map(self) -> bool:
        """Counted on the member map (by town only): agreed to it, neither archived nor anonymised."""
        return self.map_consent_at is not None and self.archived_at is None and self.anonymised_at is None

    @is_on_map.inplace.expression
    @classmethod
    def _is_on_map_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.map_consent_at.is_not(None), cls.archived_at.is_(None), cls.anonymised_at.is_(None))

    @hybrid_property
    def accepts_newsletter(self) -> bool:
        """May get mailings that are not about an edition they registered for: not withdrawn, archived or anonymised."""
        return self.newsletter_withdrawn_at is None and self.archived_at is None and self.anonymised_at is None

    @accepts_newsletter.inplace.expression
    @classmethod
    def _accepts_newsletter_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.newsletter_withdrawn_at.is_(None), cls.archived_at.is_(None), cls.anonymised_at.is_(None))

    @property
    def full_name(self) -> str:
        """The name; an anonymised person has none and is called so (forum_crm.gdpr.erasure)."""
        if self.anonymised_at is not None:
            return gettext("Anonymised person")
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return self.full_name


# The member map counts the people on it and the member organisations per town from these indexes alone instead
# of reading the whole tables (index-only scans on PostgreSQL). Their conditions are Person.is_on_map and
# Organisation.is_active_member themselves: SQLite uses a partial index only for queries whose WHERE contains its terms.
sa.Index("ix_person_on_map_locality_id", Person.locality_id,
         sqlite_where=Person.is_on_map, postgresql_where=Person.is_on_map)
sa.Index("ix_organisation_member_locality_id", Organisation.locality_id,
         sqlite_where=Organisation.is_active_member, postgresql_where=Organisation.is_active_member)
# The map's popups list member organisations by name in each town, read in order from this index alone (PostgreSQL:
# 1 ms instead of sorting 10,000 rows, 11; SQLite: half the time of its scan of the table in name order). It holds
# the condition's columns too: SQLite 3.40 takes a partial index for covering only if it has every column named.
sa.Index("ix_organisation_member_name_sort", Organisation.name_sort, Organisation.id, Organisation.locality_id,
         Organisation.name, Organisation.forum_member_since, Organisation.archived_at,
         sqlite_where=Organisation.is_active_member, postgresql_where=Organisation.is_active_member)

# The list's member split counts the archived organisations here; the others not archived are a range of
# ix_organisation_forum_member_since_archived_at, and the members the rest of the table's count.
sa.Index("ix_organisation_archived_at", Organisation.archived_at,
         sqlite_where=Organisation.archived_at.is_not(None), postgresql_where=Organisation.archived_at.is_not(None))


def stored_email(email: str | None) -> str | None:
    """An e-mail address as it is stored and compared: trimmed, in lower case; None if empty."""
    return email.strip().lower() if email else None


def person_keys(first_name: str | None, last_name: str | None, email: str | None) -> dict[str, str]:
    """The columns a person's name and e-mail give: search_text (searched by name and e-mail), name_sort (sorted
    by last name), first_key and last_key (the duplicate finder's folded names)."""
    first_key, last_key = fold(first_name), fold(last_name)
    return {"search_text": " ".join(part for part in (first_key, last_key, fold(email)) if part),
            "name_sort": polish_sort_key(f"{last_name or ''} {first_name or ''}"),
            "first_key": first_key, "last_key": last_key}


def phone_key(phone: str | None) -> str | None:
    """The last nine digits of a phone number ("+48 601-234-567" and "601 234 567" agree), None if under seven."""
    digits = "".join(ch for ch in phone or "" if ch.isascii() and ch.isdigit())
    return digits[-9:] if len(digits) >= 7 else None


class Affiliation(Base):
    """A person works (or worked) at an organisation. Ended affiliations keep the history."""

    __tablename__ = "affiliation"
    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="dates_in_order"),
        # A person's organisations without reading the rows (the duplicate finder's namesakes at one organisation).
        sa.Index("ix_affiliation_person_id_organisation_id", "person_id", "organisation_id"),
        # An organisation's people now (is_current) counted without reading the rows: the organisations list
        # counts them for each row of a page.
        sa.Index("ix_affiliation_organisation_id_ended_on", "organisation_id", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"))
    role_title: Mapped[str | None] = mapped_column(sa.String(200))
    is_primary: Mapped[bool] = mapped_column(default=False)
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="affiliations")
    organisation: Mapped[Organisation] = relationship(back_populates="affiliations")

    @hybrid_property
    def is_current(self) -> bool:
        """The person works there now: no end date, or one not yet passed. In Python and in SQL."""
        return self.ended_on is None or self.ended_on >= date.today()

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.ended_on.is_(None), cls.ended_on >= date.today())
