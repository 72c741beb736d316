"""outbox rows carry replies: where on the platform they go (route), the card, what was sent of them

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('route', sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column('card', sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('in_flight_since', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('in_flight_since')
        batch.drop_column('parts_sent')
        batch.drop_column('card')
        batch.drop_column('route')
