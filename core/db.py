"""Database plumbing the apps share."""

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


def insert_unless_present(obj: Model) -> bool:
    """Insert `obj` unless a row with one of its unique values (a dedupe key) is already there.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite from
    3.35), where `objects.create()` in `transaction.atomic()` with `except IntegrityError` costs
    three (a savepoint, the insert, its release). The row is built by the model layer as `save()`
    builds it (defaults, `auto_now_add`, each field's preparation for the database). Returns True and
    sets `obj.pk` when the row was inserted, False when it was there already (`obj` stays unsaved).
    """
    model = type(obj)
    meta = model._meta
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AUTO_FIELDS))]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in fields]
    quote = connection.ops.quote_name
    statement = (
        # table and column names come from the model; every value is a parameter
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True
