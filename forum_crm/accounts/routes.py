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
from forum_crm.changes.queries import UnreviewedEmail, unreviewed_email
from forum_crm.editing import invalid
from forum_crm.extensions import db
from forum_crm.mail import queue_invitation
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
    person = _get(Person, request.args.get("person"))
    unreviewed = unreviewed_email(person.id) if person is not None else None
    form = InviteForm(**({} if request.method == "POST" else _invitation_defaults(unreviewed)))
    if form.validate_on_submit():
        user, token = invite(form.email.data, **form.access(), language=form.language.data)
        queue_invitation(user, token, user.language)
        db.session.commit()
        flash(_("The invitation to %(email)s is in the outbox and will be sent in a moment.", email=user.email),
              "success")
        return redirect(url_for(".account_list"))
    return invalid("accounts/invite.html", form, unreviewed=unreviewed)


def _invitation_defaults(unreviewed: UnreviewedEmail | None) -> dict:
    """Form data from ?organisation=ID (a representative), ?person=ID (a member) or ?account=ID (invite again).

    A person's e-mail address that someone other than the coordinator set is not offered: the one before it is.
    """
    args = request.args
    if (account := _get(User, args.get("account"))) is not None:
        return {"email": account.email, **access_data(account.role, account.organisation, account.person)}
    if (person := _get(Person, args.get("person"))) is not None:
        email = unreviewed.previous if unreviewed else person.email
        return {"email": email or "", **access_data(Role.MEMBER, None, person)}
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
