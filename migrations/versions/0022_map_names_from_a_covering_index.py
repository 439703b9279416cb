"""The member organisations by name for the map's popups: an index of every column the map reads, so SQLite too
reads them in order from the index alone (PostgreSQL already did, with INCLUDE)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 10:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# Organisation.is_active_member, word for word (SQLite uses a partial index only for queries with these very terms).
MEMBER = sa.text("forum_member_since IS NOT NULL AND archived_at IS NULL")


def upgrade():
    # Plain CREATE INDEX (no batch): on SQLite a batch would copy the tables, which their foreign keys refuse.
    op.drop_index('ix_organisation_member_name_sort', table_name='organisation')
    op.create_index('ix_organisation_member_name_sort', 'organisation',
                    ['name_sort', 'id', 'locality_id', 'name', 'forum_member_since', 'archived_at'], unique=False,
                    sqlite_where=MEMBER, postgresql_where=MEMBER)


def downgrade():
    op.drop_index('ix_organisation_member_name_sort', table_name='organisation')
    op.create_index('ix_organisation_member_name_sort', 'organisation', ['name_sort', 'id'], unique=False,
                    postgresql_include=['locality_id', 'name'], sqlite_where=MEMBER, postgresql_where=MEMBER)
