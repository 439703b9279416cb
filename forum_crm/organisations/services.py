"""Writes for organisations: each function changes one record, enforces its rules, logs the change, and flushes."""


import sqlalchemy as sa
from flask_babel import gettext as _

from forum_crm.changelog import loggable, readers, record_change, save_logged
from forum_crm.errors import refuse
from forum_crm.extensions import db
from forum_crm.localities.services import locality_label, stored_locality
from forum_crm.models import AreaOfWork, Organisation, OrganisationLanguage
from forum_crm.models.base import utcnow
from forum_crm.organisations.queries import clashing_organisation
from forum_crm.text import fold

ORGANISATION_COLUMNS = ("name", "short_name", "sector", "krs", "nip", "website", "email", "phone", "description",
                        "forum_member_since", "consortium_member")


ORGANISATION_FIELDS = {
    **readers(*ORGANISATION_COLUMNS),
    "locality": locality_label,
    "areas": lambda row: [area.name for area in row.areas],
    "languages": lambda row: [language.code for language in row.languages],
}


def areas_named(names: list[str]) -> list[AreaOfWork]:
    """AreaOfWork rows for these names (matched without regard to case), created if new."""
    existing = {area.name.lower(): area for area in db.session.scalars(
        sa.select(AreaOfWork).where(sa.func.lower(AreaOfWork.name).in_([name.lower() for name in names])))}
    areas = []
    for name in names:
        area = existing.get(name.lower())
        if area is None:
            area = existing[name.lower()] = AreaOfWork(name=name[:80])
            db.session.add(area)
        areas.append(area)
    return areas


def save_organisation(organisation: Organisation, data: dict) -> Organisation:
    """Create or edit an organisation from OrganisationForm or OrganisationProfileForm.data_for_service().

    Only the columns in `data` change: an editor's form has no sector or membership fields. Raises
    FieldProblem, with nothing changed, when another organisation has the same name (ignoring case and
    Polish letters), KRS number or NIP.
    """
    check_unique(organisation, data)

    def apply():
        for name in ORGANISATION_COLUMNS:
            if name in data:
                setattr(organisation, name, data[name])
        organisation.locality = stored_locality(data["town"]) if data["town"] else None
        organisation.areas = areas_named(data["areas"])
        wanted = set(data["languages"])
        organisation.languages = [language for language in organisation.languages if language.code in wanted] + [
            OrganisationLanguage(code=code) for code in data["languages"]
            if code not in {language.code for language in organisation.languages}]

    save_logged("organisation", organisation, ORGANISATION_FIELDS, apply)
    return organisation


def check_unique(organisation: Organisation, data: dict) -> None:
    """Refuse (FieldProblem) a name, KRS number or NIP that another organisation already has."""
    problems = []
    if data.get("name"):
        clash = clashing_organisation(Organisation.name_key, fold(data["name"]), organisation.id)
        if clash:
            problems.append(("name", _("An organisation with this name already exists: %(name)s.", name=clash.name)))
    if data.get("krs") and clashing_organisation(Organisation.krs, data["krs"], organisation.id):
        problems.append(("krs", _("Another organisation has this KRS number.")))
    if data.get("nip") and clashing_organisation(Organisation.nip, data["nip"], organisation.id):
        problems.append(("nip", _("Another organisation has this NIP.")))
    refuse(problems)


PUBLIC_FIELDS = readers("public_since", "public_town", "public_areas", "public_languages", "public_website",
                        "public_email")


def set_public_profile(organisation: Organisation, data: dict) -> None:
    """Show the organisation publicly or not (dated from the moment it is first shown), and which fields."""

    def apply():
        if data["shown"] and organisation.public_since is None:
            organisation.public_since = utcnow()
        elif not data["shown"]:
            organisation.public_since = None
        for name in ("public_town", "public_areas", "public_languages", "public_website", "public_email"):
            setattr(organisation, name, data[name])

    save_logged("organisation", organisation, PUBLIC_FIELDS, apply)


def confirm_profile(organisation: Organisation) -> None:
    """An editor (or the coordinator) confirms the organisation's profile is up to date."""
    before = organisation.profile_confirmed_at
    organisation.profile_confirmed_at = utcnow()
    db.session.flush()
    record_change("organisation", organisation, "confirmed",
                  {"profile_confirmed_at": [loggable(before), loggable(organisation.profile_confirmed_at)]})


def record_reminder(organisation: Organisation) -> None:
    """Remember when the editors were last reminded (not a change to the profile, so not versioned or logged)."""
    db.session.execute(sa.update(Organisation).where(Organisation.id == organisation.id)
                       .values(profile_reminder_sent_at=utcnow()))
