"""Everyone's own pages (/me): profile and consents, an editor's organisation, password, its confirmation, the security
log."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from forum_crm.auth import queries as auth_queries
from forum_crm.auth.forms import ChangePasswordForm, ConfirmPasswordForm
from forum_crm.auth.permissions import (
    ALL_ROLES,
    allow,
    can_edit_person,
    is_safe_redirect,
    mark_password_confirmed,
    require,
)
from forum_crm.auth.queries import minutes_until_allowed, too_many_attempts
from forum_crm.auth.services import change_password, forget_login_attempt, log_event
from forum_crm.auth.throttling import commit_if_possible, record_attempt
from forum_crm.editing import invalid, save_form
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.me.forms import PersonSelfForm
from forum_crm.models import AuthEventKind, Role
from forum_crm.pagination import page_number
from forum_crm.people.forms import PersonContactForm
from forum_crm.people.queries import current_people
from forum_crm.people.services import add_person_at, save_person

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.route("/organisation")
@allow(*ALL_ROLES)
def organisation():
    """An organisation's editor: its profile and the people who work there now, with links to edit them."""
    organisation = current_user.organisation if current_user.role == Role.ORG_EDITOR else None
    return render_template("me/organisation.html", organisation=organisation,
                           people=current_people(organisation.id) if organisation else [], confirm=ConfirmForm())


@bp.route("/organisation/people/new", methods=["GET", "POST"])
@allow(Role.ORG_EDITOR, Role.COORDINATOR)
def person_new():
    """An organisation's editor adds a person who works at their organisation (the coordinator is shown where
    they add people)."""
    organisation = current_user.organisation if current_user.role == Role.ORG_EDITOR else None
    form = PersonContactForm()
    if organisation is not None and form.validate_on_submit():
        return save_form(form, lambda: add_person_at(organisation, form.data_for_service()),
                         lambda _: url_for(".organisation"), "me/person_new.html", organisation=organisation)
    return invalid("me/person_new.html", form, organisation=organisation)


@bp.route("", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def profile():
    """Everyone's own entry in the directory (if their account is linked to one): contact details and consents."""
    person = current_user.person
    if person is None:
        return render_template("me/profile.html", form=None, person=None)
    require(can_edit_person(current_user, person))
    form = PersonSelfForm(obj=person)
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: url_for(".profile"), "me/profile.html",
                         record=person, entity_type="person", person=person)
    return invalid("me/profile.html", form, person=person)


SECURITY_LOG_PER_PAGE = 50


@bp.route("/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def password():
    form = ChangePasswordForm(current_user._get_current_object())
    if form.validate_on_submit():
        refused = _check_password(form.current_password)
        if refused:
            return render_template("me/password.html", form=form), refused
        user = current_user._get_current_object()
        change_password(user, form.password.data)
        had_remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        db.session.commit()
        login_user(user, remember=had_remember_cookie)  # this session goes on with the new token
        mark_password_confirmed()
        flash(_("Your password has been changed. Your other sessions have been logged out."), "success")
        return redirect(url_for("home.index"))
    return render_template("me/password.html", form=form), 422 if form.errors else 200


@bp.route("/confirm-password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def confirm_password():
    form = ConfirmPasswordForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        refused = _check_password(form.password)
        if not refused:
            mark_password_confirmed()
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("home.index"))
        return render_template("me/confirm_password.html", form=form), refused
    return render_template("me/confirm_password.html", form=form), 422 if form.errors else 200


def _check_password(field) -> int | None:
    """None if `field` holds the current user's password; else the HTTP status, with the error on the field.

    Wrong passwords count towards the login throttle, so a stolen session cannot be used to guess.
    """
    email, address = current_user.email, request.remote_addr
    attempt = record_attempt(email, address)
    if attempt is None:
        field.errors.append(_("The server is busy. Try again in a moment."))
        return 503
    minutes = minutes_until_allowed(email, address, attempt)
    if minutes:
        forget_login_attempt(attempt)
        commit_if_possible()
        field.errors.append(too_many_attempts(minutes))
        return 429
    if current_user.check_password(field.data):
        forget_login_attempt(attempt)
        commit_if_possible()
        return None
    log_event(AuthEventKind.LOGIN_FAILED, user=current_user._get_current_object(), email=email,
              detail="password confirmation")
    commit_if_possible()
    field.errors.append(_("This is not your current password."))
    return 422


@bp.route("/security-log")
@allow(Role.COORDINATOR)
def security_log():
    page = db.paginate(auth_queries.security_log(), page=page_number(), per_page=SECURITY_LOG_PER_PAGE,
                       max_per_page=SECURITY_LOG_PER_PAGE, error_out=False)
    return render_template("me/security_log.html", page=page)


