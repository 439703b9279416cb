"""Exports of personal data in the security log: the auth_event kind data_exported

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

KINDS = ('login', 'login_failed', 'login_throttled', 'logout', 'access_refused', 'password_changed', 'password_reset',
         'invitation_sent', 'invitation_accepted', 'account_changed', 'password_reset_requested')
NEW_KINDS = ('data_exported',)


def _allow_kinds(kinds: tuple[str, ...]) -> None:
    """Replace the CHECK constraint that lists the kinds of security-log events."""
    with op.batch_alter_table('auth_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_auth_event_auth_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_auth_event_auth_event_kind'), sa.column('kind').in_(kinds))


def upgrade():
    _allow_kinds(KINDS + NEW_KINDS)


def downgrade():
    op.execute(sa.text("DELETE FROM auth_event WHERE kind = 'data_exported'"))
    _allow_kinds(KINDS)
