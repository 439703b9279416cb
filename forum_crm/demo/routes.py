"""The coordinator's page for removing the demo network: GET asks for confirmation, POST removes it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.demo.queries import removal_preview
from forum_crm.demo.services import remove_demo_data
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import Role

bp = Blueprint("demo", __name__, url_prefix="/demo")


@bp.route("/remove", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def data_remove():
    form = ConfirmForm()
    if form.validate_on_submit():
        removed = remove_demo_data()
        db.session.commit()
        flash(_("Demo data removed: %(people)s, %(organisations)s, %(editions)s.",
                **removed.counts.phrases()), "success")
        return redirect(url_for("home.index"))
    return render_template("demo/remove.html", form=form, removal=removal_preview())
