"""outbox.file_name / file_data: a spreadsheet attached to an answer (导出 我的商机), as a data URI (issue 17)

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('file_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('file_data', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('file_data')
        batch.drop_column('file_name')
