"""The yearly report's paragraphs, written in the reader's language.

Every number is a link to the list behind it and carries its definition (shown on hover and in
the list of definitions). The same paragraphs, without the links, are printed by
`flask --app wsgi report summary`.
"""

import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_interval
from flask import url_for
from flask_babel import format_date, get_locale, get_translations, gettext
from markupsafe import Markup, escape

from forum_crm.models import Edition
from forum_crm.reports.queries import (
    Period,
    attendance_trend,
    latest_started_edition,
    member_towns,
    network_numbers,
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
    """The paragraphs; demo records are left out unless the period includes them, and then it says so first."""
    figure = Figures()
    numbers = network_numbers(period.include_demo)
    towns = member_towns(period.include_demo)
    people = figure(numbers.people, url_for("people.person_list", member="yes"),
                    gettext("people who are members of the Forum, not archived"))
    organisations = figure(numbers.organisations, url_for("organisations.organisation_list", member="yes"),
                           gettext("member organisations of the Forum, not archived"))
    town_count = figure(len(towns), url_for("localities.locality_list"),
                        gettext("towns where member organisations are based"))
    paragraphs = [Markup(escape(gettext(
        "These figures include demo records: fictional people, organisations and editions.")))] \
        if period.include_demo else []
    paragraphs.append(Markup(" ").join([
        ngettext_markup("The Forum Współpracy i Integracji brings together %(num)s person",
                        "The Forum Współpracy i Integracji brings together %(num)s people", numbers.people,
                        num=people),
        ngettext_markup("from %(num)s organisation", "from %(num)s organisations", numbers.organisations,
                        num=organisations),
        ngettext_markup("based in %(num)s town:", "based in %(num)s towns:", len(towns), num=town_count),
        Markup("{}.").format(", ".join(town.name for town in towns)),
    ]))

    trend = attendance_trend(period)
    edition_count = figure(len(trend), url_for("editions.edition_list"), gettext("editions that began in the period"))
    paragraphs.append(ngettext_markup(
        "From %(start)s to %(end)s, %(num)s forum edition was held:",
        "From %(start)s to %(end)s, %(num)s forum editions were held:", len(trend),
        num=edition_count, start=_day(period.start), end=_day(period.end)))
    attended_definition = gettext("people who attended at least one day of the edition")
    for row in trend:
        edition = row.edition
        place = edition.locality.name if edition.locality else gettext("place not recorded")
        attended = figure(row.attended, url_for("editions.edition_detail", id=edition.id, _anchor="participants"),
                          attended_definition)
        paragraphs.append(Markup(" ").join([
            gettext_markup("%(edition)s, %(dates)s, %(place)s:", edition=str(edition), dates=edition_dates(edition),
                           place=place),
            ngettext_markup("%(num)s person attended.", "%(num)s people attended.", row.attended, num=attended),
        ]))
    for panel in panels([row.edition for row in trend]):
        institutions = ", ".join(speaker.organisation.name for speaker in panel.speakers)
        paragraphs.append(gettext_markup(
            "The discussion panel of %(edition)s, “%(title)s”, had guests representing %(institutions)s.",
            edition=str(panel.edition), title=panel.title,
            institutions=institutions or gettext("institutions not recorded")))
    partners = partners_by_edition([row.edition for row in trend])
    for row in trend:
        if partners.get(row.edition.id):
            names = ", ".join(partnership.organisation.name for partnership in partners[row.edition.id])
            paragraphs.append(gettext_markup("Partners of %(edition)s: %(partners)s.", edition=str(row.edition),
                                             partners=names))
    network = network_partners(period.include_demo)
    if network:
        paragraphs.append(gettext_markup("Partners of the meetings: %(partners)s.",
                                         partners=", ".join(partnership.organisation.name for partnership in network)))
    return Summary(period, paragraphs, figure.definitions)


def _day(day: date | None) -> str:
    return format_date(day, "long") if day else "—"
