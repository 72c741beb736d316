"""INSERT … ON CONFLICT for the two backends we run on: the database decides races, not our code."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def insert_ignoring_duplicates(session: Session, model, values: dict[str, Any], *, conflict_on: list[str]) -> bool:
    """True when the row was inserted, False when a row with the same unique key already existed."""
    stmt = (_insert(session, model).values(**values).on_conflict_do_nothing(index_elements=conflict_on)
            .returning(getattr(model, conflict_on[0])))  # a row back only when one went in (rowcount lies here)
    return session.execute(stmt).first() is not None


def insert_tuples(session: Session, table, columns: tuple[str, ...], rows: list[tuple], *,
                  ignoring_duplicates: bool = False) -> None:
    """Rows as tuples straight to the driver's executemany: for a refile of every customer, where SQLAlchemy's
    per-row parameter handling costs more than the database's own insert. `ignoring_duplicates`: ON CONFLICT DO
    NOTHING (the first row of a key wins, later ones in the same batch too are skipped)."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
                 + (" ON CONFLICT DO NOTHING" if ignoring_duplicates else ""))
    if rows:
        connection.exec_driver_sql(statement, rows)


def insert_many_ignoring_duplicates(session: Session, model, rows: list[dict[str, Any]], *,
                                    conflict_on: list[str], batch: int = 5000) -> int:
    """Rows in batches of one multi-row INSERT each; returns how many were new (the others existed)."""
    table = model.__table__
    dialect = session.get_bind().dialect.name
    stmt = ((postgresql if dialect == "postgresql" else sqlite).insert(table)
            .on_conflict_do_nothing(index_elements=conflict_on).returning(table.c[conflict_on[0]]))
    connection = session.connection()  # Core executemany: compiled once, sent as batched multi-row INSERTs
    added = 0
    for lo in range(0, len(rows), batch):
        added += len(connection.execute(stmt, rows[lo: lo + batch]).all())
    return added


def increment_counter(session: Session, model, key: dict[str, Any], *, column: str = "last") -> int:
    """Atomically add one to a counter row (creating it at 1) and return the new value."""
    stmt = _counter_statement(session.get_bind().dialect.name, model, tuple(key), column)
    # on the session's connection, not through the ORM: the counter needs nothing of the session flushed first
    return session.connection().execute(stmt, {**key, column: 1}).scalar_one()


@lru_cache(maxsize=16)
def _counter_statement(dialect: str, model, key: tuple[str, ...], column: str):
    """Built once per counter: every registration bumps one, and a statement rebuilt per call costs more than
    running it."""
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(model)
    return ins.on_conflict_do_update(index_elements=list(key), set_={column: getattr(model, column) + 1}
                                     ).returning(getattr(model, column))
