"""Undoing a merge from a page (the recent merges, or the review feed): one commit, and a message either way."""

from flask import flash
from flask_babel import gettext as _

from forum_crm.duplicates.merging import undo_merge
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import Person, PersonMerge


def undo_merge_and_say(merge: PersonMerge) -> Person | None:
    """Undo the merge and commit, flashing what happened: the person back, or None if it was refused (too old,
    undone already), with nothing changed."""
    try:
        person = undo_merge(merge)
        db.session.commit()
    except FieldProblem as problem:
        db.session.rollback()
        flash(problem.problems[0][1], "error")
        return None
    flash(_("Merge undone: %(name)s is a separate record again.", name=person.full_name), "success")
    return person
