"""An index of the people by origin, membership and archiving, so the home page counts the real Forum members in
it alone rather than reading every person

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 23:05:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX (no batch): on SQLite a batch would copy the table, which its foreign keys refuse.
    op.create_index('ix_person_origin_member', 'person', ['origin', 'forum_member', 'archived_at'], unique=False)


def downgrade():
    op.drop_index('ix_person_origin_member', table_name='person')
