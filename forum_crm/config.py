"""Settings, read from the environment when the application starts."""

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_KEY_LENGTH = 32
# Argon2id's cost for password hashes: RFC 9106's recommendation for servers short of memory (64 MiB, 3 passes,
# 4 lanes). Older or cheaper hashes are replaced at the next successful login.
PASSWORD_HASH = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}


def load_secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, or one generated once into instance/secret_key and reused."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if not key:
        key_file = instance_path / "secret_key"
        if not key_file.exists():
            instance_path.mkdir(parents=True, exist_ok=True)
            # Created with owner-only permissions before anything is written to it.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        key = key_file.read_text().strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long; "
            "unset it to have one generated into instance/secret_key."
        )
    return key


def database_url(instance_path: Path) -> str:
    """DATABASE_URL, or an SQLite file in instance/. postgresql:// URLs get the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'forum_crm.sqlite'}"
    return with_psycopg_driver(url)


def with_psycopg_driver(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg 3; other URLs are returned as they are."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def map_tiles() -> str:
    """MAP_TILES: "none" (the default: the map's base layer is the shipped voivodeship outlines) or
    "URL_TEMPLATE|Attribution", e.g. "https://tile.example.org/{z}/{x}/{y}.png|© Example"."""
    value = os.environ.get("MAP_TILES", "").strip() or "none"
    if value.lower() == "none":
        return "none"
    url, _, attribution = value.partition("|")
    url, attribution = url.strip(), attribution.strip()
    if not url.startswith(("https://", "http://")) or not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise RuntimeError("MAP_TILES must be 'none' or 'https://host/{z}/{x}/{y}.png|Attribution text'.")
    if not attribution:
        raise RuntimeError("MAP_TILES needs the tile server's attribution after a '|'.")
    return f"{url}|{attribution}"


@dataclass(frozen=True)
class TileSource:
    """Where the map's base layer comes from (MAP_TILES)."""

    url: str  # a template: https://{s}.tile.example.org/{z}/{x}/{y}.png
    attribution: str

    @property
    def origin(self) -> str:
        """The origin the tiles come from, for the CSP's img-src: "https://*.tile.example.org"."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def tile_source(setting: str) -> TileSource | None:
    """MAP_TILES ("none" or "URL_TEMPLATE|Attribution", as map_tiles() checked it) as a tile source."""
    if setting == "none":
        return None
    url, _, attribution = setting.partition("|")
    return TileSource(url, attribution)


def _flag(name: str, default: str = "") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes"}


def mail_settings(instance_path: Path) -> dict:
    """E-mail, sent by `flask send-mail`: through SMTP when MAIL_SERVER is set, otherwise into instance/outbox/*.eml."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip() or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", "").strip() or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", "true"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip() or "forum-crm <no-reply@localhost>",
        "MAIL_OUTBOX": instance_path / "outbox",
        # The name e-mails give the site, in their subjects and texts.
        "SITE_NAME": os.environ.get("FORUM_CRM_SITE_NAME", "").strip() or "Forum Współpracy i Integracji",
        # Links in e-mails start with this address, never with the Host header of a request.
        "BASE_URL": os.environ.get("FORUM_CRM_BASE_URL", "").strip().rstrip("/") or "http://127.0.0.1:5000",
        # A mailing to more recipients than this asks the coordinator to confirm a second time.
        "MAILING_CONFIRM_ABOVE": int(os.environ.get("FORUM_CRM_MAILING_CONFIRM_ABOVE", "200")),
    }


def trusted_proxies() -> int:
    """FORUM_CRM_PROXIES: how many reverse proxies set X-Forwarded-For/-Proto in front of the app (0: none).

    Behind a proxy, the client's address (login throttling, the security log) and https come from them.
    """
    return int(os.environ.get("FORUM_CRM_PROXIES", "0").strip() or 0)


def embed_origins() -> tuple[str, ...]:
    """FORUM_CRM_EMBED_ORIGINS: origins (separated by spaces or commas) whose pages may embed the public pages in
    an iframe and read the API from the browser, e.g. "https://konsorcjum.example.org". Empty: none."""
    origins = os.environ.get("FORUM_CRM_EMBED_ORIGINS", "").replace(",", " ").split()
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"https", "http"} or not parts.netloc or parts.path or parts.query or "*" in origin:
            raise RuntimeError(f"FORUM_CRM_EMBED_ORIGINS: {origin!r} is not an origin like https://example.org.")
    return tuple(origins)


def database_busy_timeout() -> float:
    """FORUM_CRM_DATABASE_BUSY_TIMEOUT: seconds a write waits for another one to finish (default 30).

    Long enough for the longest write the app makes (a large import), well under gunicorn's 120 s
    worker timeout. SQLite waits this long for the write lock, PostgreSQL for a row or table lock;
    a request that still cannot write gets a 503 "try again in a moment" page.
    """
    return float(os.environ.get("FORUM_CRM_DATABASE_BUSY_TIMEOUT", "30").strip() or 30)


def log_format() -> str:
    """FORUM_CRM_LOG_FORMAT: "text" (the default) or "json", one object per line."""
    value = os.environ.get("FORUM_CRM_LOG_FORMAT", "").strip().lower() or "text"
    if value not in ("text", "json"):
        raise RuntimeError("FORUM_CRM_LOG_FORMAT must be 'text' or 'json'.")
    return value


def backup_settings(instance_path: Path) -> dict:
    """Where `flask backup create` writes by default, and how many backups `backup prune` keeps there."""
    folder = os.environ.get("FORUM_CRM_BACKUP_DIR", "").strip()
    return {
        "BACKUP_FOLDER": Path(folder) if folder else instance_path / "backups",
        "BACKUP_KEEP_DAILY": int(os.environ.get("FORUM_CRM_BACKUP_KEEP_DAILY", "7").strip() or 7),
        "BACKUP_KEEP_MONTHLY": int(os.environ.get("FORUM_CRM_BACKUP_KEEP_MONTHLY", "12").strip() or 12),
    }


def retention_settings() -> dict:
    """How long personal data is kept (docs/privacy.md): people with no activity for FORUM_CRM_RETENTION_MONTHS
    (default 36) are anonymised by `flask gdpr retention --apply`; answers given for an edition (dietary and
    accessibility needs) are deleted FORUM_CRM_ANSWER_RETENTION_DAYS (default 30) after it ends."""
    months = int(os.environ.get("FORUM_CRM_RETENTION_MONTHS", "36").strip() or 36)
    days = int(os.environ.get("FORUM_CRM_ANSWER_RETENTION_DAYS", "30").strip() or 30)
    if months < 1 or days < 0:
        raise RuntimeError("FORUM_CRM_RETENTION_MONTHS must be at least 1 and FORUM_CRM_ANSWER_RETENTION_DAYS at "
                           "least 0.")
    return {"RETENTION_MONTHS": months, "ANSWER_RETENTION_DAYS": days}


def settings_from_environment(instance_path: Path) -> dict:
    """The Flask configuration for this process."""
    https = _flag("FORUM_CRM_HTTPS")
    return {
        **mail_settings(instance_path),
        **backup_settings(instance_path),
        "LOG_FORMAT": log_format(),
        **retention_settings(),
        "PROXIES": trusted_proxies(),
        "SECRET_KEY": load_secret_key(instance_path),
        "PASSWORD_HASH": dict(PASSWORD_HASH),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_BUSY_TIMEOUT": database_busy_timeout(),
        # Cookies: never readable from JavaScript, not sent on cross-site POSTs, Secure over https
        # (always when FORUM_CRM_HTTPS is set; forum_crm.security adds it to any response sent over https).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "pl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Warsaw",
        "LANGUAGES": ("pl", "en", "uk"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "MAP_TILES": map_tiles(),
        "EMBED_ORIGINS": embed_origins(),
        # Requests a minute from one address to the public pages and the API, in each application process.
        "PUBLIC_RATE_LIMIT": int(os.environ.get("FORUM_CRM_PUBLIC_RATE_LIMIT", "300").strip() or 300),
    }
