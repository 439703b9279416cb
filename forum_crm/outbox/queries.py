"""Reading the outbox: what is due for the worker, and the coordinator's list."""

from datetime import datetime

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import OutboxMessage, OutboxState, WorkerRun


def due_message_ids(now: datetime, limit: int) -> list[int]:
    """Queued messages whose time has come, and messages left 'sending' by a worker presumed dead, oldest first."""
    return list(db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING]),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)))


def outbox_list(state: OutboxState | None) -> sa.Select:
    """Messages newest first, optionally in one state."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return query.where(OutboxMessage.state == state) if state is not None else query


def count_by_state() -> dict[OutboxState, int]:
    rows = db.session.execute(sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state))
    return {state: count for state, count in rows}


def backlog(now: datetime) -> tuple[int, datetime | None]:
    """How many messages are due now (queued, or left 'sending' by a dead worker), and since when the oldest is."""
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING]),
               OutboxMessage.next_attempt_at <= now)).one()
    return count, oldest


def last_run(worker: str) -> datetime | None:
    """When the worker last looked for work (it records every run in worker_run)."""
    return db.session.scalar(sa.select(WorkerRun.last_run_at).where(WorkerRun.name == worker))
