"""Files kept between an import's preview and confirmation move from the app server's disk into the database
(any of several app servers can confirm), and the time each background worker last ran (for /healthz)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_kept_upload_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_kept_upload_token'))
    )
    with op.batch_alter_table('kept_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_upload_user_id'), ['user_id'], unique=False)

    op.create_table('worker_run',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_run'))
    )


def downgrade():
    op.drop_table('worker_run')
    with op.batch_alter_table('kept_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_upload_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_upload_created_at'))
    op.drop_table('kept_upload')
