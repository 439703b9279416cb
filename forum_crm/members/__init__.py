"""The members' directory: the people who agreed to be listed and the Forum's member organisations,
with only what members may see of them. Open to every logged-in user."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from forum_crm.members import routes  # noqa: E402,F401  (registers the views)
