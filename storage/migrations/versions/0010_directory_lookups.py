"""directory_lookups: platform ids found by e-mail (Slack) or mobile (WeCom) for `[[users]]` entries that give one
instead of a member id, remembered across restarts (issue 16)

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'directory_lookups',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('lookup', sa.String(length=200), nullable=False),
        sa.Column('external_id', sa.String(length=100), nullable=True),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('platform', 'lookup'),
    )


def downgrade() -> None:
    op.drop_table('directory_lookups')
