"""forecast_snapshots: each team's forecast of this month and the next, kept daily, so a month's forecast made
30 days before its end can be set against what was won (issue 15: a forecast that checks itself)

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'forecast_snapshots',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('team_name', sa.String(length=100), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('won', sa.Numeric(18, 2), nullable=False),
        sa.Column('weighted', sa.Numeric(18, 2), nullable=False),
        sa.Column('learned', sa.Numeric(18, 2), nullable=False),
        sa.Column('open_deals', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('team_name', 'day', 'month'),
    )


def downgrade() -> None:
    op.drop_table('forecast_snapshots')
