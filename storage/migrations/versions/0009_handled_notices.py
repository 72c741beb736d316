"""outbox.handled_by / handled_at / handled_note: a reminder or request acted on from its buttons remembers who did
what, so a second click (another device, a stale view) is told instead of doing it again (issue 16)

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('handled_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('handled_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('handled_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('handled_note')
        batch.drop_column('handled_at')
        batch.drop_column('handled_by')
