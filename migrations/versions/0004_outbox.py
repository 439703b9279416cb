"""The outbox: e-mails queued in the transaction that causes them and sent by `flask send-mail`;
a security-log event for every password-reset request

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

AUTH_EVENT_KINDS = ['login', 'login_failed', 'login_throttled', 'logout', 'access_refused', 'password_changed',
                    'password_reset', 'invitation_sent', 'invitation_accepted', 'account_changed']


def auth_event_kind(*extra: str) -> sa.Enum:
    return sa.Enum(*AUTH_EVENT_KINDS, *extra, name='auth_event_kind', native_enum=False, create_constraint=True,
                   length=32)


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('invitation', 'password_reset', 'profile_reminder', name='message_kind', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sending', 'sent', 'failed', name='outbox_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_outbox_message_edition_id_edition'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outbox_message_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_outbox_message_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_outbox_message_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('auth_event', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=auth_event_kind(), type_=auth_event_kind('password_reset_requested'),
                              existing_nullable=False)


def downgrade():
    op.execute(sa.text("DELETE FROM auth_event WHERE kind = 'password_reset_requested'"))
    with op.batch_alter_table('auth_event', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=auth_event_kind('password_reset_requested'), type_=auth_event_kind(),
                              existing_nullable=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_state_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_person_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_edition_id'))

    op.drop_table('outbox_message')
