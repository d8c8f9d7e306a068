"""Database plumbing the apps share: rows inserted in one lean statement, built by the model layer.

`Model.objects.create()` walks `save()`'s machinery (signals, parents, the related objects' checks,
the insert compiler) for every row; on the log path that was a fifth of a request's time. These
helpers build the same row the same way (`pre_save` for `auto_now_add` and friends, each field's
`get_db_prep_save`, the defaults the instance got in `__init__`) and send one plain statement.
They send no `pre_save`/`post_save` signals: use them for models nobody listens to that way.
"""

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField
from django.db.models.expressions import DatabaseDefault

AUTO_FIELDS = (AutoField, BigAutoField, SmallAutoField)


_INSERTED_FIELDS: dict[type, list] = {}  # model -> its fields an INSERT writes (all but an auto pk)


def _prepared(obj: Model):
    """(connection alias, connection, table, [(column, value)]) for an INSERT of `obj`."""
    model = type(obj)
    fields = _INSERTED_FIELDS.get(model)
    if fields is None:
        concrete = model._meta.concrete_fields
        fields = _INSERTED_FIELDS[model] = [f for f in concrete if not (f.primary_key and isinstance(f, AUTO_FIELDS))]
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    columns = []
    for f in fields:
        value = f.pre_save(obj, add=True)
        if isinstance(value, DatabaseDefault):
            continue  # the column's db_default fills it
        columns.append((f.column, f.get_db_prep_save(value, connection=connection)))
    return using, connection, model._meta.db_table, columns


def _insert_values(connection, table: str, columns, values=None) -> str:
    """`INSERT INTO table (columns) VALUES (…)`: one parameter a column unless `values` are given.
    Table and column names come from the models; every value is a parameter."""
    quote = connection.ops.quote_name
    values = values or ["%s"] * len(columns)
    return f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c, _ in columns)}) VALUES ({', '.join(values)})"  # nosec B608


def _saved(obj: Model, pk, using: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def insert_row(obj: Model) -> Model:
    """Insert `obj` as `save()` would (one `INSERT … RETURNING id`) and set its pk; returns it."""
    using, connection, table, columns = _prepared(obj)
    statement = f"{_insert_values(connection, table, columns)} RETURNING {connection.ops.quote_name(type(obj)._meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, [v for _, v in columns])
        _saved(obj, cursor.fetchone()[0], using)
    return obj


def insert_row_with_child(parent: Model, child: Model, *, link: str) -> None:
    """Insert `parent` and `child`, whose foreign key `link` points at the new parent, and set both
    pks. One statement on PostgreSQL (a data-modifying CTE); two on other databases."""
    using, connection, table, columns = _prepared(parent)
    if connection.vendor != "postgresql":
        insert_row(parent)
        setattr(child, link, parent)
        insert_row(child)
        return
    link_column = type(child)._meta.get_field(link).column
    setattr(child, link, None)  # its value comes from the parent's row
    _, _, child_table, child_columns = _prepared(child)
    quote = connection.ops.quote_name
    parent_pk, child_pk = quote(type(parent)._meta.pk.column), quote(type(child)._meta.pk.column)
    child_values = [f"(SELECT {parent_pk} FROM p)" if c == link_column else "%s" for c, _ in child_columns]  # nosec B608
    statement = (
        # table and column names come from the models; every value is a parameter
        f"WITH p AS ({_insert_values(connection, table, columns)} RETURNING {parent_pk}), "  # nosec B608
        f"c AS ({_insert_values(connection, child_table, child_columns, child_values)} RETURNING {child_pk}) "
        f"SELECT p.{parent_pk}, c.{child_pk} FROM p, c"
    )
    params = [v for _, v in columns] + [v for c, v in child_columns if c != link_column]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        parent_id, child_id = cursor.fetchone()
    _saved(parent, parent_id, using)
    setattr(child, link, parent)
    _saved(child, child_id, using)


def insert_unless_present(obj: Model) -> bool:
    """Insert `obj` unless a row with one of its unique values (a dedupe key) is already there.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite from
    3.35), where `objects.create()` in `transaction.atomic()` with `except IntegrityError` costs
    three (a savepoint, the insert, its release). The row is built by the model layer as `save()`
    builds it (defaults, `auto_now_add`, each field's preparation for the database). Returns True and
    sets `obj.pk` when the row was inserted, False when it was there already (`obj` stays unsaved).
    """
    using, connection, table, columns = _prepared(obj)
    pk = connection.ops.quote_name(type(obj)._meta.pk.column)
    statement = f"{_insert_values(connection, table, columns)} ON CONFLICT DO NOTHING RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(statement, [v for _, v in columns])
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(obj, row[0], using)
    return True


class RowReader:
    """Model instances from one row of a hand-written SELECT: the columns of `models` in order
    (`columns(alias)` for each), each value converted as the ORM converts it (JSON, booleans and
    datetimes on SQLite, ...). For a hot look-up where compiling a queryset costs more than running
    it (the customer locked by every log: 1.1 ms of CPU compiled, against the statement's 0.3 ms)."""

    def __init__(self, *models):
        self.models = models
        self._by_alias = {}

    def columns(self, model, alias: str) -> str:
        return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)

    def _plan(self, connection):
        plan = self._by_alias.get(connection.alias)
        if plan is None:
            plan = []
            for model in self.models:
                fields = model._meta.concrete_fields
                converters = []
                for i, f in enumerate(fields):
                    col = f.get_col(model._meta.db_table)
                    found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                    if found:
                        converters.append((i, found, col))
                plan.append((model, [f.attname for f in fields], converters))
            self._by_alias[connection.alias] = plan
        return plan

    def instances(self, row, connection) -> list[Model]:
        out, start = [], 0
        for model, names, converters in self._plan(connection):
            values = list(row[start:start + len(names)])
            for i, found, col in converters:
                for convert in found:
                    values[i] = convert(values[i], col, connection)
            out.append(model.from_db(connection.alias, names, values))
            start += len(names)
        return out
