"""match_keys (key, customer_id): 查重's n-gram count reads the index alone, never the table (issue 17: 10,000
imported rows at 100,000 customers; the key-only index it replaces was its prefix)

Revision ID: 0014
Revises: 0013
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('match_keys') as batch:
        batch.create_index('ix_match_keys_key_customer', ['key', 'customer_id'], unique=False)
        batch.drop_index('ix_match_keys_key')


def downgrade() -> None:
    with op.batch_alter_table('match_keys') as batch:
        batch.create_index('ix_match_keys_key', ['key'], unique=False)
        batch.drop_index('ix_match_keys_key_customer')
