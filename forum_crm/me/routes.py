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
    confirm_password_first,
    has_recent_password,
    is_safe_redirect,
    mark_password_confirmed,
    require,
)
from forum_crm.auth.queries import minutes_until_allowed, too_many_attempts
from forum_crm.auth.services import change_password, forget_login_attempt, log_event
from forum_crm.auth.throttling import commit_if_possible, record_attempt
from forum_crm.consents import consent_history
from forum_crm.editing import invalid, save_form
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.gdpr.access import send_data_of
from forum_crm.gdpr.erasure import request_erasure
from forum_crm.gdpr.places import PLACES
from forum_crm.gdpr.queries import waiting_request
from forum_crm.me.forms import ErasureRequestForm, PersonSelfForm
from forum_crm.models import AuthEventKind, Role
from forum_crm.pagination import page_number
from forum_crm.people.forms import PersonContactForm
from forum_crm.people.queries import current_people
from forum_crm.people.services import add_person_at, save_person
from forum_crm.public.personal_calendar import calendar_address, renew_calendar_address

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
    calendar = {"calendar_address": calendar_address(current_user) if person else None, "renew": ConfirmForm()}
    if person is None:
        return render_template("me/profile.html", form=None, person=None, **calendar)
    require(can_edit_person(current_user, person))
    form = PersonSelfForm(obj=person)
    consents = db.session.scalars(consent_history(person.id)).all()
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: url_for(".profile"), "me/profile.html",
                         record=person, entity_type="person", person=person, consents=consents, **calendar)
    return invalid("me/profile.html", form, person=person, consents=consents, **calendar)


@bp.route("/calendar/renew", methods=["POST"])
@allow(*ALL_ROLES)
def calendar_renew():
    """A new secret address for one's calendar; the old one stops working."""
    if ConfirmForm().validate_on_submit():
        renew_calendar_address(current_user)
        db.session.commit()
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
    return redirect(url_for(".profile") + "#calendar-title")


@bp.route("/data", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def data_download():
    """One's own data as one download (Art. 15 and 20): GET explains, POST sends it (after the password)."""
    person = current_user.person
    form = ConfirmForm()
    if person is not None and form.validate_on_submit():
        if not has_recent_password():
            return confirm_password_first()
        return send_data_of(person)
    return render_template("me/data.html", person=person, form=form, places=PLACES)


@bp.route("/erasure", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def erasure_request():
    """Asking for one's data to be erased (Art. 17): the request goes to the coordinator, who answers it."""
    person = current_user.person
    waiting = waiting_request(person.id) if person is not None else None
    form = ErasureRequestForm()
    if person is not None and waiting is None and form.validate_on_submit():
        request_erasure(person, form.message.data)
        db.session.commit()
        flash(_("Your request was sent to the coordinator, who will answer it within a month."), "success")
        return redirect(url_for(".erasure_request"))
    return render_template("me/erasure.html", person=person, form=form, waiting=waiting, places=PLACES), \
        422 if form.errors else 200


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
