"""A partial index of the people on the member map by town, so the map counts them without reading the table

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Person.is_on_map, word for word (SQLite uses the index only for queries with these very terms).
ON_MAP = sa.text("map_consent_at IS NOT NULL AND archived_at IS NULL AND anonymised_at IS NULL")


def upgrade():
    # A plain CREATE INDEX (no batch): on SQLite a batch would copy the person table, which its foreign keys refuse.
    op.create_index('ix_person_on_map_locality_id', 'person', ['locality_id'], unique=False,
                    sqlite_where=ON_MAP, postgresql_where=ON_MAP)


def downgrade():
    op.drop_index('ix_person_on_map_locality_id', table_name='person')
