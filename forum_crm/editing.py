"""Saving forms safely: one commit, no lost updates, no half-saved records.

Views call save_form() after form.validate_on_submit(). It refuses an edit made from an old
version of the record (someone saved meanwhile: optimistic locking), shows what changed since,
shows data the service refuses (FieldProblem) next to the field it names, and turns a
unique-constraint race into a form message instead of a server error.
"""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forum_crm.changelog import changes_since, set_archived
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import Role
from forum_crm.validators import ascii_int


def save_form(form, save: Callable[[], Any], success_url: Callable[[Any], str], template: str, *,
              record=None, entity_type: str | None = None, **context):
    """Run `save` (a service call) and commit; redirect to success_url(result), or re-render the form (with the
    service's FieldProblem next to its field)."""
    if record is not None and form.version.data != str(record.version):
        return _conflict(form, record, entity_type, template, **context)
    try:
        result = save()
        db.session.commit()
    except FieldProblem as problem:
        show_problem(form, problem)
        return render_template(template, form=form, **context), 422
    except StaleDataError:
        db.session.rollback()
        return _conflict(form, record, entity_type, template, **context)
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone else saved a record with the same name, number or identifier meanwhile. "
                "Nothing was saved."), "error")
        return render_template(template, form=form, **context), 409
    flash(_("Saved."), "success")
    return redirect(success_url(result))


def saved(form, save: Callable[[], Any]) -> bool:
    """Run `save` (a service call) and commit: True, or False with what the service refused shown on the form."""
    try:
        save()
    except FieldProblem as problem:
        show_problem(form, problem)
        return False
    db.session.commit()
    return True


def show_problem(form, problem: FieldProblem) -> None:
    """Undo what the refused save did, and show each message on the field it names (or flashed, if none)."""
    db.session.rollback()
    for name, message in problem.problems:
        if name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(message, "error")


def _conflict(form, record, entity_type: str, template: str, **context):
    started_from = ascii_int(form.version.data) or 0
    since = db.session.scalars(changes_since(entity_type, record.id, started_from)).all()
    form.version.data = str(record.version)  # saving again now overwrites, knowingly
    flash(_("Someone else saved this record while you were editing it, so your changes were not saved. "
            "Their changes are listed below and your version is still in the form: check it and save again."),
          "error")
    return render_template(template, form=form, conflict=since, **context), 409


def invalid(template: str, form, **context):
    """The form again with its errors (HTTP 422 after a POST, 200 on first display)."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


def after_edit(detail_endpoint: str, id: int) -> str:
    """Where to go after saving: the record's page for the coordinator, their organisation's page for an editor."""
    if current_user.role == Role.COORDINATOR:
        return url_for(detail_endpoint, id=id)
    return url_for("me.organisation")


def archive_page(record, entity_type: str, detail_endpoint: str):
    """GET asks for confirmation; POST archives (or restores an archived record)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        archive = record.archived_at is None
        set_archived(record, entity_type, archive)
        db.session.commit()
        flash(_("Archived: %(name)s.", name=str(record)) if archive else _("Restored: %(name)s.", name=str(record)),
              "success")
        return redirect(url_for(detail_endpoint, id=record.id))
    return render_template("confirm_archive.html", record=record, form=form,
                           cancel_url=url_for(detail_endpoint, id=record.id))


def wants_json() -> bool:
    """The page's own script asked (Accept: application/json) for a JSON answer instead of a page or redirect."""
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"
