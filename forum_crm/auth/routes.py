"""Logging in and out, passwords (reset, invitation, change, confirmation), the language switch, the security log."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum_crm.auth import bp
from forum_crm.auth.forms import (
    ChangePasswordForm, ConfirmPasswordForm, ForgotPasswordForm, LanguageForm, LoginForm, SetPasswordForm,
)
from forum_crm.auth.permissions import ALL_ROLES, allow, is_safe_redirect, mark_password_confirmed, public
from forum_crm.auth.queries import minutes_until_allowed, security_log, valid_token
from forum_crm.auth.services import (
    authenticate, change_password, clear_failed_logins, end_sessions, forget_login_attempt, log_event,
    record_login_attempt, request_password_reset, set_password_from_link,
)
from forum_crm.extensions import db
from forum_crm.mail import MailError, external_url, password_reset_email, send_email
from forum_crm.models import AuthEventKind, LoginAttempt, Role, TokenPurpose, User

SECURITY_LOG_PER_PAGE = 50


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("reports.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, address = form.email.data.strip().lower(), request.remote_addr
        attempt = _record_attempt(email, address)
        if attempt is None:
            flash(_("The server is busy. Try again in a moment."), "error")
            return render_template("auth/login.html", form=form), 503
        minutes = minutes_until_allowed(email, address, attempt)
        if minutes:
            forget_login_attempt(attempt)
            log_event(AuthEventKind.LOGIN_THROTTLED, email=email)
            _commit_if_possible()
            flash(_too_many_attempts(minutes), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(email, form.password.data)
        if user is None:
            log_event(AuthEventKind.LOGIN_FAILED, email=email)
            _commit_if_possible()
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        clear_failed_logins(email)
        forget_login_attempt(attempt)
        log_event(AuthEventKind.LOGIN, user=user)
        _log_in(user, remember=form.remember.data)
        db.session.commit()
        target = form.next.data
        return redirect(target if is_safe_redirect(target) else url_for("reports.home"))
    return render_template("auth/login.html", form=form)


def _record_attempt(email: str, address: str | None) -> list[LoginAttempt] | None:
    """Record a login about to be tried, committed before the password is checked; None if the database is busy.

    An attempt that cannot be counted is never evaluated.
    """
    try:
        attempt = record_login_attempt(email, address)
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        current_app.logger.warning("A login attempt could not be recorded (database busy); it was refused")
        return None
    return attempt


def _commit_if_possible() -> None:
    """Commit what follows a recorded attempt; if the database is busy, the attempt still counts as a failure."""
    try:
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        current_app.logger.warning("A security log entry could not be written (database busy)")


def _too_many_attempts(minutes: int) -> str:
    return ngettext("Too many failed attempts. Try again in %(num)s minute.",
                    "Too many failed attempts. Try again in %(num)s minutes.", minutes)


def _log_in(user: User, remember: bool = False) -> None:
    """A new session for `user`, who has just typed their password."""
    _restart_session()
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
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else url_for("reports.home"))


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
        found = request_password_reset(form.email.data)
        db.session.commit()
        if found is not None:
            user, token = found
            link = external_url("auth.reset_password", token=token)
            try:
                send_email(user.email, *password_reset_email(link, language=str(get_locale())))
            except MailError:
                current_app.logger.exception("The password-reset e-mail to %s could not be sent", user.email)
        # The same answer whether or not the address has an account.
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
        return redirect(url_for("reports.home"))
    return render_template("auth/set_password.html", form=form, link=link, purpose=purpose.value), (
        422 if form.errors else 200)


# The logged-in user's password

@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def change_password_page():
    form = ChangePasswordForm(current_user._get_current_object())
    if form.validate_on_submit():
        refused = _check_password(form.current_password)
        if refused:
            return render_template("auth/change_password.html", form=form), refused
        user = current_user._get_current_object()
        change_password(user, form.password.data)
        had_remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        db.session.commit()
        login_user(user, remember=had_remember_cookie)  # this session goes on with the new token
        mark_password_confirmed()
        flash(_("Your password has been changed. Your other sessions have been logged out."), "success")
        return redirect(url_for("reports.home"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/account/confirm-password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def confirm_password():
    form = ConfirmPasswordForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        refused = _check_password(form.password)
        if not refused:
            mark_password_confirmed()
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("reports.home"))
        return render_template("auth/confirm_password.html", form=form), refused
    return render_template("auth/confirm_password.html", form=form), 422 if form.errors else 200


def _check_password(field) -> int | None:
    """None if `field` holds the current user's password; else the HTTP status, with the error on the field.

    Wrong passwords count towards the login throttle, so a stolen session cannot be used to guess.
    """
    email, address = current_user.email, request.remote_addr
    attempt = _record_attempt(email, address)
    if attempt is None:
        field.errors.append(_("The server is busy. Try again in a moment."))
        return 503
    minutes = minutes_until_allowed(email, address, attempt)
    if minutes:
        forget_login_attempt(attempt)
        _commit_if_possible()
        field.errors.append(_too_many_attempts(minutes))
        return 429
    if current_user.check_password(field.data):
        forget_login_attempt(attempt)
        _commit_if_possible()
        return None
    log_event(AuthEventKind.LOGIN_FAILED, user=current_user._get_current_object(), email=email,
              detail="password confirmation")
    _commit_if_possible()
    field.errors.append(_("This is not your current password."))
    return 422


@bp.route("/account/security-log")
@allow(Role.COORDINATOR)
def security_log_page():
    page = db.paginate(security_log(), per_page=SECURITY_LOG_PER_PAGE, max_per_page=SECURITY_LOG_PER_PAGE,
                       error_out=False)
    return render_template("auth/security_log.html", page=page)
