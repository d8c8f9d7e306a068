"""What scripts/run tells a newcomer stays true to the demo data it seeds."""

import re
from pathlib import Path

from accounts.demo import USERS

ROOT = Path(__file__).resolve().parents[2]


def test_the_run_banner_lists_every_demo_login_and_who_reads_dutch():
    script = (ROOT / "scripts" / "run").read_text()
    banner = script[script.index("Demo logins"):script.index("Worker and scheduler logs")]
    listed = dict(re.findall(r"^ {4}(\w+) +(.+)$", banner, flags=re.MULTILINE))
    assert list(listed) == [username for username, *_ in USERS]
    dutch = {username for username, *_, language in USERS if language == "nl"}
    assert {username for username, line in listed.items() if "Dutch" in line} == dutch
