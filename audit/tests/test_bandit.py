"""bandit finds no issue of medium or high severity in the app code (tests and migrations excluded)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _app_dirs():
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py")) + ["cxportal"]


def test_bandit_reports_nothing_of_medium_or_high_severity():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", *_app_dirs(), "-x", "*/tests/*,*/migrations/*", "-ll", "-q", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
