"""Name badges of an edition: A4 sheets of 8, each with the name, the organisation and a QR code for the door."""

from flask import render_template, request

from forum_crm.auth.permissions import allow
from forum_crm.editions.badges import BADGES_PER_SHEET, SHEETS_PER_PAGE, badge_token, qr_svg
from forum_crm.editions.participant_forms import ParticipantFilterForm
from forum_crm.editions.participation_queries import badge_list
from forum_crm.editions.routes import bp
from forum_crm.extensions import db
from forum_crm.models import Edition, Role
from forum_crm.pagination import paginate


@bp.route("/<id:id>/badges")
@allow(Role.COORDINATOR)
def badge_sheets(id: int):
    edition = db.get_or_404(Edition, id)
    filters = ParticipantFilterForm(request.args)
    page = paginate(badge_list(edition.id, filters.filters()), per_page=BADGES_PER_SHEET * SHEETS_PER_PAGE)
    participations = [row[0] for row in page.items]
    sheets = [participations[start:start + BADGES_PER_SHEET]
              for start in range(0, len(participations), BADGES_PER_SHEET)]
    return render_template("editions/badges.html", edition=edition, filters=filters, page=page, sheets=sheets,
                           qr=lambda participation: qr_svg(badge_token(participation)))
