"""The recent-changes page, and the review feed of what editors and members changed."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from forum_crm.auth.permissions import allow
from forum_crm.auth.personal_data import send
from forum_crm.changes.exports import change_log_export
from forum_crm.changes.forms import ALL_STATES, REVIEW_STATES, AcceptShownForm, ReviewFilterForm
from forum_crm.changes.queries import ENTITY_TYPES, changes_of, entries_to_review, review_feed, unreviewed_email
from forum_crm.changes.services import (
    AlreadyReverted,
    RevertRefused,
    accept_changes,
    approve_email,
    revert_change,
    revertible_fields,
)
from forum_crm.duplicates.merging import can_undo
from forum_crm.duplicates.queries import merges_of_entries
from forum_crm.duplicates.undoing import undo_merge_and_say
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.labels import ACTIONS, change_time, field_label
from forum_crm.models import ChangeLogEntry, Person, ReviewState, Role
from forum_crm.pagination import page_number
from forum_crm.spreadsheets.export import file_format

bp = Blueprint("changes", __name__, url_prefix="/changes")

PER_PAGE = 50
ALL_FILTERS = {*(state.value for state in ReviewState), ALL_STATES}


@bp.route("")
@allow(Role.COORDINATOR)
def recent():
    entity_type = request.args.get("type") if request.args.get("type") in ENTITY_TYPES else None
    action = request.args.get("action") if request.args.get("action") in ACTIONS else None
    page = db.paginate(changes_of(entity_type, action), page=page_number(), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)
    return render_template("changes/recent.html", page=page, entity_type=entity_type, entity_types=ENTITY_TYPES,
                           action=action)


@bp.route("/review")
@allow(Role.COORDINATOR)
def review():
    """Changes made by organisation editors and members: live already; to review by default, each can be
    accepted or reverted."""
    filters = ReviewFilterForm(request.args)
    state = filters.chosen_state()
    page = db.paginate(review_feed(state), page=page_number(), per_page=PER_PAGE, max_per_page=PER_PAGE,
                       error_out=False)
    revertible = {entry.id for entry in page.items
                  if entry.review_state != ReviewState.REVERTED and revertible_fields(entry)}
    merges = {entry_id: can_undo(merge) for entry_id, merge in merges_of_entries([e.id for e in page.items]).items()}
    to_accept = [entry.id for entry in page.items if entry.review_state == ReviewState.TO_REVIEW]
    return render_template("changes/review.html", page=page, revertible=revertible, filters=filters, state=state,
                           email_to_approve=_email_to_approve(page.items), states=REVIEW_STATES, merges=merges,
                           accept_shown=AcceptShownForm(entry_ids=",".join(map(str, to_accept))) if to_accept else None)


def _back_to_feed():
    """The feed's page and filter the coordinator acted from."""
    return redirect(url_for(".review", page=request.args.get("page", type=int),
                            state=request.args.get("state") if request.args.get("state") in ALL_FILTERS else None))


def _email_to_approve(entries: list[ChangeLogEntry]) -> set[int]:
    """The entries that changed a person's e-mail address last, awaiting the coordinator's approval."""
    people = {entry.entity_id for entry in entries if entry.entity_type == "person" and "email" in entry.changes}
    return {found.change.id for person_id in people if (found := unreviewed_email(person_id))}


@bp.route("/review/<id:entry_id>/approve-email", methods=["POST"])
@allow(Role.COORDINATOR)
def approve_email_change(entry_id: int):
    """Trust the e-mail address an editor or member gave a person: invitations may go there from now on."""
    entry = db.get_or_404(ChangeLogEntry, entry_id)
    if ConfirmForm().validate_on_submit():
        found = unreviewed_email(entry.entity_id) if entry.entity_type == "person" else None
        if found is None or found.change.id != entry.id:
            flash(_("This is not the latest unapproved change of the e-mail address: see the newer one."), "error")
        else:
            person = db.get_or_404(Person, entry.entity_id)
            approve_email(person, entry)
            db.session.commit()
            flash(_("Approved: invitations for %(name)s may go to %(email)s.", name=str(person),
                    email=person.email or "—"), "success")
    return _back_to_feed()


@bp.route("/review/<id:entry_id>/accept", methods=["POST"])
@allow(Role.COORDINATOR)
def accept(entry_id: int):
    """The coordinator keeps one change: it leaves the changes to review."""
    entry = db.get_or_404(ChangeLogEntry, entry_id)
    if ConfirmForm().validate_on_submit():
        if entry.review_state != ReviewState.TO_REVIEW:
            flash(_("This change is not waiting for review any more."), "error")
        else:
            accept_changes([entry])
            db.session.commit()
            flash(_("Accepted: %(name)s.", name=entry.entity_label), "success")
    return _back_to_feed()


@bp.route("/review/accept", methods=["POST"])
@allow(Role.COORDINATOR)
def accept_shown():
    """The coordinator keeps every change the page showed (not any that arrived since)."""
    form = AcceptShownForm()
    if form.validate_on_submit():
        accepted = accept_changes(entries_to_review(form.ids()))
        db.session.commit()
        flash(ngettext("%(num)s change accepted.", "%(num)s changes accepted.", accepted), "success")
    else:
        flash(_("Nothing was accepted: reload the page and try again."), "error")
    return _back_to_feed()


@bp.route("/review/<id:entry_id>/revert", methods=["POST"])
@allow(Role.COORDINATOR)
def revert(entry_id: int):
    entry = db.get_or_404(ChangeLogEntry, entry_id)
    if ConfirmForm().validate_on_submit():
        try:
            row = revert_change(entry)
            db.session.commit()
        except AlreadyReverted:
            flash(_("This change is already reverted (by %(who)s, %(when)s).",
                    who=entry.reviewed_by.email if entry.reviewed_by else _("system"),
                    when=change_time(entry.reviewed_at)), "error")
        except RevertRefused as refused:
            db.session.rollback()
            flash(_("This change cannot be reverted: %(fields)s changed again since, or cannot be restored. "
                    "Edit the record instead.", fields=", ".join(field_label(name) for name in refused.fields)
                    or _("the record")), "error")
        except IntegrityError:
            db.session.rollback()
            flash(_("This change cannot be reverted: another record now has the old name, number or e-mail "
                    "address. Edit the record instead."), "error")
        else:
            flash(_("Reverted: %(name)s.", name=str(row)), "success")
    return _back_to_feed()


@bp.route("/review/<id:entry_id>/undo-merge", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def merge_undo(entry_id: int):
    """Undo the merge this entry records, after confirmation: the merged-away person comes back."""
    entry = db.get_or_404(ChangeLogEntry, entry_id)
    merge = merges_of_entries([entry.id]).get(entry.id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        undo_merge_and_say(merge)
        return redirect(url_for(".review"))
    return render_template("changes/undo_merge.html", form=form, entry=entry, merge=merge,
                           undoable=can_undo(merge))


@bp.route("/export.<fmt>")
@allow(Role.COORDINATOR)
def change_export(fmt: str):
    return send(change_log_export(), file_format(fmt))
