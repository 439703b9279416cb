"""The coordinator's accounts pages: the list, invitations, and what each account may do.

Inviting and changing roles are sensitive: they need the password typed in the last 10 minutes.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.accounts import queries
from forum_crm.accounts.forms import AccountForm, InviteForm, access_data
from forum_crm.auth.permissions import allow, recent_password_required
from forum_crm.auth.services import invite, update_account
from forum_crm.editing import invalid
from forum_crm.extensions import db
from forum_crm.mail import MailError, external_url, invitation_email, send_email
from forum_crm.models import Organisation, Person, Role, User
from forum_crm.pagination import paginate
from forum_crm.validators import ascii_int

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.route("")
@allow(Role.COORDINATOR)
def account_list():
    return render_template("accounts/list.html", page=paginate(queries.account_list()))


@bp.route("/invite", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
@recent_password_required
def account_invite():
    form = InviteForm(**({} if request.method == "POST" else _invitation_defaults()))
    if form.validate_on_submit():
        user, token = invite(form.email.data, **form.access())
        db.session.commit()
        link = external_url("auth.accept_invitation", token=token)
        try:
            send_email(user.email, *invitation_email(link, user.role, user.organisation and user.organisation.name))
        except MailError as error:
            flash(_("The account is ready, but the invitation could not be e-mailed (%(error)s). "
                    "Try inviting again later.", error=str(error)), "error")
        else:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        return redirect(url_for(".account_list"))
    return invalid("accounts/invite.html", form)


def _invitation_defaults() -> dict:
    """Form data from ?organisation=ID (a representative), ?person=ID (a member) or ?account=ID (invite again)."""
    args = request.args
    if (account := _get(User, args.get("account"))) is not None:
        return {"email": account.email, **access_data(account.role, account.organisation, account.person)}
    if (person := _get(Person, args.get("person"))) is not None:
        return {"email": person.email or "", **access_data(Role.MEMBER, None, person)}
    if (organisation := _get(Organisation, args.get("organisation"))) is not None:
        return access_data(Role.ORG_EDITOR, organisation, None)
    return {}


def _get(model, id_text: str | None):
    return db.session.get(model, number) if (number := ascii_int(id_text)) is not None else None


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
@recent_password_required
def account_edit(id: int):
    account = db.get_or_404(User, id)
    data = {} if request.method == "POST" else {
        "active": account.active, **access_data(account.role, account.organisation, account.person)}
    form = AccountForm(account, current_user, **data)
    if form.validate_on_submit():
        update_account(account, active=form.active.data, **form.access())
        db.session.commit()
        flash(_("Saved: %(name)s.", name=account.email), "success")
        return redirect(url_for(".account_list"))
    return invalid("accounts/edit.html", form, account=account)
