"""The mailings' merge field {registration_link}: each recipient's personal registration link for the edition the
mailing is about (empty for someone who was not invited to it, so has no registration yet)."""

import sqlalchemy as sa
from flask import g

from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.mailings.merge_fields import Addressee, MergeField, register
from forum_crm.models import Mailing, Participation, Registration
from forum_crm.registration.emails import personal_link


def _links_of(edition_id: int) -> dict[int, str]:
    """Person id -> personal link, for everyone with a registration for the edition: read once per request, so a
    mailing to thousands renders without a query per recipient."""
    cache = g.setdefault("registration_links", {})
    if edition_id not in cache:
        rows = db.session.execute(sa.select(Participation.person_id, Registration)
                                  .join(Registration, Registration.participation_id == Participation.id)
                                  .where(Participation.edition_id == edition_id))
        cache[edition_id] = {person_id: personal_link(registration) for person_id, registration in rows}
    return cache[edition_id]


def registration_link(addressee: Addressee, mailing: Mailing) -> str:
    if addressee.person_id is None or mailing.edition_id is None:
        return ""
    return _links_of(mailing.edition_id).get(addressee.person_id, "")


register(MergeField("registration_link", _l("personal registration link"), registration_link, needs_edition=True))
