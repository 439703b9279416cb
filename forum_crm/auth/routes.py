"""Logging in and out, password reset and invitation links, the language switch."""

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum_crm.auth.forms import ForgotPasswordForm, LanguageForm, LoginForm, SetPasswordForm
from forum_crm.auth.permissions import ALL_ROLES, allow, is_safe_redirect, mark_password_confirmed, public
from forum_crm.auth.queries import minutes_until_allowed, too_many_attempts, valid_token
from forum_crm.auth.services import (
    authenticate,
    clear_failed_logins,
    end_sessions,
    forget_login_attempt,
    keep_language,
    log_event,
    request_password_reset,
    set_password_from_link,
)
from forum_crm.auth.throttling import commit_if_possible, record_attempt
from forum_crm.extensions import db
from forum_crm.i18n import ui_language
from forum_crm.mail import queue_password_reset
from forum_crm.models import AuthEventKind, TokenPurpose, User

bp = Blueprint("auth", __name__)

RESET_REQUEST_DURATION = 0.1  # seconds; far longer than the database work of a reset request


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, address = form.email.data.strip().lower(), request.remote_addr
        attempt = record_attempt(email, address)
        if attempt is None:
            flash(_("The server is busy. Try again in a moment."), "error")
            return render_template("auth/login.html", form=form), 503
        minutes = minutes_until_allowed(email, address, attempt)
        if minutes:
            forget_login_attempt(attempt)
            log_event(AuthEventKind.LOGIN_THROTTLED, email=email)
            commit_if_possible()
            flash(too_many_attempts(minutes), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(email, form.password.data)
        if user is None:
            log_event(AuthEventKind.LOGIN_FAILED, email=email)
            commit_if_possible()
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        clear_failed_logins(email)
        forget_login_attempt(attempt)
        log_event(AuthEventKind.LOGIN, user=user)
        _log_in(user, remember=form.remember.data)
        db.session.commit()
        target = form.next.data
        return redirect(target if is_safe_redirect(target) else url_for("home.index"))
    return render_template("auth/login.html", form=form)


def _log_in(user: User, remember: bool = False) -> None:
    """A new session for `user`, who has just typed their password, in the language chosen before logging in
    (kept by the account from now on) or else the account's."""
    _restart_session()
    if session.get("lang"):
        keep_language(user, session["lang"])
    elif user.language:
        session["lang"] = user.language
    login_user(user, remember=remember)
    mark_password_confirmed()


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    user = current_user._get_current_object()
    end_sessions(user)
    log_event(AuthEventKind.LOGOUT, user=user)
    db.session.commit()
    _restart_session()
    logout_user()  # after the restart: it marks the remember-me cookie for deletion in the session
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:  # kept by the account: the next login and its e-mails use it too
            keep_language(current_user, form.lang.data)
            db.session.commit()
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else url_for("home.index"))


def _restart_session() -> None:
    """Drop everything from the session except the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


# Forgotten passwords and invitations: links sent by e-mail

@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.perf_counter()
        found = request_password_reset(form.email.data)
        if found is not None:
            queue_password_reset(*found, language=ui_language())
        db.session.commit()
        # The same answer, at the same moment, whether or not the address has an account: the known one
        # writes a token and a message more, so neither is answered sooner than RESET_REQUEST_DURATION.
        time.sleep(max(0.0, started + RESET_REQUEST_DURATION - time.perf_counter()))
        flash(_("If there is an account for this address, we have sent it a link to choose a new password. "
                "The link works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _set_password_from_link(token, TokenPurpose.PASSWORD_RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _set_password_from_link(token, TokenPurpose.INVITATION)


def _set_password_from_link(token: str, purpose: TokenPurpose):
    """Both kinds of link: a form to choose a password; once it is set, the link is used up."""
    link = valid_token(token, purpose)
    if link is None:
        return render_template("auth/link_invalid.html", purpose=purpose.value), 404
    form = SetPasswordForm(link.user)
    if form.validate_on_submit():
        user = set_password_from_link(link, form.password.data)
        if user is None:  # another request used the link a moment ago
            db.session.rollback()
            return render_template("auth/link_invalid.html", purpose=purpose.value), 404
        _log_in(user)
        db.session.commit()
        flash(_("Welcome! Your password is set and you are logged in.") if purpose == TokenPurpose.INVITATION
              else _("Your new password is set and you are logged in. Other sessions have been logged out."),
              "success")
        return redirect(url_for("home.index"))
    return render_template("auth/set_password.html", form=form, link=link, purpose=purpose.value), (
        422 if form.errors else 200)


# The logged-in user's password
