"""Rating requests by email, through a real SMTP server: once, in the customer's language, with the
one-click unsubscribe, never past the fatigue guard, never in quiet hours, once also under a race."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from interactions import services as interaction_services
from interactions.models import Customer, Interaction
from interactions.tests.factories import CustomerFactory
from notifications.models import OutboundEmail
from notifications.services import emails_send_pending
from voice.services import rating_requests_send

from .conftest import INTERNAL_LABELS, parts

pytestmark = pytest.mark.django_db


def test_a_request_reaches_the_customer_once_in_dutch_with_one_click_unsubscribe(smtp_server, dutch_customer, log):
    interaction = log(dutch_customer)
    call_command("send_rating_requests")
    emails_send_pending()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["X-Envelope-To"] == "anne@example.nl"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [part.strip() for part in message["List-Unsubscribe"].split(",")]
    assert https.startswith("<http://localhost:8000/unsubscribe/") and https.endswith("/>")
    assert mailto.startswith("<mailto:cxportal@localhost?subject=unsubscribe%20")
    text, html = parts(message)
    assert "Beste Anne de Vries" in text and "Hoe was het voor u?" in text
    link = interaction_services.feedback_url(interaction)
    for level, words in enumerate(["U hebt me teleurgesteld", "Niet best", "Zoals verwacht", "Precies zoals ik het graag heb",
                                   "Aangenaam verrast", "Helemaal onder de indruk"], start=1):
        assert f"{words}:\n{link}?level={level}\n" in text
        assert f'href="{link}?level={level}"' in html and words in html
    assert https[1:-1] in text and https[1:-1] in html
    for label in INTERNAL_LABELS:
        assert label not in text and label not in html, label
    interaction.refresh_from_db()
    assert interaction.rating_requested_at is not None
    assert Customer.objects.get(pk=dutch_customer.pk).rating_requested_at == interaction.rating_requested_at

    call_command("send_rating_requests")  # again: nothing new
    emails_send_pending()
    assert len(smtp_server.messages) == 1


def test_a_second_interaction_within_the_window_sends_nothing(smtp_server, dutch_customer, log, team):
    log(dutch_customer, hours_ago=30)
    assert rating_requests_send() == 1
    later = log(dutch_customer, hours_ago=2)
    assert rating_requests_send() == 0
    emails_send_pending()
    assert len(smtp_server.messages) == 1
    assert Interaction.objects.get(pk=later.pk).rating_requested_at is None
    # After the window the customer may be asked again.
    Customer.objects.filter(pk=dutch_customer.pk).update(
        rating_requested_at=timezone.now() - timedelta(days=team.rating_request_min_days, minutes=1)
    )
    assert rating_requests_send() == 1


def test_only_the_latest_of_several_waiting_interactions_is_asked_about(dutch_customer, log):
    log(dutch_customer, hours_ago=5)
    latest = log(dutch_customer, hours_ago=2)
    assert rating_requests_send() == 1
    assert list(Interaction.objects.filter(rating_requested_at__isnull=False).values_list("pk", flat=True)) == [latest.pk]


def _opted_out(customer, log, **_):
    Customer.objects.filter(pk=customer.pk).update(contact_opt_out=True)
    log(customer)


def _open_case(customer, log, **_):
    log(customer, hours_ago=3, promise_kept=False)  # Criminal: a case opens (and stays open)
    log(customer)


def _rated(customer, log, **_):
    interaction_services.interaction_rate(interaction=log(customer), level=4)


def _no_email(customer, log, **_):
    Customer.objects.filter(pk=customer.pk).update(email="")
    log(customer)


def _too_soon(customer, log, **_):
    log(customer, hours_ago=0.5)  # the team waits 60 minutes


def _channel_not_chosen(customer, log, team, **_):
    team.rating_request_channels = ["phone", "email"]
    team.save()
    log(customer, channel="in_person")


def _too_old(customer, log, **_):
    log(customer, hours_ago=60)  # the customer will not remember it


@pytest.mark.parametrize(
    "situation", [_opted_out, _open_case, _rated, _no_email, _too_soon, _channel_not_chosen, _too_old], ids=lambda f: f.__name__[1:]
)
def test_the_guard_sends_nothing(smtp_server, dutch_customer, log, team, situation):
    situation(dutch_customer, log, team=team)
    before = OutboundEmail.objects.count()
    assert rating_requests_send() == 0
    assert OutboundEmail.objects.count() == before
    assert not Interaction.objects.filter(rating_requested_at__isnull=False).exists()


def test_quiet_hours_hold_requests_until_the_morning(dutch_customer, log, team):
    team.quiet_hours_start, team.quiet_hours_end = time(21, 0), time(8, 0)
    team.save()
    amsterdam = ZoneInfo(team.timezone)
    local_now = timezone.now().astimezone(amsterdam)
    late_evening = datetime.combine(local_now.date(), time(23, 0), tzinfo=amsterdam)
    if late_evening > local_now:
        late_evening -= timedelta(days=1)  # the last 23:00 that has passed
    interaction = log(dutch_customer, hours_ago=(timezone.now() - late_evening).total_seconds() / 3600 + 2)  # at 21:00
    assert rating_requests_send(now=late_evening) == 0
    assert rating_requests_send(now=late_evening + timedelta(hours=8)) == 0, "07:00 is still quiet"
    assert rating_requests_send(now=late_evening + timedelta(hours=9, minutes=5)) == 1, "08:05: it goes"
    assert Interaction.objects.get(pk=interaction.pk).rating_requested_at == late_evening + timedelta(hours=9, minutes=5)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_one_mail(team, frontline):
    customers = [CustomerFactory(team=team) for _ in range(3)]
    at = timezone.now() - timedelta(hours=2)
    for customer in customers:
        interaction_services.interaction_log(actor=frontline, customer=customer, channel="chat", occurred_at=at)
    barrier = threading.Barrier(2)
    counts = []

    def run():
        try:
            barrier.wait(timeout=10)
            counts.append(rating_requests_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 3, counts
    assert sorted(to for email in OutboundEmail.objects.all() for to in email.to) == sorted(c.email for c in customers)
    assert Interaction.objects.filter(rating_requested_at__isnull=False).count() == 3


def test_the_scheduled_job_is_declared():
    from core.schedules import SCHEDULES

    assert any(s.task == "voice.send_rating_requests" and s.every_minutes == 5 for s in SCHEDULES)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_requests_by_the_scheduled_name(team, frontline, smtp_server):
    import os
    import time as clock

    from celery.contrib.testing.worker import start_worker

    from cxportal.celery import app as celery_app

    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    customer = CustomerFactory(team=team, language="nl")
    interaction_services.interaction_log(
        actor=frontline, customer=customer, channel="phone", occurred_at=timezone.now() - timedelta(hours=2)
    )
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task("voice.send_rating_requests")
        deadline = clock.monotonic() + 20
        while not smtp_server.messages and clock.monotonic() < deadline:
            clock.sleep(0.1)
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [customer.email]
    assert smtp_server.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_team_sets_channels_delay_frequency_and_quiet_hours_by_api_with_bounds_and_audit(api_as, manager, team):
    from accounts.models import TeamSettingChange

    client = api_as(manager)
    answer = client.patch(
        f"/api/teams/{team.pk}/",
        {"rating_request_channels": ["email", "chat", "email"], "rating_request_delay_minutes": 90, "quiet_hours_start": "22:30"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["rating_request_channels"] == ["email", "chat"] and body["rating_request_delay_minutes"] == 90
    assert body["quiet_hours_start"] == "22:30:00" and body["rating_request_min_days"] == 14
    assert {"rating_request_channels", "rating_request_delay_minutes", "quiet_hours_start"} <= set(
        TeamSettingChange.objects.filter(team=team).values_list("field", flat=True)
    )
    for bad in ({"rating_request_channels": ["pigeon"]}, {"rating_request_channels": "email"}, {"rating_request_min_days": 0},
                {"rating_request_delay_minutes": 10**6}, {"quiet_hours_end": "25:00"}):
        response = client.patch(f"/api/teams/{team.pk}/", bad, format="json")
        assert response.status_code == 400 and set(bad) <= set(response.json()), (bad, response.content)
