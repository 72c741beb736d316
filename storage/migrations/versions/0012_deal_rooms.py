"""deal_rooms: the private room (Slack channel, WeCom app group chat) of a big opportunity (issue 16)

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'deal_rooms',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('opportunity_id', sa.String(length=32), sa.ForeignKey('opportunities.id'), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('room_id', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('opportunity_id', 'platform'),
    )


def downgrade() -> None:
    op.drop_table('deal_rooms')
