"""One log line per request, each request with an id: sent back in X-Request-ID, written on every log line of
that request (errors included) and shown on the 500 page, so a user can quote it and we can find the line.

FORUM_CRM_LOG_FORMAT=json writes each line as a JSON object (for a log collector); the default is text.
Behind a trusted proxy (FORUM_CRM_PROXIES), the proxy's X-Request-ID is kept (nginx: $request_id).
"""

import json
import logging
import re
import secrets
import time

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("forum_crm.requests")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def set_up_request_log(app: Flask) -> None:
    """Log through one stderr handler (gunicorn and systemd keep it) in the chosen format, and time each request."""
    handler = logging.StreamHandler()
    handler.addFilter(add_request_id)
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json" else logging.Formatter(TEXT_FORMAT))
    app.logger.removeHandler(default_handler)
    for old in [old for old in app.logger.handlers if getattr(old, "forum_crm", False)]:
        app.logger.removeHandler(old)  # another app in this process (tests) set one up
    handler.forum_crm = True
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.INFO)
    app.before_request(start_request)
    app.after_request(log_request)


def add_request_id(record: logging.LogRecord) -> bool:
    """Filter: every record gets the current request's id ("-" outside requests)."""
    record.request_id = g.get("request_id", "-") if has_request_context() else "-"
    return True


def start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    trusted = current_app.config.get("PROXIES") and REQUEST_ID.match(incoming)
    g.request_id = incoming if trusted else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def request_id() -> str:
    """This request's id (templates: the 500 page shows it)."""
    if "request_id" not in g:  # a before_request function ahead of start_request refused the request
        g.request_id = secrets.token_hex(8)
    return g.request_id


def log_request(response):
    """after_request: the request's line (the path without its query string, which may hold a searched name)."""
    milliseconds = round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)
    response.headers["X-Request-ID"] = request_id()
    request_log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, milliseconds, extra={
        "http": {"method": request.method, "path": request.path, "status": response.status_code,
                 "duration_ms": milliseconds, "address": request.remote_addr}})
    return response


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, request id, message, the request's fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        line.update(getattr(record, "http", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
