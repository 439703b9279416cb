"""Registration for an edition: its settings, participants' answers (with their place on the waiting list)
and the days and nights they chose

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('edition_registration',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('free_question', sa.String(length=300), nullable=True),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_edition_registration_capacity_not_negative')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_edition_registration_closes_not_before_opens')),
    sa.CheckConstraint('reminder_days >= 0', name=op.f('ck_edition_registration_reminder_days_not_negative')),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_registration_edition_id_edition'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', name=op.f('pk_edition_registration'))
    )
    op.create_table('registration',
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('link_sequence', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_number', sa.Integer(), nullable=True),
    sa.Column('travel_from', sa.String(length=120), nullable=True),
    sa.Column('refund_needed', sa.Boolean(), nullable=False),
    sa.Column('dietary_needs', sa.String(length=500), nullable=True),
    sa.Column('accessibility_needs', sa.String(length=500), nullable=True),
    sa.Column('free_answer', sa.String(length=500), nullable=True),
    sa.Column('reminder_queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participation_id'], ['participation.id'],
                            name=op.f('fk_registration_participation_id_participation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participation_id', name=op.f('pk_registration'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_reminder_queued_at', ['reminder_queued_at'], unique=False)
    op.create_table('registration_choice',
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('day', 'night', name='choice_kind', native_enum=False, create_constraint=True,
                              length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['registration.participation_id'],
                            name=op.f('fk_registration_choice_participation_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participation_id', 'kind', 'day', name=op.f('pk_registration_choice'))
    )


def downgrade():
    op.drop_table('registration_choice')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_reminder_queued_at')
    op.drop_table('registration')
    op.drop_table('edition_registration')
