"""Each table's version (bumped by every committed transaction that writes to it), so list totals and other counts
can be kept between requests until the data they read change

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('table_version',
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_table_version'))
    )


def downgrade():
    op.drop_table('table_version')
