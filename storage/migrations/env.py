"""Alembic environment: runs on the connection the app hands over (storage.db.upgrade_schema, `oppbot db`); run by
the `alembic` command (alembic.ini at the repo root), on its own engine to OPPBOT_DATABASE_URL, as the app would."""
from logging.config import fileConfig

from alembic import context

from storage import db
from storage.models import Base


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line
    if context.config.config_file_name:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():  # `alembic upgrade head --sql`: the SQL, printed
        context.configure(url=db.database_url(), target_metadata=Base.metadata, render_as_batch=True,
                          literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        engine = db.make_engine(db.database_url())
        try:
            with engine.begin() as connection:
                _run(connection)
        finally:
            engine.dispose()
