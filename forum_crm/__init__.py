"""forum-crm: the member network of the Forum Współpracy i Integracji."""

import gc
from importlib import import_module
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template
from flask_babel import gettext
from werkzeug.middleware.proxy_fix import ProxyFix

from forum_crm.compression import compress_response
from forum_crm.config import settings_from_environment
from forum_crm.database import database_busy
from forum_crm.extensions import babel, csrf, db, login_manager, migrate
from forum_crm.i18n import LANGUAGE_NAMES, N_, install_template_gettext, select_locale, ui_language
from forum_crm.kept import track_table_versions
from forum_crm.requestlog import request_id, set_up_request_log
from forum_crm.schema import MIGRATIONS_DIR
from forum_crm.security import IdConverter, SecureCookiesOverHttps, csp_nonce, refuse_nul_in_url, set_security_headers

# Each package serves the URLs that start with its name (see docs/architecture.md); its routes.py holds `bp`.
BLUEPRINT_PACKAGES = ("home", "auth", "me", "accounts", "people", "organisations", "directory", "editions",
                      "localities", "mapping", "changes", "imports", "reports", "outbox", "demo",
                      "duplicates", "mailings", "public", "api", "healthz", "gdpr", "registration")
# SQLite's page cache per connection, in KiB (its default is 2 MiB). Writes land at scattered places of the person
# table's ten indexes: an import of 10,000 people into 100,000 read their pages again and again at 2 MiB.
SQLITE_CACHE_KIB = 32 * 1024


# Container objects made between two runs of the garbage collector's youngest generation (Python's default: 700).
# A built member map makes some 40,000 (query rows, tuples, lists), none of them in cycles: at 700 the collector ran
# 50-60 times a map, 5-7% of its CPU time; at 10,000 about 4 times.
GC_YOUNG_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """For a process that serves requests, once the app is made: everything made so far (modules, the app, its
    templates) lives as long as the process, so full collections, which large query results trigger, need not
    walk it again (gc.freeze: 30% of a built map); and the youngest generation is collected less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def create_app(config: dict | None = None) -> Flask:
    """The application; `config` overrides settings read from the environment (tests use it)."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=True)
    app.config.update(settings_from_environment(Path(app.instance_path)))
    app.config.update(config or {})

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    _set_up_login(app)
    app.url_map.converters["id"] = IdConverter  # every record id in a URL: <id:name>, never <int:name>
    with app.app_context():
        _configure_connections(db.engine, app.config["DATABASE_BUSY_TIMEOUT"])
        track_table_versions(db.engine)

    from forum_crm.auth.permissions import enforce_access, refused_access
    from forum_crm.cli import register_commands
    from forum_crm.labels import register_template_filters

    for package in BLUEPRINT_PACKAGES:
        app.register_blueprint(import_module(f"forum_crm.{package}.routes").bp)
    register_template_filters(app)
    _register_template_globals(app)
    set_up_request_log(app)  # first: every request gets its id before anything can refuse it
    app.before_request(refuse_nul_in_url)
    app.before_request(enforce_access)
    app.after_request(set_security_headers)
    app.after_request(compress_response)  # runs first: the headers above then go on the compressed response
    app.jinja_env.globals.update(csp_nonce=csp_nonce, request_id=request_id)
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    if app.config.get("PROXIES"):  # outermost, so everything inside sees the client's address and scheme
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])
    register_commands(app)
    app.context_processor(lambda: {"current_locale": ui_language, "language_names": LANGUAGE_NAMES})
    for code in (400, 404, 405, 413, 500):
        app.register_error_handler(code, _render_error)
    app.register_error_handler(403, refused_access)  # logged in the security log
    app.register_error_handler(sa.exc.OperationalError, database_busy)
    return app


def _register_template_globals(app: Flask) -> None:
    """Templates ask these instead of comparing role strings: {% if is_coordinator() %}, can_edit_organisation(o)."""
    from flask_login import current_user

    from forum_crm.auth.permissions import can_edit_organisation, is_coordinator, is_org_editor
    from forum_crm.changes.queries import changes_to_review_count
    from forum_crm.demo.queries import demo_counts_of_request
    from forum_crm.fragments import filter_form_key, remembered
    from forum_crm.security import record_urls

    app.jinja_env.globals.update(
        is_coordinator=is_coordinator, is_org_editor=is_org_editor, demo_counts=demo_counts_of_request,
        changes_to_review_count=changes_to_review_count, remembered=remembered, filter_form_key=filter_form_key,
        record_urls=record_urls,
        can_edit_organisation=lambda organisation: can_edit_organisation(current_user, organisation))


def _set_up_login(app: Flask) -> None:
    from forum_crm.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"

    # Built once: a statement's cache key is worked out once per statement object, and this one runs every request.
    by_token = sa.select(User).where(User.session_token == sa.bindparam("session_token"), User.active)

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        return db.session.scalar(by_token, {"session_token": session_token})


def _configure_connections(engine: sa.Engine, busy_timeout: float) -> None:
    """How long a write waits for a lock held by another (`busy_timeout` seconds) on every connection;
    SQLite also enforces foreign keys, uses the write-ahead log and a larger page cache (SQLITE_CACHE_KIB)."""
    milliseconds = max(1, round(busy_timeout * 1000))
    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _on_postgresql_connect(dbapi_connection, _record):
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True  # a SET inside a transaction would be rolled back with it
            dbapi_connection.execute(f"SET lock_timeout = {milliseconds}")
            # Compiling a plan to machine code (JIT) costs more than it saves on queries of this size: the
            # duplicate finder at 100,000 people spent 1.5 s compiling a plan that then ran in less than that.
            dbapi_connection.execute("SET jit = off")
            dbapi_connection.autocommit = autocommit

        return
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _render_error(error):
    code = getattr(error, "code", 500) or 500
    return render_template("error.html", code=code), code
