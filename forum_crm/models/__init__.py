"""Typed SQLAlchemy 2.0 models, split by domain. Importing this package registers them all."""

from forum_crm.models.audit import ChangeLogEntry
from forum_crm.models.auth import Role, User
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
from forum_crm.models.events import (
    DayAttendance,
    Edition,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    PanelSpeaker,
    PartnerRole,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
)
from forum_crm.models.geo import Locality, Voivodeship

__all__ = [
    "Affiliation", "AreaOfWork", "Base", "ChangeLogEntry", "DayAttendance", "Edition", "Locality",
    "Organisation", "OrganisationLanguage", "Origin", "PanelSpeaker", "Participation",
    "ParticipationRole", "ParticipationStatus", "PartnerRole", "Partnership", "Person",
    "ProgrammeItem", "ProgrammeKind", "Role", "Sector", "User", "Voivodeship",
]
