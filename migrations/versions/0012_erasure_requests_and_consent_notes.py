"""Erasure requests (Art. 17 GDPR) and the record of each erasure; person.consent_source goes: where a consent came
from is the note of its history row (0007 copied it there)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('person', 'coordinator', 'retention', name='erasure_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum('requested', 'done', 'declined', name='erasure_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=1000), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_handled_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_erasure_request_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_erasure_request_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_request'))
    )
    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_request_handled_by_id'), ['handled_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_request_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index('ix_erasure_request_state_requested_at', ['state', 'requested_at'], unique=False)

    # Where a consent came from already is the note of its "earlier" history row (0007). Dropped in place
    # (SQLite 3.35+): rebuilding the table would delete every person first, and their consent history with them.
    with op.batch_alter_table('person', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('consent_source')


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_source', sa.String(length=200), nullable=True))
    # The note of each person's latest consent given goes back to the column.
    op.execute(sa.text(
        "UPDATE person SET consent_source = (SELECT note FROM consent_event WHERE consent_event.person_id = person.id "
        "AND consent_event.given = :given AND consent_event.note IS NOT NULL "
        "ORDER BY consent_event.decided_at DESC, consent_event.id DESC LIMIT 1)").bindparams(given=True))

    with op.batch_alter_table('erasure_request', schema=None) as batch_op:
        batch_op.drop_index('ix_erasure_request_state_requested_at')
        batch_op.drop_index(batch_op.f('ix_erasure_request_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_person_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_request_handled_by_id'))

    op.drop_table('erasure_request')
