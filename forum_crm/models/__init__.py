"""Typed SQLAlchemy 2.0 models, split by domain. Importing this package registers them all."""

from forum_crm.models.audit import ChangeLogEntry, ReviewState
from forum_crm.models.auth import AccountToken, AuthEvent, AuthEventKind, LoginAttempt, Role, TokenPurpose, User
from forum_crm.models.base import Base
from forum_crm.models.consents import ConsentEvent, ConsentPurpose, ConsentSource
from forum_crm.models.directory import (
    Affiliation,
    AreaOfWork,
    Organisation,
    OrganisationLanguage,
    Origin,
    Person,
    Sector,
)
from forum_crm.models.duplicates import DismissedPair, DuplicateKind, NameKey, NamePair, NamePairKind, PersonMerge
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
from forum_crm.models.gdpr import ErasureRequest, ErasureSource, ErasureState
from forum_crm.models.geo import Locality, Voivodeship
from forum_crm.models.mailings import Mailing, MailingRecipient
from forum_crm.models.outbox import MessageKind, OutboxMessage, OutboxState
from forum_crm.models.registration import ChoiceKind, EditionRegistration, Registration, RegistrationChoice
from forum_crm.models.system import DEMO_COUNTED, ROW_COUNTED, DemoCount, KeptUpload, RowCount, TableVersion, WorkerRun

__all__ = [
    "AccountToken", "Affiliation", "AreaOfWork", "AuthEvent", "AuthEventKind", "Base", "ChangeLogEntry", "ChoiceKind",
    "ConsentEvent", "ConsentPurpose", "ConsentSource", "DEMO_COUNTED", "DemoCount", "ErasureRequest", "ErasureSource",
    "ErasureState",
    "DayAttendance", "DismissedPair", "DuplicateKind", "Edition", "EditionRegistration", "KeptUpload", "Locality",
    "LoginAttempt", "Mailing", "MailingRecipient", "MessageKind", "NameKey", "NamePair", "NamePairKind",
    "Organisation", "OutboxMessage", "OutboxState", "OrganisationLanguage", "Origin", "PanelSpeaker", "Participation",
    "ParticipationRole", "ParticipationStatus", "PartnerRole", "Partnership", "Person", "PersonMerge",
    "ProgrammeItem", "ProgrammeKind", "ROW_COUNTED", "Registration", "RegistrationChoice", "ReviewState", "Role",
    "RowCount", "Sector", "TableVersion", "TokenPurpose", "User", "Voivodeship", "WorkerRun",
]
