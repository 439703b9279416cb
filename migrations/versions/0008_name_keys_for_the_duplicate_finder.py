"""The duplicate finder's name keys: every distinct folded person name under each of its keys (one part whole, the
other with at most one character left out), and the stored pairs of names one typo apart or swapped, so the finder
joins people on indexed keys instead of comparing every name with every other; the SQL function one_edit_apart goes.
Two indexes grow so the finder's groupings read only them: people's names (with town, anonymised, spelling) and
affiliations (person, organisation)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 13:45:00

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from forum_crm.text import name_keys, names_one_typo_apart

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.create_table('name_key',
    sa.Column('key', sa.String(length=210), nullable=False),
    sa.Column('first_key', sa.String(length=100), nullable=False),
    sa.Column('last_key', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('key', 'first_key', 'last_key', name=op.f('pk_name_key'))
    )
    with op.batch_alter_table('name_key', schema=None) as batch_op:
        batch_op.create_index('ix_name_key_first_key_last_key', ['first_key', 'last_key'], unique=False)

    op.create_table('name_pair',
    sa.Column('kind', sa.Enum('typo', 'swapped', name='name_pair_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('first_key', sa.String(length=100), nullable=False),
    sa.Column('last_key', sa.String(length=100), nullable=False),
    sa.Column('other_first_key', sa.String(length=100), nullable=False),
    sa.Column('other_last_key', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'first_key', 'last_key', 'other_first_key', 'other_last_key', name=op.f('pk_name_pair'))
    )
    with op.batch_alter_table('name_pair', schema=None) as batch_op:
        batch_op.create_index('ix_name_pair_other_first_key_other_last_key', ['other_first_key', 'other_last_key'],
                              unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_first_key_last_key')
        batch_op.create_index('ix_person_first_key_last_key',
                              ['first_key', 'last_key', 'locality_id', 'anonymised_at', 'first_name', 'last_name'],
                              unique=False)
    with op.batch_alter_table('affiliation', schema=None) as batch_op:
        batch_op.drop_index('ix_affiliation_person_id')
        batch_op.create_index('ix_affiliation_person_id_organisation_id', ['person_id', 'organisation_id'],
                              unique=False)

    _fill_keys()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS one_edit_apart(text, text)')


def _fill_keys():
    """The keys and pairs of every name people have now, as forum_crm.models.duplicates.store_names keeps them."""
    bind = op.get_bind()
    person = sa.table('person', sa.column('first_key'), sa.column('last_key'))
    name_key = sa.table('name_key', sa.column('key'), sa.column('first_key'), sa.column('last_key'))
    name_pair = sa.table('name_pair', sa.column('kind'), sa.column('first_key'), sa.column('last_key'),
                         sa.column('other_first_key'), sa.column('other_last_key'))
    names = set(bind.execute(sa.select(person.c.first_key, person.c.last_key).distinct()).tuples())
    names_by_key = defaultdict(list)
    for name in names:
        for key in name_keys(*name):
            names_by_key[key].append(name)
    rows = [{'key': key, 'first_key': name[0], 'last_key': name[1]}
            for key, named in names_by_key.items() for name in named]
    pairs = {('typo', name, other) for named in names_by_key.values() for name in named for other in named
             if name != other and names_one_typo_apart(name, other)}
    pairs |= {('swapped', (first, last), (last, first)) for first, last in names
              if first != last and (last, first) in names}
    pair_rows = [{'kind': kind, 'first_key': name[0], 'last_key': name[1], 'other_first_key': other[0],
                  'other_last_key': other[1]} for kind, name, other in pairs]
    for table, values in ((name_key, rows), (name_pair, pair_rows)):
        for start in range(0, len(values), BATCH):
            bind.execute(table.insert(), values[start:start + BATCH])


# The function as migration 0006 created it (the finder no longer calls it: typo pairs are stored).
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


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(ONE_EDIT_APART)
    with op.batch_alter_table('affiliation', schema=None) as batch_op:
        batch_op.drop_index('ix_affiliation_person_id_organisation_id')
        batch_op.create_index('ix_affiliation_person_id', ['person_id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_first_key_last_key')
        batch_op.create_index('ix_person_first_key_last_key', ['first_key', 'last_key', 'locality_id'], unique=False)
    with op.batch_alter_table('name_pair', schema=None) as batch_op:
        batch_op.drop_index('ix_name_pair_other_first_key_other_last_key')

    op.drop_table('name_pair')
    with op.batch_alter_table('name_key', schema=None) as batch_op:
        batch_op.drop_index('ix_name_key_first_key_last_key')

    op.drop_table('name_key')
