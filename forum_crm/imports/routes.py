"""Pages of imports (/imports): upload, column mapping, preview and confirmation; the coordinator's only."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forum_crm.auth.permissions import allow
from forum_crm.editing import invalid
from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.imports import uploads
from forum_crm.imports.forms import TOWN_PREFIX, ColumnsForm, UploadForm, columns_form, town_picks
from forum_crm.imports.parsing import MAX_ROWS, FileRefused, Table, column_letter, read_table
from forum_crm.imports.plan import ACTION_LABELS, ATTENDANCE, Kind, Plan, field_label, with_choices
from forum_crm.imports.plan_attendance import plan_attendance
from forum_crm.imports.services import IMPORTERS, Importer, Outcome, import_attendance
from forum_crm.models import Edition, Role

bp = Blueprint("imports", __name__, url_prefix="/imports")

LIST_PAGES = {"organisations": "organisations.organisation_list", "people": "people.person_list"}
MAX_SHOWN = 1_000  # problems and rows listed on the preview
ENCODINGS = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1250": "Windows-1250"}
SEPARATORS = {";": _l("semicolons"), ",": _l("commas"), "\t": _l("tabs")}


@bp.context_processor
def _template_helpers() -> dict:
    return {"field_label": field_label, "column_letter": column_letter, "actions": ACTION_LABELS,
            "max_shown": MAX_SHOWN, "town_prefix": TOWN_PREFIX, "encodings": ENCODINGS, "separators": SEPARATORS}


@bp.errorhandler(413)
def file_too_large(_error):
    """An upload over MAX_CONTENT_LENGTH: say what the limit is."""
    back = request.path if request.endpoint in ("imports.upload", "imports.attendance_upload") else None
    return render_template("imports/too_large.html", back=back), 413


def _importer(kind: str) -> Importer:
    if kind not in IMPORTERS:
        abort(404)
    return IMPORTERS[kind]


class Page:
    """One import's pages: where they are, what they import, and how a file is checked and written."""

    def __init__(self, scope: str, kind: Kind, title: str, plan: Callable[[Table, list, dict], Plan],
                 write: Callable[[Plan], Outcome], upload_url: str, confirm_url: str, done_url: str,
                 edition: Edition | None = None):
        self.scope, self.kind, self.title, self.plan, self.write = scope, kind, title, plan, write
        self.upload_url, self.confirm_url, self.done_url, self.edition = upload_url, confirm_url, done_url, edition

    def upload(self):
        """GET: the upload form; POST: keep the file and show its preview."""
        form = UploadForm()
        if form.validate_on_submit():
            data = form.file.data.read()
            try:
                table = read_table(data)
            except FileRefused as refused:
                form.file.errors.append(str(refused.message))
            else:
                upload = uploads.keep(data, self.scope, form.file.data.filename or "")
                db.session.commit()  # kept in the database: the confirmation may reach another app server
                return self._check(table, upload.filename).render()
        return invalid("imports/upload.html", form, page=self, max_rows=MAX_ROWS)

    def confirm(self):
        """Check the kept file again with the columns chosen; import it if asked and it has no problems."""
        upload = uploads.current(self.scope)
        if upload is None:
            flash(_("The file is no longer on the server: upload it again."), "error")
            return redirect(self.upload_url)
        try:
            table = read_table(upload.read())
        except FileRefused as refused:  # kept before the limits changed
            uploads.discard()
            db.session.commit()
            flash(str(refused.message), "error")
            return redirect(self.upload_url)
        preview = self._check(table, upload.filename)
        if not preview.form.validate_on_submit():
            return preview.render(422)
        if request.form.get("action") != "run":
            return preview.render()
        if not preview.plan.is_valid:
            flash(_("Nothing was imported: the file has problems, listed below."), "error")
            return preview.render(422)
        try:
            outcome = self.write(preview.plan)
            uploads.discard()  # in the import's transaction: the file goes with a finished import only
            db.session.commit()
        except (IntegrityError, StaleDataError):  # a record was saved meanwhile: nothing of the import stays
            db.session.rollback()
            flash(_("Someone else saved a record with the same name, number or identifier meanwhile. "
                    "Nothing was imported: check the file again."), "error")
            return redirect(self.upload_url)
        flash(_("Import finished. New: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "skipped: %(skipped)s.", created=outcome.created, updated=outcome.updated,
                unchanged=outcome.unchanged, skipped=outcome.skipped), "success")
        return redirect(self.done_url)

    def _check(self, table: Table, filename: str) -> "Preview":
        """The file's columns (as guessed, and as chosen in the form) and what importing it would do."""
        guesses = self.kind.guess(table, self.edition)
        form = columns_form([(index, table.headers[index]) for index, guess in enumerate(guesses) if guess is None],
                            self.kind.fields(self.edition), self.kind.whole_names(guesses))
        plan = self.plan(table, form.in_name_order(with_choices(guesses, form.chosen())), town_picks(request.form))
        return Preview(self, table, filename, guesses, form, plan)


@dataclass(frozen=True)
class Preview:
    page: Page
    table: Table
    filename: str
    guesses: list[str | None]
    form: ColumnsForm
    plan: Plan

    def render(self, status: int = 200):
        return render_template("imports/preview.html", preview=self, page=self.page, plan=self.plan,
                               form=self.form), status


def _directory_page(kind: str) -> Page:
    importer = _importer(kind)
    titles = {"organisations": _("Import organisations"), "people": _("Import people")}
    return Page(kind, importer.kind, titles[kind],
                lambda table, fields, picks: importer.plan(table, fields, None, picks), importer.write,
                url_for(".upload", kind=kind), url_for(".confirm", kind=kind), url_for(LIST_PAGES[kind]))


def _attendance_page(edition_id: int) -> Page:
    edition = db.get_or_404(Edition, edition_id)
    return Page(f"attendance-{edition.id}", ATTENDANCE, _("Import attendance: %(edition)s", edition=str(edition)),
                lambda table, fields, _picks: plan_attendance(table, fields, edition),
                lambda plan: import_attendance(plan, edition),
                url_for(".attendance_upload", id=edition.id), url_for(".attendance_confirm", id=edition.id),
                url_for("editions.edition_detail", id=edition.id, _anchor="participants"), edition)


# Imports

@bp.route("/<kind>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def upload(kind: str):
    return _directory_page(kind).upload()


@bp.route("/<kind>/confirm", methods=["POST"])
@allow(Role.COORDINATOR)
def confirm(kind: str):
    return _directory_page(kind).confirm()


@bp.route("/editions/<id:id>/attendance", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def attendance_upload(id: int):
    return _attendance_page(id).upload()


@bp.route("/editions/<id:id>/attendance/confirm", methods=["POST"])
@allow(Role.COORDINATOR)
def attendance_confirm(id: int):
    return _attendance_page(id).confirm()


# Exports: exports.send asks for a recent password and logs the download when the table holds personal data
