"""Alembic environment: runs on the connection the app hands over (storage.db.upgrade_schema)."""
from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through storage.db.upgrade_schema (oppbot upgrades at start)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
