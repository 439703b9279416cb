"""Consents per purpose with their history: every consent given or withdrawn is one row, never changed.

The person's row keeps the current state the app obeys (`Person.directory_consent_at`, `map_consent_at`,
`photo_consent_at`, `newsletter_withdrawn_at`); the history says when, where from and under which wording.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum_crm.models.base import Base, choice, utcnow


class ConsentPurpose(enum.StrEnum):
    DIRECTORY = "directory"  # listed in the members' directory
    MAP = "map"  # counted (by town) on the member map
    NEWSLETTER = "newsletter"  # mailings that are not about an edition the person registered for
    PHOTOGRAPHS = "photographs"  # photographs taken at editions


class ConsentSource(enum.StrEnum):
    FORM = "form"  # the person on their own profile
    COORDINATOR = "coordinator"  # the coordinator, at the person's request
    IMPORT = "import"  # a spreadsheet import
    REGISTRATION = "registration"  # an answer in an edition's registration
    UNSUBSCRIBE = "unsubscribe"  # the link at the end of a mailing
    EARLIER = "earlier"  # recorded before the history was kept (its note says where it came from)


class ConsentEvent(Base):
    """One consent given or withdrawn: by whom it was recorded, from which source, under which wording."""

    __tablename__ = "consent_event"
    __table_args__ = (sa.Index("ix_consent_event_person_id_decided_at", "person_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    purpose: Mapped[ConsentPurpose] = mapped_column(choice(ConsentPurpose, "consent_purpose"))
    given: Mapped[bool]
    # When it was given or withdrawn (a consent given on paper may be dated before it was recorded).
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    source: Mapped[ConsentSource] = mapped_column(choice(ConsentSource, "consent_source"))
    # The version of the text the person was shown (forum_crm.consents.WORDING_VERSIONS); None if unknown.
    wording_version: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(200))  # e.g. "formularz Forum III", a request's reference
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
