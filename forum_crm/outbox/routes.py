"""The coordinator's view of the outbox: every e-mail the app sends, with its state and the server's answer."""

from flask import Blueprint, render_template, request

from forum_crm.auth.permissions import allow
from forum_crm.labels import MESSAGE_KINDS, OUTBOX_STATES
from forum_crm.models import OutboxState, Role
from forum_crm.outbox.queries import count_by_state, outbox_list
from forum_crm.pagination import paginate

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.route("")
@allow(Role.COORDINATOR)
def message_list():
    state = OutboxState(request.args["state"]) if request.args.get("state") in OUTBOX_STATES else None
    return render_template("outbox/list.html", page=paginate(outbox_list(state)), state=state,
                           states=OUTBOX_STATES, kinds=MESSAGE_KINDS, counts=count_by_state())
