"""Pages of the reports (/reports): attendance per period and per edition, retention, re-engagement, the summary."""

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.auth.personal_data import send
from forum_crm.extensions import db
from forum_crm.kept import kept_content
from forum_crm.labels import label
from forum_crm.models import Edition, Role
from forum_crm.pagination import paginate
from forum_crm.reports.edition_report import edition_attendance, edition_reach, edition_with_town
from forum_crm.reports.exports import PERIOD_TABLES, edition_table
from forum_crm.reports.forms import PeriodForm
from forum_crm.reports.queries import (
    Period,
    attendance_trend,
    editions_in,
    last_two_editions,
    organisations_editions,
    organisations_to_reengage,
    partners_by_edition,
    people_editions,
    retention,
    voivodeships_without_members,
)
from forum_crm.reports.summary import build_summary, default_period
from forum_crm.spreadsheets.export import FORMATS

bp = Blueprint("reports", __name__, url_prefix="/reports")

REENGAGE_ON_OVERVIEW = 20


@bp.route("")
@allow(Role.COORDINATOR)
def overview():
    return render_template("kept_page.html", title=_("Attendance reports"), content=kept_content(_overview))


def _overview() -> str:
    form = PeriodForm(request.args)
    period = form.period()
    editions = editions_in(period)
    cohort = next((e for e in editions if str(e.id) == request.args.get("cohort")), editions[0] if editions else None)
    later = [edition for edition in editions if cohort and edition.start_date > cohort.start_date]
    last_two = last_two_editions(period)
    to_reengage = paginate(organisations_to_reengage(last_two, period.include_demo), per_page=REENGAGE_ON_OVERVIEW) \
        if len(last_two) == 2 else None
    trend = attendance_trend(period)
    kept = retention(cohort, later) if cohort else []
    return render_template(
        "reports/_overview.html", form=form, period=period, trend=trend, cohort=cohort, editions=editions,
        trend_chart=[(str(row.edition), row.attended) for row in trend],
        retention_chart=[(str(edition), count) for edition, count in kept], retention=kept,
        last_two=last_two, to_reengage=to_reengage,
        empty_voivodeships=voivodeships_without_members(period.include_demo))


@bp.route("/reengage")
@allow(Role.COORDINATOR)
def reengage():
    form = PeriodForm(request.args)
    period = form.period()
    last_two = last_two_editions(period)
    page = paginate(organisations_to_reengage(last_two, period.include_demo)) if len(last_two) == 2 else None
    return render_template("reports/reengage.html", form=form, last_two=last_two, page=page)


@bp.route("/organisations")
@allow(Role.COORDINATOR)
def organisations():
    form = PeriodForm(request.args)
    page = paginate(organisations_editions(form.period()))
    return render_template("reports/organisations.html", form=form, page=page)


@bp.route("/people")
@allow(Role.COORDINATOR)
def people():
    form = PeriodForm(request.args)
    page = paginate(people_editions(form.period()))
    return render_template("reports/people.html", form=form, page=page)


@bp.route("/editions/<id:id>")
@allow(Role.COORDINATOR)
def edition(id: int):
    title = _("Attendance report: %(edition)s", edition=db.get_or_404(Edition, id))
    return render_template("kept_page.html", title=title, content=kept_content(lambda: _edition(id)))


def _edition(id: int) -> str:
    edition = edition_with_town(id)
    if edition is None:
        abort(404)
    attendance = edition_attendance(edition)
    reach = edition_reach(edition, attendance.attended)
    return render_template(
        "reports/_edition.html", edition=edition, attendance=attendance, reach=reach,
        partners=partners_by_edition([edition]).get(id, []),
        day_chart=[(format_date(day), count) for day, count in attendance.per_day],
        sector_chart=[(label(sector), count) for sector, count in reach.sectors],
        speaker_chart=[(label(sector), count) for sector, count in reach.speakers_by_sector])


@bp.route("/export/<table>.<file_format>")
@allow(Role.COORDINATOR)
def export(table: str, file_format: str):
    if table not in PERIOD_TABLES or file_format not in FORMATS:
        abort(404)
    return send(PERIOD_TABLES[table](PeriodForm(request.args).period()), file_format)


@bp.route("/editions/<id:id>/export/<table>.<file_format>")
@allow(Role.COORDINATOR)
def edition_export(id: int, table: str, file_format: str):
    edition = db.get_or_404(Edition, id)
    export = edition_table(edition, table)
    if export is None or file_format not in FORMATS:
        abort(404)
    return send(export, file_format)


@bp.route("/summary")
@allow(Role.COORDINATOR)
def summary():
    return render_template("kept_page.html", title=_("Yearly report summary"), content=kept_content(_summary))


def _summary() -> str:
    form = PeriodForm(request.args)
    default = default_period(include_demo=bool(form.demo.data))
    chosen = form.period(default=default)
    period = Period(chosen.start or default.start, chosen.end or default.end, chosen.include_demo)
    return render_template("reports/_summary.html", form=form, summary=build_summary(period))
