"""Pages of mailings (/mailings): the list, composing from a filtered list, preview and test, sending, each
mailing's recipients with their states, and the public unsubscribe page (guarded by its signed token)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forum_crm.auth.permissions import allow, public
from forum_crm.editing import invalid, saved, show_problem
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.labels import OUTBOX_STATES
from forum_crm.mailings import queries, services
from forum_crm.mailings.forms import MailingForm, SendForm
from forum_crm.mailings.merge_fields import MERGE_FIELDS
from forum_crm.mailings.segments import LEFT_OUT_REASONS, SOURCES, consent_needed, list_arguments, segment_of, split
from forum_crm.models import Mailing, OutboxState, Role
from forum_crm.pagination import paginate
from forum_crm.validators import ascii_int

bp = Blueprint("mailings", __name__, url_prefix="/mailings")
PREVIEW_CHOICES = 50  # recipients offered for the preview


@bp.route("")
@allow(Role.COORDINATOR)
def mailing_list():
    return render_template("mailings/list.html", page=paginate(queries.mailing_list()), sources=SOURCES)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def mailing_new():
    """Compose a mailing to the list whose filters are in the query string (?source=people&town=Lublin...)."""
    source, arguments = request.args.get("source", "people"), list_arguments(request.args)
    segment = _segment_or_404(source, arguments)
    form = MailingForm()
    mailing = Mailing(source=source, source_args=arguments, created_by_id=current_user.id)
    if form.validate_on_submit() and saved(form, lambda: services.save_draft(mailing, form.data_for_service())):
        return redirect(url_for(".mailing_detail", id=mailing.id))
    return invalid("mailings/form.html", form, mailing=None, source=SOURCES[source], back_url=segment.back_url,
                   merge_fields=MERGE_FIELDS)


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def mailing_edit(id: int):
    mailing = _draft(id)
    form = MailingForm(obj=mailing)
    if request.method == "GET":
        form.fill_from(mailing)
    elif form.validate_on_submit() and saved(form, lambda: services.save_draft(mailing, form.data_for_service())):
        return redirect(url_for(".mailing_detail", id=id))
    return invalid("mailings/form.html", form, mailing=mailing, source=SOURCES.get(mailing.source),
                   back_url=url_for(".mailing_detail", id=id), merge_fields=MERGE_FIELDS)


@bp.route("/<id:id>")
@allow(Role.COORDINATOR)
def mailing_detail(id: int):
    """A draft: who it goes to, who is left out and why, a preview for a real recipient. Sent: its recipients."""
    mailing = db.get_or_404(Mailing, id)
    if mailing.queued_at is None:
        return _draft_page(mailing)
    state = OutboxState(request.args["state"]) if request.args.get("state") in OUTBOX_STATES else None
    return render_template("mailings/detail.html", mailing=mailing, source=SOURCES.get(mailing.source),
                           page=paginate(queries.recipients(id, state)), state=state, states=OUTBOX_STATES,
                           counts=queries.state_counts(id), reasons=LEFT_OUT_REASONS)


def _draft_page(mailing: Mailing, status: int = 200, send_form: SendForm | None = None):
    segment, recipients, unsubscribe = _recipients_of(mailing)
    chosen = min(ascii_int(request.args.get("recipient")) or 0, max(len(recipients.addressees) - 1, 0))
    preview = services.render(mailing, recipients.addressees[chosen], unsubscribe) if recipients.addressees else None
    send_form = send_form or SendForm(formdata=None, expected=str(len(recipients.addressees)))
    return render_template(
        "mailings/draft.html", mailing=mailing, source=SOURCES.get(mailing.source), back_url=segment.back_url,
        recipients=recipients, reasons=LEFT_OUT_REASONS, unsubscribe=unsubscribe, preview=preview, chosen=chosen,
        choices=recipients.addressees[:PREVIEW_CHOICES], send_form=send_form, test_form=ConfirmForm(),
        confirm_above=current_app.config["MAILING_CONFIRM_ABOVE"]), status


@bp.route("/<id:id>/test", methods=["POST"])
@allow(Role.COORDINATOR)
def mailing_test(id: int):
    """Send oneself the e-mail the chosen recipient would get."""
    mailing = _draft(id)  # the CSRF token is checked for every POST before the view (CSRFProtect)
    _segment, recipients, unsubscribe = _recipients_of(mailing)
    if not recipients.addressees:
        flash(_("Nobody on this list can receive the mailing."), "error")
        return redirect(url_for(".mailing_detail", id=id))
    chosen = min(ascii_int(request.form.get("recipient")) or 0, len(recipients.addressees) - 1)
    services.send_test(mailing, recipients.addressees[chosen], current_user, unsubscribe)
    db.session.commit()
    flash(_("A test was queued to %(email)s, as %(recipient)s would get it.", email=current_user.email,
            recipient=recipients.addressees[chosen].email), "success")
    return redirect(url_for(".mailing_detail", id=id, recipient=chosen))


@bp.route("/<id:id>/send", methods=["POST"])
@allow(Role.COORDINATOR)
def mailing_send(id: int):
    """Queue the mailing to everyone on the list; a long list is confirmed a second time first."""
    mailing = _draft(id)
    form = SendForm()  # its CSRF token is checked before the view (CSRFProtect)
    _segment, recipients, unsubscribe = _recipients_of(mailing)
    try:
        services.check_recipients(recipients, form.expected_count())
    except FieldProblem as problem:
        show_problem(form, problem)
        return _draft_page(mailing, 409)
    count = len(recipients.addressees)
    if count > current_app.config["MAILING_CONFIRM_ABOVE"] and not form.confirmed.data:
        return render_template("mailings/confirm_send.html", mailing=mailing, form=form, recipients=recipients,
                               reasons=LEFT_OUT_REASONS)
    if not services.claim_for_sending(mailing):  # sent from another tab meanwhile
        db.session.rollback()
        return redirect(url_for(".mailing_detail", id=id))
    services.queue_mailing(mailing, recipients, unsubscribe)
    db.session.commit()
    flash(ngettext("The mailing was queued to %(num)s recipient; the worker sends it.",
                   "The mailing was queued to %(num)s recipients; the worker sends it.", count), "success")
    return redirect(url_for(".mailing_detail", id=id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """The link at the end of a mailing: no login, one button, the withdrawal recorded with its date and source."""
    try:
        person, mailing_id = services.person_of_token(token)
    except LookupError:
        return render_template("mailings/unsubscribe.html", person=None, form=None, done=False), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        services.unsubscribe(person, mailing_id)
        db.session.commit()
        return render_template("mailings/unsubscribe.html", person=person, form=None, done=True)
    return render_template("mailings/unsubscribe.html", person=person, form=form, done=False)


def _segment_or_404(source: str, arguments: dict):
    try:
        return segment_of(source, arguments)
    except LookupError:
        abort(404)


def _recipients_of(mailing: Mailing):
    segment = _segment_or_404(mailing.source, mailing.source_args)
    unsubscribe = consent_needed(segment, mailing.edition_id)
    return segment, split(segment, unsubscribe), unsubscribe


def _draft(id: int) -> Mailing:
    """A mailing not yet sent (404 if unknown); a sent one cannot change: back to its page."""
    mailing = db.get_or_404(Mailing, id)
    if mailing.queued_at is not None:
        flash(_("This mailing has already been sent."), "error")
        abort(redirect(url_for(".mailing_detail", id=id)))
    return mailing
