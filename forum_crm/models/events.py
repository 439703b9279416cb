"""Forum editions: their programme, panels, partners and who took part."""

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Organisation, Origin, Person
from forum_crm.models.geo import Locality

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """3 -> "III": how the Forum numbers its editions."""
    digits = []
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        digits.append(numeral * count)
    return "".join(digits)


class ProgrammeKind(enum.StrEnum):
    NETWORKING = "networking"
    KNOWLEDGE_EXCHANGE = "knowledge_exchange"
    DISCUSSION = "discussion"
    LECTURE = "lecture"
    WORKSHOP = "workshop"
    PANEL = "panel"


class PartnerRole(enum.StrEnum):
    FUNDER = "funder"
    HOST = "host"
    CO_ORGANISER = "co_organiser"
    CONTENT = "content"
    MEDIA = "media"


class ParticipationStatus(enum.StrEnum):
    INVITED = "invited"
    REGISTERED = "registered"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class ParticipationRole(enum.StrEnum):
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    ORGANISER = "organiser"
    GUEST = "guest"


class Edition(Base):
    """One forum edition (I, II, III...), usually two days."""

    __tablename__ = "edition"
    __table_args__ = (
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("end_date >= start_date", name="end_not_before_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date]
    locality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locality.id", ondelete="RESTRICT"), index=True)
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    theme: Mapped[str | None] = mapped_column(sa.String(300))
    # In the public calendar (/public/editions.ics) and the API: dates, town and theme only.
    is_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # How the dates were established when the source was unclear (see README: edition III).
    dates_note: Mapped[str | None] = mapped_column(sa.Text)
    origin: Mapped[Origin] = mapped_column(choice(Origin, "origin"), default=Origin.MANUAL)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    locality: Mapped[Locality | None] = relationship()
    programme: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(ProgrammeItem.day, ProgrammeItem.starts_at, ProgrammeItem.id)",
    )
    partnerships: Mapped[list["Partnership"]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def roman_number(self) -> str:
        return roman(self.number)

    @property
    def days(self) -> list[date]:
        return [date.fromordinal(n) for n in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)]

    def __str__(self) -> str:
        return f"{self.roman_number} Forum"


class ProgrammeItem(Base):
    """A session of an edition. Day and times stay empty when the source does not give them."""

    __tablename__ = "programme_item"
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    day: Mapped[date | None]
    kind: Mapped[ProgrammeKind] = mapped_column(choice(ProgrammeKind, "programme_kind"))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[time | None]
    ends_at: Mapped[time | None]

    edition: Mapped[Edition] = relationship(back_populates="programme")
    speakers: Mapped[list["PanelSpeaker"]] = relationship(
        back_populates="programme_item", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PanelSpeaker.position",
    )


class PanelSpeaker(Base):
    """A guest of a panel: the institution they represented and, when known, who they were."""

    __tablename__ = "panel_speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_item_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    programme_item: Mapped[ProgrammeItem] = relationship(back_populates="speakers")
    organisation: Mapped[Organisation] = relationship()
    person: Mapped[Person | None] = relationship()


class Partnership(Base):
    """An organisation partners one edition, or the whole network when edition is empty.

    The role stays empty when the source does not say what the partner did.
    """

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartnerRole | None] = mapped_column(choice(PartnerRole, "partner_role"))

    organisation: Mapped[Organisation] = relationship()
    edition: Mapped[Edition | None] = relationship(back_populates="partnerships")


class Participation(Base):
    """A person at an edition, with the organisation they represented there (kept if they move)."""

    __tablename__ = "participation"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "person_id"),
        # An edition's attendees with who they are and whom they came for, read from the index alone (SQLite's
        # indexes hold the id anyway).
        sa.Index("ix_participation_edition_id_status_organisation_id_person_id",
                 "edition_id", "status", "organisation_id", "person_id", postgresql_include=["id"]),
        # Whether a person or an organisation attended an earlier edition: the few rows of its own attendance.
        sa.Index("ix_participation_person_id_status_edition_id", "person_id", "status", "edition_id"),
        sa.Index("ix_participation_organisation_id_status_edition_id", "organisation_id", "status", "edition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"))
    # Attendance history outlives a person's record: anonymise people, do not delete them.
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[ParticipationStatus] = mapped_column(
        choice(ParticipationStatus, "participation_status"), default=ParticipationStatus.INVITED
    )
    role: Mapped[ParticipationRole] = mapped_column(
        choice(ParticipationRole, "participation_role"), default=ParticipationRole.PARTICIPANT
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    edition: Mapped[Edition] = relationship()
    person: Mapped[Person] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    days_attended: Mapped[list["DayAttendance"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="DayAttendance.day"
    )
    # The answers to the registration questions (models/registration.py), if the person was sent the form.
    registration: Mapped["Registration | None"] = relationship(  # noqa: F821 (registered by models/__init__)
        back_populates="participation", cascade="all, delete-orphan", passive_deletes=True)


class DayAttendance(Base):
    """A participant was there on this day. One row a day: two simultaneous check-ins cannot double it."""

    __tablename__ = "day_attendance"

    participation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    checked_in_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
