"""Search and list indexes: trigram indexes for substring search over people's and organisations' folded
search_text (SQLite FTS5 tables with the trigram tokenizer kept in step by triggers, PostgreSQL pg_trgm GIN
indexes); the people list's order and default filter (name_sort, id, archived_at), which its pages are found and
counted in; participations by (organisation, edition), for the reports' "attended an earlier edition"; the origin
of people and organisations, which the demo banner of every page counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 14:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Each searched table and its FTS5 table on SQLite (forum_crm.search.SEARCH_TABLES; copied, as migrations do).
SEARCHED = {'person': 'person_search', 'organisation': 'organisation_search'}

# A later migration that rebuilds one of these tables on SQLite (op.batch_alter_table) drops its triggers:
# it must create them again (sqlite_search_triggers) and rebuild the FTS table ('rebuild').
def sqlite_search_triggers(table: str, index: str) -> list[str]:
    """Triggers that keep the FTS table `index` in step with `table`'s search_text, whoever writes."""
    remove = f"INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    add = f"INSERT INTO {index}(rowid, search_text) VALUES (new.id, new.search_text);"
    return [f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF search_text ON {table} BEGIN {remove} {add} END"]


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_list_order', ['name_sort', 'id', 'archived_at'], unique=False)
    for table in ('person', 'organisation'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_origin'), ['origin'], unique=False)
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index('ix_participation_organisation_id_edition_id', ['organisation_id', 'edition_id'],
                              unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for table in SEARCHED:
            op.execute(f'CREATE INDEX ix_{table}_search_text_trgm ON {table} USING gin (search_text gin_trgm_ops)')
        return
    for table, index in SEARCHED.items():
        op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5(search_text, content='{table}', content_rowid='id', "
                   "tokenize='trigram')")
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
        for statement in sqlite_search_triggers(table, index):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in SEARCHED:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_search_text_trgm')
        # pg_trgm itself stays: other database objects may use it, and it is harmless.
    else:
        for index in SEARCHED.values():
            for event in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER IF EXISTS {index}_{event}')
            op.execute(f'DROP TABLE IF EXISTS {index}')
    for table in ('person', 'organisation'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_origin'))
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index('ix_participation_organisation_id_edition_id')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_list_order')
