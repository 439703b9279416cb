"""The public pages' and the API's own rate limit: requests per client address per minute, in each process.

Each application server counts on its own (with two servers a client may get up to twice the limit);
nothing is written to the database, so a flood costs memory in proportion to the addresses seen in a minute.
"""

import threading
import time
from collections import defaultdict

from flask import Response, current_app, request
from flask_babel import gettext as _

WINDOW = 60.0  # seconds


class RateLimit:
    """A fixed window per address: at most `limit` requests in each minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window_start = time.monotonic()
        self._counts: defaultdict[str, int] = defaultdict(int)

    def allows(self, address: str, limit: int) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= WINDOW:
                self._window_start, self._counts = now, defaultdict(int)
            self._counts[address] += 1
            return self._counts[address] <= limit

    def seconds_left(self) -> int:
        return max(1, int(WINDOW - (time.monotonic() - self._window_start)) + 1)


def limit_public_requests() -> Response | None:
    """before_request of the public pages and the API: 429 with Retry-After over PUBLIC_RATE_LIMIT a minute."""
    limiter = current_app.extensions.setdefault("forum_crm.public_rate_limit", RateLimit())
    if limiter.allows(request.remote_addr or "", current_app.config["PUBLIC_RATE_LIMIT"]):
        return None
    response = Response(_("Too many requests: try again in a minute."), status=429, mimetype="text/plain")
    response.headers["Retry-After"] = str(limiter.seconds_left())
    return response
