"""Each attendance report at 100,000 people, 10,000 organisations and 50 editions.

    .venv/bin/python -m bench.reports            # SQLite
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/forum_crm_bench .venv/bin/python -m bench.reports
"""

from datetime import date

from flask_babel import force_locale
from flask_migrate import upgrade

from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url, median_ms
from forum_crm import create_app
from forum_crm.extensions import db
from forum_crm.pagination import paginate
from forum_crm.reports.edition_report import edition_attendance, edition_reach
from forum_crm.reports.queries import (
    Period,
    attendance_trend,
    editions_in,
    last_two_editions,
    organisations_editions,
    organisations_to_reengage,
    people_editions,
    retention,
    voivodeships_without_members,
)
from forum_crm.reports.summary import build_summary
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import seed_report


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url()})
    with app.app_context():
        upgrade()
        seed_report()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        refresh_statistics()
    everything = Period(include_demo=True)  # the network measured is the demo one
    with app.test_request_context("/reports?page=1"), force_locale("pl"):
        editions = editions_in(everything)
        first, last = editions[0], editions[-1]
        last_held = [edition for edition in editions if edition.start_date <= date.today()][-1]
        year = Period(date(last.start_date.year, 1, 1), date(last.start_date.year, 12, 31), include_demo=True)
        results = [
            ("overview: attendance trend (53 editions)", median_ms(lambda: attendance_trend(everything))),
            ("overview: retention of edition I over 52 editions", median_ms(lambda: retention(first, editions[1:]))),
            ("overview: organisations to re-engage, count and first page",
             median_ms(lambda: paginate(organisations_to_reengage(last_two_editions(everything), True), 20).items)),
            ("overview: voivodeships without members", median_ms(lambda: voivodeships_without_members(True))),
            ("edition report: attendance", median_ms(lambda: edition_attendance(last))),
            ("edition report: reach, first-time and returning", median_ms(lambda: edition_reach(last))),
            ("edition report of the last edition held: attendance", median_ms(lambda: edition_attendance(last_held))),
            ("edition report of the last edition held: reach", median_ms(lambda: edition_reach(last_held))),
            ("each organisation's editions, first page",
             median_ms(lambda: paginate(organisations_editions(everything)).items)),
            ("each person's editions, first page", median_ms(lambda: paginate(people_editions(everything)).items)),
            ("yearly summary", median_ms(lambda: build_summary(year))),
        ]
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of runs, milliseconds\n")
    print("| report | ms |\n| --- | --- |")
    for what, milliseconds in results:
        print(f"| {what} | {milliseconds:.1f} |")


if __name__ == "__main__":
    main()
