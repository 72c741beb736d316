"""job_marks: a job that runs once a day and may send nothing (WeCom's external-contact scan) marks the day it ran,
so a minute's tick does not call the platform again (issue 16)

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'job_marks',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('job', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('job', 'day'),
    )


def downgrade() -> None:
    op.drop_table('job_marks')
