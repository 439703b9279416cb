"""The organisations counted by the database as they are inserted and deleted (row_count, kept by triggers), so the
organisations list's member split no longer counts every organisation after each edit: PostgreSQL reads a table to
count it (2 ms at 10,000 organisations, half of what the database spent on the list page built anew); SQLite
counted from an index's pages and gains little

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# forum_crm.models.ROW_COUNTED (copied, as migrations do). A later migration that rebuilds one of these tables on
# SQLite (op.batch_alter_table) drops its triggers: it must create them again (sqlite_row_count_triggers).
COUNTED = ('organisation',)
EVENTS = ('insert', 'delete')

# PostgreSQL: one statement-level trigger per table and event (an import inserts thousands of rows: one update of the
# count per statement, not per row). No row: none, as in demo_count (an empty database holds no rows at all).
PG_FUNCTION = """
CREATE FUNCTION count_table_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO change FROM new_rows;
    ELSE
        SELECT -count(*) INTO change FROM old_rows;
    END IF;
    IF change <> 0 THEN
        INSERT INTO row_count (table_name, records) VALUES (TG_TABLE_NAME, change)
        ON CONFLICT (table_name) DO UPDATE SET records = row_count.records + excluded.records;
        DELETE FROM row_count WHERE table_name = TG_TABLE_NAME AND records = 0;
    END IF;
    RETURN NULL;
END $$
"""
PG_REFERENCING = {'insert': 'NEW TABLE AS new_rows', 'delete': 'OLD TABLE AS old_rows'}


def sqlite_row_count_triggers(table: str) -> list[str]:
    """Row triggers that keep row_count's row of `table` in step with its rows."""
    return [
        f"CREATE TRIGGER {table}_row_count_insert AFTER INSERT ON {table} "
        f"BEGIN INSERT INTO row_count (table_name, records) VALUES ('{table}', 1) "
        "ON CONFLICT (table_name) DO UPDATE SET records = records + 1; END",
        f"CREATE TRIGGER {table}_row_count_delete AFTER DELETE ON {table} "
        f"BEGIN UPDATE row_count SET records = records - 1 WHERE table_name = '{table}'; "
        f"DELETE FROM row_count WHERE table_name = '{table}' AND records = 0; END",
    ]


def upgrade():
    op.create_table('row_count',
    sa.Column('table_name', sa.String(length=63), nullable=False),
    sa.Column('records', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_row_count'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for table in COUNTED:
            for event in EVENTS:
                op.execute(f'CREATE TRIGGER {table}_row_count_{event} AFTER {event.upper()} ON {table} '
                           f'REFERENCING {PG_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION count_table_rows()')
    else:
        for table in COUNTED:
            for statement in sqlite_row_count_triggers(table):
                op.execute(statement)
    for table in COUNTED:
        op.execute(f"INSERT INTO row_count (table_name, records) SELECT '{table}', count(*) FROM {table} "
                   "HAVING count(*) > 0")


def downgrade():
    for table in COUNTED:
        for event in EVENTS:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_row_count_{event}'
                       + (f' ON {table}' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS count_table_rows()')
    op.drop_table('row_count')
