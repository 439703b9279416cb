"""Indexes an edition's report reads alone: its attendees, each one's earlier attendance, their organisations

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 16:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (old index, its columns) -> (new index, its columns): each new one starts with the old one's columns, so it
# serves every query the old one did. Plain CREATE/DROP INDEX (no batch): on SQLite a batch would copy the tables.
REPLACED = [
    (('ix_participation_edition_id_status', ['edition_id', 'status']),
     ('ix_participation_edition_id_status_organisation_id_person_id',
      ['edition_id', 'status', 'organisation_id', 'person_id'])),
    (('ix_participation_person_id', ['person_id']),
     ('ix_participation_person_id_status_edition_id', ['person_id', 'status', 'edition_id'])),
    (('ix_participation_organisation_id_edition_id', ['organisation_id', 'edition_id']),
     ('ix_participation_organisation_id_status_edition_id', ['organisation_id', 'status', 'edition_id'])),
]


def upgrade():
    for (old, _old_columns), (new, columns) in REPLACED:
        # PostgreSQL's index-only scans need the id too (a join to day_attendance); SQLite's indexes hold it anyway.
        include = ['id'] if new == 'ix_participation_edition_id_status_organisation_id_person_id' else []
        op.create_index(new, 'participation', columns, unique=False, postgresql_include=include)
        op.drop_index(old, table_name='participation')
    op.create_index('ix_organisation_id_sector_locality_id', 'organisation', ['id', 'sector', 'locality_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_organisation_id_sector_locality_id', table_name='organisation')
    for (old, old_columns), (new, _columns) in REPLACED:
        op.create_index(old, 'participation', old_columns, unique=False)
        op.drop_index(new, table_name='participation')
