"""The yearly report's paragraphs, written in the reader's language.

Every number is a link to the list behind it and carries its definition (shown on hover and in
the list of definitions). The same paragraphs, without the links, are printed by
`flask --app wsgi report summary`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import url_for
from flask_babel import format_date, get_locale, get_timezone, get_translations, gettext
from markupsafe import Markup, escape

from forum_crm.models import Edition, Organisation, ProgrammeItem
from forum_crm.reports.queries import (
    Partner,
    Period,
    TrendRow,
    attendance_trend,
    end_of_day,
    latest_started_edition,
    members_on,
    network_partners,
    panels,
    partners_by_edition,
)


def gettext_markup(message: str, **parts) -> Markup:
    """gettext whose %(name)s parts may be Markup (links); the rest is escaped."""
    return Markup(escape(get_translations().gettext(message))) % parts


def ngettext_markup(singular: str, plural: str, number: int, **parts) -> Markup:
    """ngettext (Polish has three plural forms) whose %(num)s and other parts may be Markup."""
    parts.setdefault("num", number)
    return Markup(escape(get_translations().ngettext(singular, plural, number))) % parts


@dataclass(frozen=True)
class Definition:
    number: int
    text: str


class Figures:
    """Numbers of the summary, each with a link and a numbered definition."""

    def __init__(self):
        self.definitions: list[Definition] = []

    def __call__(self, value: int, url: str, definition: str) -> Markup:
        known = next((d for d in self.definitions if d.text == definition), None)
        if known is None:
            known = Definition(len(self.definitions) + 1, definition)
            self.definitions.append(known)
        return Markup('<a class="figure" href="{}" title="{}">{}</a><sup>{}</sup>').format(
            url, definition, value, known.number)


def edition_dates(edition: Edition) -> str:
    """"18–19 maja 2023" / "May 18–19, 2023"."""
    return format_interval(edition.start_date, edition.end_date, "yMMMMd", locale=get_locale())


@dataclass(frozen=True)
class Summary:
    period: Period
    paragraphs: list[Markup]
    definitions: list[Definition]

    def plain_text(self) -> str:
        """The paragraphs without links or footnote marks, then the definitions."""
        paragraphs = (Markup(re.sub(r"<sup>.*?</sup>", "", str(paragraph))).striptags()
                      for paragraph in self.paragraphs)
        definitions = (f"[{definition.number}] {definition.text}" for definition in self.definitions)
        return "\n\n".join(paragraphs) + "\n\n" + "\n".join(definitions)


def default_period(today: date | None = None, include_demo: bool = False) -> Period:
    """The calendar year of the latest edition that has begun (this year if none)."""
    latest = latest_started_edition(today or date.today(), include_demo)
    year = latest.start_date.year if latest else (today or date.today()).year
    return Period(date(year, 1, 1), date(year, 12, 31), include_demo)


def build_summary(period: Period) -> Summary:
    """The paragraphs for `period`: the Forum as it was at the period's end, then its editions in the period.

    Demo records are left out unless the period includes them, and then the first paragraph says so."""
    figure = Figures()
    trend = attendance_trend(period)
    editions = [row.edition for row in trend]
    paragraphs = [Markup(escape(gettext(
        "These figures include demo records: fictional people, organisations and editions.")))] \
        if period.include_demo else []
    paragraphs += [_members(figure, period.end, period.include_demo), _editions_held(figure, period, len(trend))]
    paragraphs.extend(Markup(" ").join([_edition_heading(row.edition), _attended(figure, row)]) for row in trend)
    paragraphs.extend(_panel(panel) for panel in panels(editions))
    partners = partners_by_edition(editions)
    paragraphs.extend(gettext_markup("Partners of %(edition)s: %(partners)s.", edition=str(edition),
                                     partners=_names(partners[edition.id]))
                      for edition in editions if partners.get(edition.id))
    network = network_partners(end_of_day(period.end, _zone()), period.include_demo) if editions else []
    if network:
        paragraphs.append(gettext_markup("Partners of the meetings: %(partners)s.",
                                         partners=_names(partnership.organisation for partnership in network)))
    return Summary(period, paragraphs, figure.definitions)


def _zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def _members(figure: Figures, end: date, include_demo: bool) -> Markup:
    """Members and their towns at the end of the day `end`; parts with nothing to count are left out."""
    members = members_on(end, _zone(), include_demo)
    on = _day(end)
    if not members.people and not members.organisations:
        return gettext_markup("As of %(date)s, the Forum Współpracy i Integracji had no members on record.", date=on)
    parts = []
    if members.people:
        people = figure(members.people, url_for("people.person_list", member="yes"),
                        gettext("people marked as members of the Forum whose record was created by the end of the "
                                "period and not archived by then (a person's membership has no date of its own)"))
        parts.append(ngettext_markup(
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s person",
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s people",
            members.people, num=people, date=on))
    if members.organisations:
        organisations = figure(members.organisations, url_for("organisations.organisation_list", member="yes"),
                               gettext("organisations that were members of the Forum at the end of the period: "
                                       "member since a day within it or before, not archived by its end"))
        parts.append(ngettext_markup(
            "from %(num)s organisation", "from %(num)s organisations", members.organisations, num=organisations)
            if parts else ngettext_markup(
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s organisation",
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s organisations",
            members.organisations, num=organisations, date=on))
    if members.towns:
        town_count = figure(len(members.towns), url_for("localities.locality_list"),
                            gettext("towns where the organisations that were members at the end of the period "
                                    "are based, each named here (the 2022–2023 report said 19 towns but named only "
                                    "18)"))
        parts.append(ngettext_markup("based in %(num)s town:", "based in %(num)s towns:", len(members.towns),
                                     num=town_count))
        parts.append(", ".join(dict.fromkeys(members.towns)))
    return Markup(" ").join(parts) + "."


def _editions_held(figure: Figures, period: Period, count: int) -> Markup:
    dates = {"start": _day(period.start), "end": _day(period.end)}
    if not count:
        return gettext_markup("From %(start)s to %(end)s, no forum edition was held.", **dates)
    held = figure(count, url_for("editions.edition_list"), gettext("editions that began in the period"))
    return ngettext_markup("From %(start)s to %(end)s, %(num)s forum edition was held:",
                           "From %(start)s to %(end)s, %(num)s forum editions were held:", count, num=held, **dates)


def _attended(figure: Figures, row: TrendRow) -> Markup:
    if not row.attended:
        return gettext_markup("no attendance recorded.")
    attended = figure(row.attended, url_for("editions.edition_detail", id=row.edition.id, _anchor="participants"),
                      gettext("people who attended at least one day of the edition"))
    return ngettext_markup("%(num)s person attended.", "%(num)s people attended.", row.attended, num=attended)


def _edition_heading(edition: Edition) -> Markup:
    """"I Forum, 18–19 maja 2023, Warszawa:", without the place when it is not recorded."""
    if edition.locality is None:
        return gettext_markup("%(edition)s, %(dates)s:", edition=str(edition), dates=edition_dates(edition))
    return gettext_markup("%(edition)s, %(dates)s, %(place)s:", edition=str(edition), dates=edition_dates(edition),
                          place=edition.locality.name)


def _panel(panel: ProgrammeItem) -> Markup:
    """The panel and its guests' institutions, each named once."""
    institutions = _names(speaker.organisation for speaker in panel.speakers)
    if not institutions:
        return gettext_markup("%(edition)s included the discussion panel “%(title)s”.", edition=str(panel.edition),
                              title=panel.title)
    return gettext_markup(
        "The discussion panel of %(edition)s, “%(title)s”, had guests representing %(institutions)s.",
        edition=str(panel.edition), title=panel.title, institutions=institutions)


def _names(rows: Iterable[Organisation | Partner]) -> str:
    """"A, B, C": names in the given order, each once."""
    return ", ".join(dict.fromkeys(row.name for row in rows))


def _day(day: date | None) -> str:
    return format_date(day, "long") if day else "—"
