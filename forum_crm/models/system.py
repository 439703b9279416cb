"""What the running system keeps in the database so that several app servers share it: files kept between
an import's preview and its confirmation, and when each background worker last ran."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum_crm.models.base import Base, utcnow


class KeptUpload(Base):
    """An uploaded spreadsheet kept between the preview and the confirmation of an import.

    Any app server can read it back: the session holds only `token`. Removed when the import finishes,
    when the same session uploads another file, and a day after it was uploaded.
    """

    __tablename__ = "kept_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(sa.String(40))  # "people", "organisations", "attendance-3"
    filename: Mapped[str] = mapped_column(sa.String(200))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)


class WorkerRun(Base):
    """When a background worker (e.g. "send-mail") last looked for work: /healthz reports it."""

    __tablename__ = "worker_run"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class TableVersion(Base):
    """How many committed transactions have written to a table (forum_crm.kept bumps it as they commit): the
    figures kept between requests (list totals, the demo banner's counts) are kept until a table they read changes."""

    __tablename__ = "table_version"

    name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=1)


# The tables whose demo rows the database counts in demo_count (triggers of migration 0019, whoever writes).
DEMO_COUNTED = ("person", "organisation", "edition")


class DemoCount(Base):
    """How many rows of a table in DEMO_COUNTED have origin "demo", kept by the database's triggers as rows are
    inserted, deleted or change origin, so the demo banner of every page reads three numbers instead of counting.
    No row: none."""

    __tablename__ = "demo_count"

    table_name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    records: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# The tables whose rows the database counts in row_count (triggers of migration 0023, whoever writes).
ROW_COUNTED = ("organisation",)


class RowCount(Base):
    """How many rows a table in ROW_COUNTED has, kept by the database's triggers as rows are inserted and deleted:
    PostgreSQL counts a table by reading it (the organisations list's member split, after every edit). No row: none."""

    __tablename__ = "row_count"

    table_name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    records: Mapped[int] = mapped_column(sa.BigInteger, default=0)
