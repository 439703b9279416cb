"""Places: the towns where organisations, people and forum editions are."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from forum_crm.models.base import Base, choice
from forum_crm.text import fold, polish_sort_key


class Voivodeship(enum.StrEnum):
    DOLNOSLASKIE = "dolnośląskie"
    KUJAWSKO_POMORSKIE = "kujawsko-pomorskie"
    LODZKIE = "łódzkie"
    LUBELSKIE = "lubelskie"
    LUBUSKIE = "lubuskie"
    MALOPOLSKIE = "małopolskie"
    MAZOWIECKIE = "mazowieckie"
    OPOLSKIE = "opolskie"
    PODKARPACKIE = "podkarpackie"
    PODLASKIE = "podlaskie"
    POMORSKIE = "pomorskie"
    SLASKIE = "śląskie"
    SWIETOKRZYSKIE = "świętokrzyskie"
    WARMINSKO_MAZURSKIE = "warmińsko-mazurskie"
    WIELKOPOLSKIE = "wielkopolskie"
    ZACHODNIOPOMORSKIE = "zachodniopomorskie"


class Locality(Base):
    """A town or village. Unique by name within a voivodeship (Poland has many a Kamionka).

    The voivodeship and coordinates stay empty only while a place is not yet identified
    (the report's "Kamionka" could be any of them); the map skips such places.
    """

    __tablename__ = "locality"
    __table_args__ = (
        sa.UniqueConstraint("name", "voivodeship"),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_both_or_none"),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180", name="coordinates_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    voivodeship: Mapped[Voivodeship | None] = mapped_column(choice(Voivodeship, "voivodeship"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    geonames_id: Mapped[int | None] = mapped_column(unique=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    name_key: Mapped[str] = mapped_column(sa.String(120), index=True)
    name_sort: Mapped[str] = mapped_column(sa.String(240), index=True)

    @validates("name")
    def _derive_keys(self, _key: str, name: str) -> str:
        self.name_key = fold(name)
        self.name_sort = polish_sort_key(name)
        return name

    @property
    def label(self) -> str:
        """"Kamionka (lubelskie)": the name, and the voivodeship when known."""
        return f"{self.name} ({self.voivodeship})" if self.voivodeship else self.name

    @property
    def is_located(self) -> bool:
        return self.latitude is not None

    def __str__(self) -> str:
        return self.name
