"""The radar's statements run with two PostgreSQL settings of their own, in their transaction only.

- `jit = off`: PostgreSQL compiles a statement whose estimated cost is high to machine code first;
  on the 1M benchmark set that took 2-6 s for statements that run in well under a second.
- `work_mem = 32MB`: the radar sorts a period's rows per customer (about 100,000 rows per team on
  that set); with the default 4 MB those sorts spill to disk and take several times longer.

`radar_statements()` opens the transaction and sets both once; nested uses (a figure computed inside
the whole radar) add nothing, so the radar's query count stays flat.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

WORK_MEM = "32MB"
_inside: ContextVar[bool] = ContextVar("radar_statements", default=False)


@contextmanager
def radar_statements():
    if _inside.get():
        yield
        return
    token = _inside.set(True)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{WORK_MEM}'")
            yield
    finally:
        _inside.reset(token)
