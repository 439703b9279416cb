"""Benchmark of each role's home page and the review feed at 100,000 demo people and 10,000 organisations.

    .venv/bin/python -m bench.home                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.home

Times each card of the coordinator's home (its query; the likely duplicates counted once, then kept), the
whole home of each role and the review feed through the test client, with 5,000 editors' changes waiting
for review and 20,000 reviewed: wall time and this process's CPU time (the machine may be shared). Each
row of the Markdown table is printed as soon as it is measured.
"""

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.duplicates import REPEATS, report, timed
from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.home.queries import COORDINATOR_CARDS
from forum_crm.models import ChangeLogEntry, Organisation, Role
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import seed_report

PASSWORD = "bench password 123"
TO_REVIEW, REVIEWED = 5_000, 20_000


def _changes(editor_id: int, organisation_id: int) -> None:
    """Editors' changes: TO_REVIEW waiting, REVIEWED accepted, written in bulk."""
    rows = [{"entity_type": "organisation", "entity_id": organisation_id, "entity_label": "Bench",
             "action": "updated", "changes": {"phone": [None, str(number)]}, "user_id": editor_id,
             "review_state": "to_review" if number < TO_REVIEW else "accepted"}
            for number in range(TO_REVIEW + REVIEWED)]
    db.session.execute(sa.insert(ChangeLogEntry), rows)


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {REPEATS} runs\n")
    print("| what | wall time (CPU time of this process) |\n| --- | --- |", flush=True)
    with app.app_context():
        upgrade()
        seed_report()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        organisation_id = db.session.scalar(sa.select(Organisation.id).order_by(Organisation.id).limit(1))
        create_user("coordinator@example.org", PASSWORD, Role.COORDINATOR)
        editor = create_user("editor@example.org", PASSWORD, Role.ORG_EDITOR, organisation_id=organisation_id)
        create_user("member@example.org", PASSWORD, Role.MEMBER)
        db.session.flush()
        _changes(editor.id, organisation_id)
        db.session.commit()
        refresh_statistics()
    clients = {}
    for email in ("coordinator@example.org", "editor@example.org", "member@example.org"):
        clients[email.split("@")[0]] = client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
    # The slow count last, so that every other figure is printed even if it is stopped.
    for role in ("editor", "member"):
        report(f"GET / as {role}", timed(lambda role=role: clients[role].get("/")))
    report(f"GET /changes/review ({TO_REVIEW:,} to review, first page)",
           timed(lambda: clients["coordinator"].get("/changes/review")))
    with app.test_request_context():
        for name, read in COORDINATOR_CARDS.items():
            if name != "likely_duplicates":
                report(f"card `{name}` (its query)", timed(read))
        report("card `likely_duplicates`: counted (once)", timed(COORDINATOR_CARDS["likely_duplicates"], repeats=1))
        report("card `likely_duplicates`: kept", timed(COORDINATOR_CARDS["likely_duplicates"]))
    report("GET / as coordinator (duplicates kept)", timed(lambda: clients["coordinator"].get("/")))

if __name__ == "__main__":
    main()
