"""Saving forms safely: one commit, no lost updates, no half-saved records.

Views call save_form() after form.validate_on_submit(). It refuses an edit made from an old
version of the record (someone saved meanwhile: optimistic locking), shows what changed since,
and turns a unique-constraint race into a form message instead of a server error.
"""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forum_crm.changes.queries import changes_since
from forum_crm.extensions import db


def save_form(form, save: Callable[[], Any], success_url: Callable[[Any], str], template: str, *,
              record=None, entity_type: str | None = None, **context):
    """Run `save` (a service call) and commit; redirect to success_url(result), or re-render the form."""
    if record is not None and form.version.data != str(record.version):
        return _conflict(form, record, entity_type, template, **context)
    try:
        result = save()
        db.session.commit()
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


def _conflict(form, record, entity_type: str, template: str, **context):
    started_from = int(form.version.data) if (form.version.data or "").isdigit() else 0
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
