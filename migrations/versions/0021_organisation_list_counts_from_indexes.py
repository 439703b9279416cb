"""Indexes for the organisations list built anew: each organisation's people now counted from an index of the
affiliations by organisation and end date (it replaces the one by organisation alone) without reading their rows,
and the archived organisations indexed apart, so the member split counts them and takes the rest from the table's
count

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 06:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

ARCHIVED = sa.text("archived_at IS NOT NULL")


def upgrade():
    # Plain CREATE INDEX (no batch): on SQLite a batch would copy the tables, which their foreign keys refuse.
    op.create_index('ix_affiliation_organisation_id_ended_on', 'affiliation', ['organisation_id', 'ended_on'],
                    unique=False)
    op.drop_index('ix_affiliation_organisation_id', table_name='affiliation')
    op.create_index('ix_organisation_archived_at', 'organisation', ['archived_at'], unique=False,
                    sqlite_where=ARCHIVED, postgresql_where=ARCHIVED)


def downgrade():
    op.drop_index('ix_organisation_archived_at', table_name='organisation')
    op.create_index('ix_affiliation_organisation_id', 'affiliation', ['organisation_id'], unique=False)
    op.drop_index('ix_affiliation_organisation_id_ended_on', table_name='affiliation')
