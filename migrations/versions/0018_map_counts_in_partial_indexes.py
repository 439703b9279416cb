"""Partial indexes of the people on the member map and of the member organisations by town, so the map counts
them without reading the tables, and of the member organisations by name for the map's popups

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 16:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# Person.is_on_map and Organisation.is_active_member, word for word (SQLite uses a partial index only for queries
# with these very terms).
ON_MAP = sa.text("map_consent_at IS NOT NULL AND archived_at IS NULL AND anonymised_at IS NULL")
MEMBER = sa.text("forum_member_since IS NOT NULL AND archived_at IS NULL")


def upgrade():
    # Plain CREATE INDEX (no batch): on SQLite a batch would copy the tables, which their foreign keys refuse.
    op.create_index('ix_person_on_map_locality_id', 'person', ['locality_id'], unique=False,
                    sqlite_where=ON_MAP, postgresql_where=ON_MAP)
    op.create_index('ix_organisation_member_locality_id', 'organisation', ['locality_id'], unique=False,
                    sqlite_where=MEMBER, postgresql_where=MEMBER)
    op.create_index('ix_organisation_member_name_sort', 'organisation', ['name_sort', 'id'], unique=False,
                    postgresql_include=['locality_id', 'name'], sqlite_where=MEMBER, postgresql_where=MEMBER)


def downgrade():
    op.drop_index('ix_organisation_member_name_sort', table_name='organisation')
    op.drop_index('ix_organisation_member_locality_id', table_name='organisation')
    op.drop_index('ix_person_on_map_locality_id', table_name='person')
