"""The duplicate finder's keys (folded first and last names, phone digits, folded short names), pairs dismissed
as "not a duplicate", merges kept for undo, and the SQL function one_edit_apart on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:57:06.821360

"""

import sqlalchemy as sa
from alembic import op

from forum_crm.text import fold

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dismissed_pair',
    sa.Column('kind', sa.Enum('person', 'organisation', name='duplicate_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_dismissed_pair_lower_id_first')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_dismissed_pair_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('kind', 'first_id', 'second_id', name=op.f('pk_dismissed_pair'))
    )
    with op.batch_alter_table('dismissed_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dismissed_pair_user_id'), ['user_id'], unique=False)

    op.create_table('person_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_log_id', sa.Integer(), nullable=True),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('removed_id', sa.Integer(), nullable=False),
    sa.Column('removed', sa.JSON(), nullable=False),
    sa.Column('kept_before', sa.JSON(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['change_log_id'], ['change_log.id'], name=op.f('fk_person_merge_change_log_id_change_log'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kept_id'], ['person.id'], name=op.f('fk_person_merge_kept_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merge'))
    )
    with op.batch_alter_table('person_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merge_change_log_id'), ['change_log_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_person_merge_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_merge_merged_at'), ['merged_at'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_key', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_short_key'), ['short_key'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_key', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('last_key', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('phone_key', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_person_first_key_last_key', ['first_key', 'last_key', 'locality_id'], unique=False)
        batch_op.create_index('ix_person_last_key_first_key', ['last_key', 'first_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_phone_key'), ['phone_key'], unique=False)

    _fill_keys()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(ONE_EDIT_APART)


# The same rule as forum_crm.text.one_edit_apart (SQLite connections get that Python function).
ONE_EDIT_APART = """
CREATE OR REPLACE FUNCTION one_edit_apart(a text, b text) RETURNS boolean AS $$
DECLARE
  i int := 1;
  la int := length(a);
  lb int := length(b);
BEGIN
  IF a IS NULL OR b IS NULL OR a = b OR abs(la - lb) > 1 THEN RETURN false; END IF;
  WHILE i <= least(la, lb) AND substr(a, i, 1) = substr(b, i, 1) LOOP i := i + 1; END LOOP;
  IF la = lb THEN
    RETURN substr(a, i + 1) = substr(b, i + 1)
      OR (substr(a, i, 1) = substr(b, i + 1, 1) AND substr(a, i + 1, 1) = substr(b, i, 1)
          AND substr(a, i + 2) = substr(b, i + 2));
  ELSIF la > lb THEN
    RETURN substr(a, i + 1) = substr(b, i);
  END IF;
  RETURN substr(a, i) = substr(b, i + 1);
END $$ LANGUAGE plpgsql IMMUTABLE
"""


def _phone_key(phone):
    """The last nine digits, as Person's validator keeps them (copied: a migration does not follow later code)."""
    digits = ''.join(ch for ch in phone or '' if ch.isascii() and ch.isdigit())
    return digits[-9:] if len(digits) >= 7 else None


def _fill_keys():
    """Derive the new keys of the records already stored, as the models' validators do for new ones."""
    bind = op.get_bind()
    person = sa.table('person', sa.column('id'), sa.column('first_name'), sa.column('last_name'),
                      sa.column('phone'), sa.column('first_key'), sa.column('last_key'), sa.column('phone_key'))
    rows = bind.execute(sa.select(person.c.id, person.c.first_name, person.c.last_name, person.c.phone)).all()
    for id_, first_name, last_name, phone in rows:
        bind.execute(person.update().where(person.c.id == id_).values(
            first_key=fold(first_name), last_key=fold(last_name), phone_key=_phone_key(phone)))
    organisation = sa.table('organisation', sa.column('id'), sa.column('short_name'), sa.column('short_key'))
    rows = bind.execute(sa.select(organisation.c.id, organisation.c.short_name)
                        .where(organisation.c.short_name.is_not(None))).all()
    for id_, short_name in rows:
        bind.execute(organisation.update().where(organisation.c.id == id_).values(short_key=fold(short_name) or None))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS one_edit_apart(text, text)')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_phone_key'))
        batch_op.drop_index('ix_person_last_key_first_key')
        batch_op.drop_index('ix_person_first_key_last_key')
        batch_op.drop_column('phone_key')
        batch_op.drop_column('last_key')
        batch_op.drop_column('first_key')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_short_key'))
        batch_op.drop_column('short_key')

    with op.batch_alter_table('person_merge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merge_merged_at'))
        batch_op.drop_index(batch_op.f('ix_person_merge_kept_id'))
        batch_op.drop_index(batch_op.f('ix_person_merge_change_log_id'))

    op.drop_table('person_merge')
    with op.batch_alter_table('dismissed_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dismissed_pair_user_id'))

    op.drop_table('dismissed_pair')
