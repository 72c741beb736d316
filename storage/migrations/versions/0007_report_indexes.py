"""reports: a stage stay knows when it ended and where to (stage_history.left_at / left_to, filled in for the
past), and the report
queries' range columns are indexed (registered, closed, expected to close, stage entered and left, marked high risk)

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('stage_history') as batch:
        batch.add_column(sa.Column('left_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('left_to', sa.String(length=16), nullable=True))
    for column, value in (("left_at", "at"), ("left_to", "to_stage")):
        op.execute(f"""
            UPDATE stage_history SET {column} = (
                SELECT n.{value} FROM stage_history n
                WHERE n.opportunity_id = stage_history.opportunity_id
                  AND (n.at > stage_history.at OR (n.at = stage_history.at AND n.id > stage_history.id))
                ORDER BY n.at, n.id LIMIT 1)""")
    with op.batch_alter_table('stage_history') as batch:
        batch.create_index('ix_stage_history_at', ['at'], unique=False)
        batch.create_index('ix_stage_history_left_at', ['left_at'], unique=False)
    with op.batch_alter_table('opportunities') as batch:
        batch.create_index('ix_opportunities_created_at', ['created_at'], unique=False)
        batch.create_index('ix_opportunities_closed_at', ['closed_at'], unique=False)
        batch.create_index('ix_opportunities_expected_close', ['expected_close'], unique=False)
        batch.create_index('ix_opportunities_risk_stage', ['risk_stage'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('opportunities') as batch:
        batch.drop_index('ix_opportunities_risk_stage')
        batch.drop_index('ix_opportunities_expected_close')
        batch.drop_index('ix_opportunities_closed_at')
        batch.drop_index('ix_opportunities_created_at')
    with op.batch_alter_table('stage_history') as batch:
        batch.drop_index('ix_stage_history_left_at')
        batch.drop_index('ix_stage_history_at')
        batch.drop_column('left_to')
        batch.drop_column('left_at')
