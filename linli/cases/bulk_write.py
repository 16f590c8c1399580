"""Writing the bulk generator's rows (linli.cases.bulk): COPY through psycopg 3 on PostgreSQL, executemany on
SQLite, in the caller's transaction.

Each column gets the value the ORM would write (`get_db_prep_save` after `pre_save`: defaults, auto_now,
field encryption, JSON); only the plain columns skip the ORM's per-value calls, which were most of the time
for tens of millions of values. Cases, returns, approvals and whistle calls carry the ids the simulation gave
them (the database's counters are moved past them afterwards); events and assignments take theirs from the
database.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

from linli.core.crypto import EncryptedTextField

from .models import Case, CaseApproval, CaseAssignment, CaseEvent, CaseReturn, WhistleCall

# The order of writing: cases first, so that every other row finds its case.
MODELS: dict[str, type[models.Model]] = {
    "case": Case,
    "assignment": CaseAssignment,
    "return": CaseReturn,
    "approval": CaseApproval,
    "call": WhistleCall,
    "event": CaseEvent,
}
WITH_IDS = ("case", "return", "approval", "call")
CHUNK = 2000  # rows per executemany on SQLite
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
    models.DateTimeField,
)


def _text(value: Any) -> Any:
    # A choices member is a str subclass: written as its value, as the ORM's to_python would.
    return value if value is None or type(value) is str else str(value)


def _getter(field: Any, postgres: bool) -> Callable[[Any], Any]:
    special = (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or isinstance(field, EncryptedTextField | models.JSONField)
        or not isinstance(field, PLAIN)
    )
    if special:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    get = operator.attrgetter(field.attname)
    if (
        isinstance(field, models.DateTimeField) and not postgres
    ):  # SQLite: what adapt_datetimefield_value makes of an aware time
        zone = connection.timezone
        return lambda obj: None if (value := get(obj)) is None else str(value.astimezone(zone).replace(tzinfo=None))
    if isinstance(field, models.CharField | models.TextField):
        return lambda obj: _text(get(obj))
    return get


class _Table:
    def __init__(self, model: Any, with_ids: bool, postgres: bool) -> None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if with_ids or not f.primary_key]
        self.getters = [_getter(f, postgres) for f in fields]
        quote = connection.ops.quote_name
        self.name = quote(meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.marks = ", ".join(["%s"] * len(fields))

    def rows(self, objs: Iterable[Any]) -> Iterable[list[Any]]:
        getters = self.getters
        return ([get(obj) for get in getters] for obj in objs)


class Writer:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.tables = {name: _Table(model, name in WITH_IDS, self.postgres) for name, model in MODELS.items()}

    def write(self, rows: dict[str, list[Any]]) -> None:
        """Write every model's rows (in MODELS order) and move the id counters past the ids given here."""
        for name in MODELS:
            objs = rows.get(name) or []
            if objs:
                (self._copy if self.postgres else self._insert)(self.tables[name], objs)
        statements = connection.ops.sequence_reset_sql(no_style(), [MODELS[n] for n in WITH_IDS])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def _copy(self, table: _Table, objs: list[Any]) -> None:
        with connection.cursor() as cursor:
            # The names are the models' own, quoted by the backend; every value goes through COPY's own format.
            with cursor.cursor.copy(f"COPY {table.name} ({table.columns}) FROM STDIN") as copy:
                for row in table.rows(objs):
                    copy.write_row(row)

    def _insert(self, table: _Table, objs: list[Any]) -> None:
        sql = f"INSERT INTO {table.name} ({table.columns}) VALUES ({table.marks})"  # noqa: S608 - names quoted
        with connection.cursor() as cursor:
            for at in range(0, len(objs), CHUNK):
                cursor.executemany(sql, list(table.rows(objs[at : at + CHUNK])))


def analyze() -> None:
    """Fresh statistics for the planner after a large load (PostgreSQL; SQLite plans without them)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in MODELS.values():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
