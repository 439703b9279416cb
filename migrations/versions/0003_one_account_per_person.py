"""One account per person: a unique index on user_account.person_id (accounts bound to nobody are not limited)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 11:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # A person bound to several accounts keeps one: the active one, else the oldest; the others are unbound.
    op.execute(sa.text(
        "UPDATE user_account SET person_id = NULL WHERE person_id IS NOT NULL AND id <> ("
        "SELECT keep.id FROM user_account AS keep WHERE keep.person_id = user_account.person_id "
        "ORDER BY keep.active DESC, keep.id LIMIT 1)"
    ))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_person_id'))
        batch_op.create_index(batch_op.f('ix_user_account_person_id'), ['person_id'], unique=True)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_person_id'))
        batch_op.create_index(batch_op.f('ix_user_account_person_id'), ['person_id'], unique=False)
