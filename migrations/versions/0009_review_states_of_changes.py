"""The review feed's states: each change an editor or member made is to review, accepted or reverted, with who
reviewed it and when

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.Enum('to_review', 'accepted', 'reverted', name='review_state', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_change_log_reviewed_by_id_user_account'), 'user_account', ['reviewed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_change_log_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_log_reviewed_by_id'), ['reviewed_by_id'], unique=False)
    # What editors and members changed so far is to review (the feed showed all of it until now).
    op.execute(sa.text(
        "UPDATE change_log SET review_state = 'to_review' WHERE user_id IN "
        "(SELECT id FROM user_account WHERE role <> 'coordinator')"))


def downgrade():
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_reviewed_by_id'))
        batch_op.drop_index(batch_op.f('ix_change_log_review_state'))
        batch_op.drop_constraint(batch_op.f('fk_change_log_reviewed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_change_log_review_state'), type_='check')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_state')
