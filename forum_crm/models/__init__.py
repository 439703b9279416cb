"""Typed SQLAlchemy 2.0 models, split by domain. Importing this package registers them all."""

from forum_crm.models.audit import ChangeLogEntry, ReviewState
from forum_crm.models.auth import AccountToken, AuthEvent, AuthEventKind, LoginAttempt, Role, TokenPurpose, User
from forum_crm.models.base import Base
from forum_crm.models.directory import (
    Affiliation,
    AreaOfWork,
    Organisation,
    OrganisationLanguage,
    Origin,
    Person,
    Sector,
)
from forum_crm.models.duplicates import DismissedPair, DuplicateKind, PersonMerge
from forum_crm.models.events import (
    DayAttendance,
    Edition,
    PanelSpeaker,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    PartnerRole,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
)
from forum_crm.models.geo import Locality, Voivodeship
from forum_crm.models.outbox import MessageKind, OutboxMessage, OutboxState

__all__ = [
    "AccountToken", "Affiliation", "AreaOfWork", "AuthEvent", "AuthEventKind", "Base", "ChangeLogEntry",
    "DayAttendance", "DismissedPair", "DuplicateKind", "Edition", "Locality", "LoginAttempt", "MessageKind",
    "Organisation", "OutboxMessage", "OutboxState", "OrganisationLanguage", "Origin", "PanelSpeaker", "Participation",
    "ParticipationRole", "ParticipationStatus", "PartnerRole", "Partnership", "Person", "PersonMerge",
    "ProgrammeItem", "ProgrammeKind", "ReviewState", "Role", "Sector", "TokenPurpose", "User", "Voivodeship",
]
