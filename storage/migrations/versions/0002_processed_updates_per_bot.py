"""processed updates are keyed by the bot as well, and indexed by time for pruning

Update ids are unique per bot only, and not for ever (a new token on the same database, or
Telegram after a week without updates, starts again), so the key becomes (bot_id, update_id).
Rows recorded before this revision do not say which bot they came from: they get bot id 0
and age out with the window.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-16 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import storage.models.base


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PRIMARY_KEY = 'processed_update_pkey'


def _table(*key: str) -> sa.Table:
    """The table as it stands, its key named as PostgreSQL names it, so that SQLite's batch
    (which rebuilds the table from this) can drop the key by that name too."""
    columns = [
        sa.Column('bot_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('processed_at', storage.models.base.UTCDateTime(timezone=True),
                  nullable=False),
    ]
    return sa.Table(
        'processed_update',
        sa.MetaData(),
        *(column for column in columns if column.name in key or column.name == 'processed_at'),
        sa.PrimaryKeyConstraint(*key, name=PRIMARY_KEY),
    )


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('processed_update', copy_from=_table('update_id')) as batch_op:
        batch_op.add_column(
            sa.Column('bot_id', sa.BigInteger(), autoincrement=False, nullable=False,
                      server_default='0')
        )
        batch_op.drop_constraint(PRIMARY_KEY, type_='primary')
        batch_op.create_primary_key(PRIMARY_KEY, ['bot_id', 'update_id'])
    with op.batch_alter_table('processed_update') as batch_op:
        batch_op.alter_column('bot_id', server_default=None)
        batch_op.create_index(
            batch_op.f('ix_processed_update_processed_at'), ['processed_at'], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    # The old key cannot hold one update id of two bots: keep the newest row of each id.
    op.execute(
        'DELETE FROM processed_update WHERE EXISTS (SELECT 1 FROM processed_update AS newer'
        ' WHERE newer.update_id = processed_update.update_id'
        ' AND (newer.processed_at > processed_update.processed_at'
        ' OR (newer.processed_at = processed_update.processed_at'
        ' AND newer.bot_id > processed_update.bot_id)))'
    )
    op.drop_index(op.f('ix_processed_update_processed_at'), table_name='processed_update')
    with op.batch_alter_table(
        'processed_update', copy_from=_table('bot_id', 'update_id')
    ) as batch_op:
        batch_op.drop_constraint(PRIMARY_KEY, type_='primary')
        batch_op.create_primary_key(PRIMARY_KEY, ['update_id'])
        batch_op.drop_column('bot_id')
