"""The weekly report under worker faults, with real processes: a Celery worker killed with SIGKILL in
the middle of a report send, and the due-reports task fired twice at once (two beats).

After the kill and a restart, every manager has the report exactly once and the ledger has one row
per team and week. The SMTP server (aiosmtpd) holds the second mail of the send until the worker is
dead, so the kill lands between two mails, every run the same way.
"""

import asyncio
import email
import threading
import time

import psycopg
import pytest

from conftest import _Inbox
from tests.harness import Worker, free_port, manage

pytestmark = pytest.mark.faults

SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import Team, User
for name, managers in (("Kill team", 3), ("Double team", 1)):
    team = Team.objects.create(name=name, timezone="UTC")
    Team.objects.filter(pk=team.pk).update(created_at=timezone.now() - timedelta(days=30))
    for i in range(managers):
        user = User.objects.create_user(username=f"{name.split()[0].lower()}{i}", email=f"{name.split()[0].lower()}{i}@example.com",
                                        password="x-long-password-1", role="manager")
        user.teams.set([team])
"""


class HoldingInbox(_Inbox):
    """Accepts the first mail of the run, then holds the next one open until released, and drops it
    (the client never saw it accepted: a worker killed mid-DATA has not sent that mail)."""

    def __init__(self, port):
        super().__init__(port)
        self.holding = threading.Event()
        self.release = threading.Event()
        self.hold_next = True
        self.accepted_before_hold = 1

    async def handle_DATA(self, server, session, envelope):
        if self.hold_next and len(self.messages) >= self.accepted_before_hold:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted"
        return await super().handle_DATA(server, session, envelope)


def _recipients(inbox) -> list[str]:
    return sorted(m["X-Envelope-To"] for m in inbox.messages)


def _ledger(url):
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(
            "SELECT t.name, s.iso_week, s.status, s.recipients, s.attempts FROM reports_weeklyreportsend s "
            "JOIN accounts_team t ON t.id = s.team_id ORDER BY t.name"
        ).fetchall()


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_killed_mid_report_send_then_restarted_mails_every_manager_once(own_postgres, own_redis):
    inbox = HoldingInbox(free_port())
    inbox.start()
    env = {"DATABASE_URL": own_postgres.url, "REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url,
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(inbox.port), "DEBUG": "false",
           # Short, so the test need not wait: unacked tasks come back after 3 s, a silent sender is dead after 3 s.
           "CELERY_VISIBILITY_TIMEOUT": "3", "WEEKLY_REPORT_STALE_SECONDS": "3"}
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", SETUP, env=env)
    fire = "from reports.tasks import send_due_weekly_reports; send_due_weekly_reports.delay()"
    first = Worker(env, settings_module="cxportal.settings.local", name="first").start()
    workers = [first]
    try:
        manage("shell", "-c", fire, env=env)
        # The first mail of a team went out; the next is on the wire when the worker dies.
        _wait(inbox.holding.is_set, 60, "the send to reach its second mail")
        first.kill9()
        inbox.release.set()
        killed_at = {row[0]: row for row in _ledger(own_postgres.url)}
        print(f"\nledger at the kill: {killed_at}")
        held_team = next(name for name, row in killed_at.items() if row[2] == "sending")
        assert len(killed_at[held_team][3]) == inbox.accepted_before_hold, "the mail that went out is on the ledger"

        # Restart: the redelivered task and the hourly check (fired twice, as two beats would) finish the job.
        workers += [Worker(env, settings_module="cxportal.settings.local", name=n).start() for n in ("second", "third")]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not all(row[2] == "sent" for row in _ledger(own_postgres.url)):
            manage("shell", "-c", f"{fire}; send_due_weekly_reports.delay()", env=env)
            time.sleep(2)
        ledger = _ledger(own_postgres.url)
        assert [row[2] for row in ledger] == ["sent", "sent"], ledger
        _wait(lambda: len(inbox.messages) >= 4, 30, "every manager's mail")
        # Fire once more with everything sent, and run the command too: nothing new goes out.
        manage("shell", "-c", f"{fire}; send_due_weekly_reports.delay()", env=env)
        manage("send_weekly_reports", env=env)
        time.sleep(3)
    finally:
        for worker in workers:
            worker.close()
            worker.remove_log()
        inbox.stop()
    expected = ["double0@example.com", "kill0@example.com", "kill1@example.com", "kill2@example.com"]
    print(f"mails: {_recipients(inbox)}; ledger: {_ledger(own_postgres.url)}")
    assert _recipients(inbox) == expected, "every manager gets the report exactly once"
    ledger = _ledger(own_postgres.url)
    assert len(ledger) == 2 and len({(name, week) for name, week, *_ in ledger}) == 2, "one ledger row per team and week"
    kill_row = next(row for row in ledger if row[0] == "Kill team")
    assert sorted(kill_row[3]) == ["kill0@example.com", "kill1@example.com", "kill2@example.com"]
    for message in inbox.messages:
        assert email.message_from_string(message.as_string())["Subject"].startswith("Weekly level report")
