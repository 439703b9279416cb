"""Removing the whole demo network: every row that came from `demo-data`, and every row attached to one."""

import sqlalchemy as sa
from flask import g

from forum_crm.demo.queries import (
    DEMO_ACCOUNTS,
    DEMO_CHANGES,
    DEMO_EDITIONS,
    DEMO_ORGANISATIONS,
    DEMO_PEOPLE,
    Removal,
    removal_preview,
)
from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    ConsentEvent,
    DayAttendance,
    Edition,
    ErasureRequest,
    Organisation,
    OrganisationLanguage,
    Origin,
    OutboxMessage,
    PanelSpeaker,
    Participation,
    Partnership,
    Person,
    User,
)
from forum_crm.models.directory import organisation_area
from forum_crm.models.duplicates import prune_all_names


def remove_demo_data() -> Removal:
    """Delete the demo people, organisations and editions with their accounts, links and change log.

    Real records and the change log about them stay; a real row that points at a demo one (someone's
    participation in a demo edition, a job at a demo organisation) goes with it.
    """
    removal = removal_preview()
    accounts = list(db.session.scalars(DEMO_ACCOUNTS))
    delete = db.session.execute
    delete(sa.delete(OutboxMessage).where(sa.or_(
        OutboxMessage.person_id.in_(DEMO_PEOPLE), OutboxMessage.user_id.in_(accounts))))
    delete(sa.delete(User).where(User.id.in_(accounts)))
    delete(sa.delete(ChangeLogEntry).where(DEMO_CHANGES))
    participations = sa.select(Participation.id).where(sa.or_(
        Participation.person_id.in_(DEMO_PEOPLE), Participation.organisation_id.in_(DEMO_ORGANISATIONS),
        Participation.edition_id.in_(DEMO_EDITIONS)))
    delete(sa.delete(DayAttendance).where(DayAttendance.participation_id.in_(participations)))
    delete(sa.delete(Participation).where(Participation.id.in_(participations)))
    delete(sa.delete(Affiliation).where(sa.or_(
        Affiliation.person_id.in_(DEMO_PEOPLE), Affiliation.organisation_id.in_(DEMO_ORGANISATIONS))))
    delete(sa.delete(PanelSpeaker).where(PanelSpeaker.organisation_id.in_(DEMO_ORGANISATIONS)))
    delete(sa.delete(Partnership).where(Partnership.organisation_id.in_(DEMO_ORGANISATIONS)))
    delete(sa.delete(ConsentEvent).where(ConsentEvent.person_id.in_(DEMO_PEOPLE)))
    delete(sa.delete(ErasureRequest).where(ErasureRequest.person_id.in_(DEMO_PEOPLE)))
    delete(sa.delete(Person).where(Person.origin == Origin.DEMO))
    prune_all_names(db.session.connection())
    delete(sa.delete(organisation_area).where(organisation_area.c.organisation_id.in_(DEMO_ORGANISATIONS)))
    delete(sa.delete(OrganisationLanguage).where(OrganisationLanguage.organisation_id.in_(DEMO_ORGANISATIONS)))
    delete(sa.delete(Edition).where(Edition.origin == Origin.DEMO))
    delete(sa.delete(Organisation).where(Organisation.origin == Origin.DEMO))
    g.pop("demo_counts", None)
    return removal
