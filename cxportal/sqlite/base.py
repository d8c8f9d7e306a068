"""Django's SQLite backend for the embedded default: the database file's folder (var/ unless
CXPORTAL_VAR_DIR says otherwise) is created when the first connection opens, not when settings are
imported, so a process configured for PostgreSQL never creates it. Queries are counted for /metrics
(django-prometheus)."""

from pathlib import Path

from django.db.backends.sqlite3 import base
from django_prometheus.db.common import DatabaseWrapperMixin


class DatabaseWrapper(DatabaseWrapperMixin, base.DatabaseWrapper):
    CURSOR_CLASS = base.SQLiteCursorWrapper  # counted by django-prometheus's cursor wrapper

    def get_new_connection(self, conn_params):
        name = str(conn_params["database"])
        if name != ":memory:" and not name.startswith("file:"):  # in-memory databases have no folder
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
