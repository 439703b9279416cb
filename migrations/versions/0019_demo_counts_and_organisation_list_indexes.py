"""The demo rows of person, organisation and edition counted by the database as they are written (demo_count,
kept by triggers), so the demo banner of every page no longer counts 100,000 people after each edit; indexes of
organisations by (forum_member_since, archived_at), which the organisations list's member split is counted in, and
by the list's order and default filter (name_sort, id, archived_at), which a page asked by number finds its first
key in

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 22:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# forum_crm.models.DEMO_COUNTED (copied, as migrations do). A later migration that rebuilds one of these tables on
# SQLite (op.batch_alter_table) drops its triggers: it must create them again (sqlite_demo_count_triggers).
COUNTED = ('person', 'organisation', 'edition')
EVENTS = ('insert', 'delete', 'update')

# PostgreSQL: one statement-level trigger per table and event (a demo-data run inserts 100,000 people: one update
# of the count per statement, not per row), counting the demo rows the statement added and removed.
PG_FUNCTION = """
CREATE FUNCTION count_demo_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint := 0;
    removed bigint := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT count(*) INTO added FROM new_rows WHERE origin = 'demo';
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        SELECT count(*) INTO removed FROM old_rows WHERE origin = 'demo';
    END IF;
    IF added <> removed THEN
        INSERT INTO demo_count (table_name, records) VALUES (TG_TABLE_NAME, added - removed)
        ON CONFLICT (table_name) DO UPDATE SET records = demo_count.records + excluded.records;
        DELETE FROM demo_count WHERE table_name = TG_TABLE_NAME AND records = 0;
    END IF;
    RETURN NULL;
END $$
"""
PG_REFERENCING = {'insert': 'NEW TABLE AS new_rows', 'delete': 'OLD TABLE AS old_rows',
                  'update': 'OLD TABLE AS old_rows NEW TABLE AS new_rows'}


def sqlite_demo_count_triggers(table: str) -> list[str]:
    """Row triggers that keep demo_count's row of `table` in step with its demo rows."""
    add = ("INSERT INTO demo_count (table_name, records) VALUES ('{table}', {change}) "
           "ON CONFLICT (table_name) DO UPDATE SET records = records + excluded.records;")
    none_left = f"DELETE FROM demo_count WHERE table_name = '{table}' AND records = 0;"  # no row: none
    changed = "CASE WHEN new.origin = 'demo' THEN 1 ELSE -1 END"
    return [
        f"CREATE TRIGGER {table}_demo_count_insert AFTER INSERT ON {table} WHEN new.origin = 'demo' "
        f"BEGIN {add.format(table=table, change=1)} END",
        f"CREATE TRIGGER {table}_demo_count_delete AFTER DELETE ON {table} WHEN old.origin = 'demo' "
        f"BEGIN UPDATE demo_count SET records = records - 1 WHERE table_name = '{table}'; {none_left} END",
        f"CREATE TRIGGER {table}_demo_count_update AFTER UPDATE OF origin ON {table} "
        f"WHEN (old.origin = 'demo') IS NOT (new.origin = 'demo') "
        f"BEGIN {add.format(table=table, change=changed)} {none_left} END",
    ]


def upgrade():
    op.create_table('demo_count',
    sa.Column('table_name', sa.String(length=63), nullable=False),
    sa.Column('records', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_demo_count'))
    )
    # Plain CREATE INDEX (no batch): on SQLite a batch would copy the table, which its foreign keys refuse.
    op.create_index('ix_organisation_forum_member_since_archived_at', 'organisation',
                    ['forum_member_since', 'archived_at'], unique=False)
    op.create_index('ix_organisation_list_order', 'organisation', ['name_sort', 'id', 'archived_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for table in COUNTED:
            for event in EVENTS:
                op.execute(f'CREATE TRIGGER {table}_demo_count_{event} AFTER {event.upper()} ON {table} '
                           f'REFERENCING {PG_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION count_demo_rows()')
    else:
        for table in COUNTED:
            for statement in sqlite_demo_count_triggers(table):
                op.execute(statement)
    for table in COUNTED:
        op.execute(f"INSERT INTO demo_count (table_name, records) SELECT '{table}', count(*) FROM {table} "
                   "WHERE origin = 'demo' HAVING count(*) > 0")


def downgrade():
    for table in COUNTED:
        for event in EVENTS:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_demo_count_{event}'
                       + (f' ON {table}' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS count_demo_rows()')
    op.drop_index('ix_organisation_list_order', table_name='organisation')
    op.drop_index('ix_organisation_forum_member_since_archived_at', table_name='organisation')
    op.drop_table('demo_count')
