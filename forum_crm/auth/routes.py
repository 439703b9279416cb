"""Login, logout and the language switch."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum_crm.auth import bp
from forum_crm.auth.forms import LanguageForm, LoginForm
from forum_crm.auth.permissions import ALL_ROLES, allow, is_safe_redirect, public
from forum_crm.auth.services import authenticate, end_sessions
from forum_crm.extensions import db


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("reports.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        _restart_session()
        login_user(user, remember=form.remember.data)
        db.session.commit()
        target = form.next.data
        return redirect(target if is_safe_redirect(target) else url_for("reports.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*ALL_ROLES)
def logout():
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    _restart_session()
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
