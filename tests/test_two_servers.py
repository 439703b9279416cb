"""Two app servers (gunicorn, each its own process) on one PostgreSQL database, as behind a load balancer: an
import previewed on one is confirmed on the other, and failed logins alternating between them are counted
together. Runs when TEST_DATABASE_URL names a PostgreSQL database (CI's second `make test`)."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.auth.queries import ACCOUNT_FAILURES
from forum_crm.extensions import db
from forum_crm.models import KeptUpload, Person
from tests import factories
from tests.conftest import TEST_SECRET, create_postgres_database, drop_postgres_database, postgres_url

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs PostgreSQL: set TEST_DATABASE_URL")

ROOT = Path(__file__).resolve().parent.parent
COORDINATOR, GUESSED = "koordynator@example.org", "zgadywana@example.org"
STARTUP_LIMIT = 60  # seconds a server may take to answer /healthz before the test gives up on it
PEOPLE_CSV = "Imię;Nazwisko;E-mail\nAnna;Wiśniewska;anna.w@example.org\nJan;Zieliński;jan.z@example.org\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode(errors="replace")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # still starting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two gunicorn servers on their own ports, one database with a coordinator; their base URLs."""
    url = create_postgres_database(postgres_url(), f"two{uuid.uuid4().hex[:8]}")
    setup = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with setup.app_context():
        upgrade()
        factories.committed(factories.user(email=COORDINATOR), factories.user(email=GUESSED))
        db.engine.dispose()
    environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "FORUM_CRM_PROXIES": "0"}
    processes, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
                cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            wait_until_serving(base, process)
        yield bases, setup
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        drop_postgres_database(url)


def csrf_token(browser: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get(url).text)
    assert match, url
    return match.group(1)


def log_in(browser: requests.Session, base: str, password: str, email: str = COORDINATOR) -> requests.Response:
    return browser.post(f"{base}/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_token(browser, f"{base}/login")},
                        allow_redirects=False)


def count(app, model) -> int:
    with app.app_context():
        number = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
        return number


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(servers):
    (first, second), app = servers
    browser = requests.Session()  # one browser: its cookies go to both servers (same host, other ports)
    assert log_in(browser, first, factories.PASSWORD).status_code == 302
    preview = browser.post(f"{first}/imports/people", files={"file": ("osoby.csv", PEOPLE_CSV.encode())},
                           data={"csrf_token": csrf_token(browser, f"{first}/imports/people")})
    assert preview.status_code == 200 and "Wiśniewska" in preview.text
    assert count(app, KeptUpload) == 1 and count(app, Person) == 0

    done = browser.post(f"{second}/imports/people/confirm", allow_redirects=False,
                        data={"csrf_token": csrf_token(browser, f"{second}/"), "action": "run"})
    assert done.status_code == 302 and done.headers["Location"] == "/people"
    assert count(app, Person) == 2 and count(app, KeptUpload) == 0
    assert "Zieliński" in browser.get(f"{first}/people").text


def test_failed_logins_alternating_between_the_servers_are_counted_together(servers):
    (first, second), _app = servers
    browser = requests.Session()
    for attempt in range(ACCOUNT_FAILURES):
        assert log_in(browser, (first, second)[attempt % 2], "wrong password", GUESSED).status_code == 401
    # each server saw only some of the failures; the limit holds for the two together
    for server in (first, second):
        assert log_in(browser, server, factories.PASSWORD, GUESSED).status_code == 429
