"""Production settings: refuse unsafe defaults, pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    full_env.update({"DJANGO_SETTINGS_MODULE": "cxportal.settings.production", "ALLOWED_HOSTS": "cx.example.com", **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "env,complaint",
    [({}, "SECRET_KEY"), ({"SECRET_KEY": "short"}, "SECRET_KEY"), ({"SECRET_KEY": secrets.token_urlsafe(60), "DEBUG": "true"}, "DEBUG")],
)
def test_production_refuses_to_start_with_unsafe_defaults(env, complaint):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_passes_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode == 0, result.stdout + result.stderr
