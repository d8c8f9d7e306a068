"""How the settings behave before the app runs: production refuses to start without a real database
and broker, importing settings creates no folders, and the tests never empty a Redis database."""

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that choose a database, a broker or a folder: each test sets the ones it means.
CHOOSERS = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
            "SECRET_KEY", "DEBUG", "CXPORTAL_VAR_DIR")


def _env(**env):
    if (ROOT / ".env").exists() and any(line.split("=")[0].strip() in CHOOSERS for line in (ROOT / ".env").read_text().splitlines()):
        pytest.skip(".env beside manage.py sets the variables these tests leave out")
    return {**{k: v for k, v in os.environ.items() if k not in CHOOSERS}, **env}


def _python(*args, **env):
    return subprocess.run([sys.executable, *args], check=False, cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=120)


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "cxportal.settings.production", "ALLOWED_HOSTS": "cx.example.com"}


def test_production_without_database_url_refuses_to_start_and_names_it(tmp_path):
    result = _python("manage.py", "check", **PRODUCTION, SECRET_KEY=secrets.token_urlsafe(60),
                     REDIS_URL="redis://127.0.0.1:6379/0", CXPORTAL_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr
    assert "SECRET_KEY" not in result.stderr and "CELERY_BROKER_URL" not in result.stderr, "only what is missing"


def test_production_with_nothing_set_names_every_missing_variable_at_once(tmp_path):
    result = _python("manage.py", "check", DJANGO_SETTINGS_MODULE="cxportal.settings.production",
                     CXPORTAL_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode != 0
    for variable in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL or REDIS_URL", "ALLOWED_HOSTS"):
        assert f"{variable} must" in result.stderr


@pytest.mark.parametrize("broker", [{}, {"CELERY_BROKER_URL": ""}])
def test_production_without_a_broker_url_refuses_to_start_and_names_both_variables(broker, tmp_path):
    result = _python("manage.py", "check", **PRODUCTION, SECRET_KEY=secrets.token_urlsafe(60),
                     DATABASE_URL="postgres://cx:cx@127.0.0.1:5432/cx", CXPORTAL_VAR_DIR=str(tmp_path / "var"), **broker)
    assert result.returncode != 0
    assert "CELERY_BROKER_URL or REDIS_URL must be set" in result.stderr


@pytest.mark.parametrize(
    "module,env",
    [
        ("cxportal.settings.local", {}),
        ("cxportal.settings.test", {}),
        ("cxportal.settings.production", {"ALLOWED_HOSTS": "cx.example.com", "SECRET_KEY": secrets.token_urlsafe(60),
                                          "DATABASE_URL": "postgres://cx:cx@127.0.0.1:5432/cx",
                                          "REDIS_URL": "redis://127.0.0.1:6379/0"}),
    ],
)
def test_importing_a_settings_module_creates_no_folder(module, env, tmp_path):
    var = tmp_path / "var"
    result = _python("-c", f"import {module}", CXPORTAL_VAR_DIR=str(var), **env)
    assert result.returncode == 0, result.stderr
    assert not var.exists()


def test_an_empty_database_url_means_the_embedded_default(tmp_path):
    code = "import django; django.setup()\nfrom django.db import connection; print(connection.vendor)\n"
    result = _python("-c", code, DJANGO_SETTINGS_MODULE="cxportal.settings.local", DATABASE_URL="",
                     CXPORTAL_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sqlite"


def test_the_embedded_defaults_make_their_folders_on_first_use(tmp_path):
    """A fresh clone: the SQLite file's folder on the first connection, the broker's (its exchange tables
    included, not ./control/) when Celery is configured."""
    var = tmp_path / "var"
    code = (
        "import django; django.setup()\n"
        "from django.db import connection; connection.ensure_connection()\n"
        "from cxportal.celery import app\n"
        "with app.connection_for_write() as broker: broker.ensure_connection(max_retries=1); broker.info()\n"
    )
    result = _python("-c", code, DJANGO_SETTINGS_MODULE="cxportal.settings.local", CXPORTAL_VAR_DIR=str(var))
    assert result.returncode == 0, result.stderr
    assert (var / "cxportal.sqlite3").exists()
    assert {p.name for p in (var / "broker").iterdir()} == {"queue", "processed", "control"}
    assert "No hostname was supplied" not in result.stderr
    assert "AXES: BEGIN" not in result.stderr


def test_clearing_the_test_cache_leaves_keys_it_did_not_write(db):
    """conftest clears the cache before every test; whatever else is in REDIS_URL's database stays."""
    import redis
    from django.core.cache import cache

    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    theirs = redis.Redis.from_url(os.environ["REDIS_URL"])
    key = f"someone-else:{uuid.uuid4().hex}"
    theirs.set(key, "their data", ex=300)
    try:
        cache.set("throttle-count", 3)
        cache.clear()
        assert cache.get("throttle-count") is None
        assert theirs.get(key) == b"their data"
    finally:
        theirs.delete(key)
