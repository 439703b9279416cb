"""The person's own registration pages: the personal link (no account needed), asking for a new link, and
members registering from an edition's page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow, public
from forum_crm.editing import show_problem
from forum_crm.editions.participation_queries import participation_of
from forum_crm.editions.queries import edition_with_programme, programme_by_day
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import Edition, ParticipationStatus, Registration
from forum_crm.registration.forms import AnswersForm, NewLinkForm
from forum_crm.registration.queries import is_open, registration_of, settings_of, waiting_place
from forum_crm.registration.routes import bp
from forum_crm.registration.services import (
    LinkUsed,
    Outcome,
    RegistrationClosed,
    accept,
    decline,
    register_member,
    send_new_links,
)
from forum_crm.registration.tokens import LinkExpired, personal_token, read_token


def _language() -> str:
    return str(get_locale() or "pl")


def _link_problem(problem: str, status: int = 404):
    """Unknown, used, expired link, or registration closed: say which, with a way to ask for a new link."""
    return render_template("registration/link_problem.html", problem=problem), status


def _flash_outcome(outcome: Outcome, registration: Registration) -> None:
    if outcome == Outcome.WAITING:
        flash(_("The edition is full: you are on the waiting list, place %(place)s. If someone cancels, you move "
                "up and we write to you.", place=waiting_place(registration)), "info")
    else:
        flash({Outcome.REGISTERED: _("You are registered. We have sent you a confirmation by e-mail."),
               Outcome.UPDATED: _("Your answers are saved. We have sent you a confirmation by e-mail."),
               Outcome.DECLINED: _("Thank you: we have noted that you are not coming."),
               Outcome.CANCELLED: _("Your registration is cancelled.")}[outcome], "success")


def _answer_page(template: str, registration: Registration | None, edition: Edition, form: AnswersForm,
                 status: int = 200, **context):
    place = waiting_place(registration) if registration else None
    return render_template(template, registration=registration, edition=edition, form=form, place=place,
                           programme=programme_by_day(edition.programme), settings=settings_of(edition.id),
                           **context), status


def _save(form: AnswersForm, registration: Registration, sequence: int) -> Outcome:
    if form.is_coming:
        return accept(registration, sequence, form.answers(), _language())
    return decline(registration, sequence, _language())


@bp.route("/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    """The personal link: coming or not, and the answers; each answer uses the link up and gives the next."""
    try:
        content = read_token(token)
    except LinkExpired:
        return _link_problem("expired", 410)
    registration = registration_of(content.participation_id) if content else None
    if registration is None:
        return _link_problem("unknown")
    if registration.link_sequence != content.sequence:
        return _link_problem("used")
    edition = edition_with_programme(registration.participation.edition_id)
    settings = settings_of(edition.id)
    if not is_open(settings):
        return _link_problem("closed", 410)
    form = AnswersForm(edition, settings.free_question)
    if not form.is_submitted() and registration.answered_at:
        form.fill_from(registration)
    if form.validate_on_submit():
        try:
            outcome = _save(form, registration, content.sequence)
        except FieldProblem as problem:
            db.session.rollback()
            show_problem(form, problem)
            return _answer_page("registration/answer.html", registration, edition, form, 422, token=token)
        except LinkUsed:
            db.session.rollback()
            return _link_problem("used")
        except RegistrationClosed:
            db.session.rollback()
            return _link_problem("closed", 410)
        db.session.commit()
        _flash_outcome(outcome, registration)
        return redirect(url_for(".answer", token=personal_token(registration)))
    return _answer_page("registration/answer.html", registration, edition, form, 422 if form.errors else 200,
                        token=token)


@bp.route("/new-link", methods=["GET", "POST"])
@public
def new_link():
    """A new personal link by e-mail; the same answer whether or not the address is known."""
    form = NewLinkForm()
    if form.validate_on_submit():
        send_new_links(form.email.data)
        db.session.commit()
        flash(_("If this address was invited to an edition whose registration is open, we have sent it a new "
                "personal link."), "info")
        return redirect(url_for(".new_link"))
    return render_template("registration/new_link.html", form=form), 422 if form.errors else 200


@bp.route("/editions/<id:id>/join", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def join(id: int):
    """A member with an account registers (or changes their answers, or cancels) from the edition's page."""
    edition = edition_with_programme(id)
    if edition is None:
        abort(404)
    settings = settings_of(id)
    person = current_user.person
    participation = participation_of(id, person.id) if person else None
    registration = participation.registration if participation else None
    form = AnswersForm(edition, settings.free_question if settings else None)
    if not form.is_submitted() and registration and registration.answered_at:
        form.fill_from(registration)
    context = {"person": person, "open": is_open(settings), "participation": participation}
    if person is None or not context["open"]:
        return _answer_page("registration/join.html", registration, edition, form, **context)
    if form.validate_on_submit():
        try:
            if not form.is_coming and registration is None:
                flash(_("Noted: you are not registered for this edition."), "info")
                return redirect(url_for("editions.edition_detail", id=id))
            if registration is None:
                outcome = register_member(edition, person, form.answers(), _language())
                registration = participation_of(id, person.id).registration
            else:
                outcome = _save(form, registration, registration.link_sequence)
        except FieldProblem as problem:
            db.session.rollback()
            show_problem(form, problem)
            return _answer_page("registration/join.html", registration, edition, form, 422, **context)
        except (LinkUsed, RegistrationClosed):
            db.session.rollback()
            flash(_("Your registration changed meanwhile; check it and send your answers again."), "error")
            return redirect(url_for(".join", id=id))
        db.session.commit()
        _flash_outcome(outcome, registration)
        return redirect(url_for(".join", id=id))
    return _answer_page("registration/join.html", registration, edition, form, 422 if form.errors else 200,
                        **context)


def status_text(registration: Registration | None) -> str | None:
    """Where the person stands now, for the pages above."""
    if registration is None or registration.answered_at is None:
        return None
    status = registration.participation.status
    if status == ParticipationStatus.CANCELLED:
        return _("You are not coming.")
    if status == ParticipationStatus.INVITED and registration.waiting_number is not None:
        return _("You are on the waiting list, place %(place)s.", place=waiting_place(registration))
    return _("You are registered.")


bp.add_app_template_global(status_text, "registration_status")
