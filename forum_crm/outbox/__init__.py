"""The outbox: e-mails queued with the change that causes them, sent by `flask send-mail`, shown to the coordinator."""

from flask import Blueprint

bp = Blueprint("outbox", __name__)

from forum_crm.outbox import routes  # noqa: E402,F401  (registers the views)
