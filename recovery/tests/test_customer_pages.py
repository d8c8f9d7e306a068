"""The customer's status page and recovered-level rating: plain words, private headers, 404 never 500."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from interactions import links
from interactions.levels import Level
from interactions.services import interaction_rate
from notifications.services import emails_send_pending
from recovery.models import CaseEvent, RecoveryCase
from recovery.services import links as recovery_links
from recovery.services import opening, steps

pytestmark = pytest.mark.django_db


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def assert_private(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"


def test_status_page_walks_through_the_steps_in_plain_words(client, case, frontline, manager, gesture):
    url = path_of(recovery_links.case_status_url(case))
    steps.case_fix(actor=frontline, case=case, note="INTERNAL: refunded via backoffice")
    page = client.get(url)
    assert page.status_code == 200
    assert_private(page)
    text = page.content.decode()
    assert "We are fixing it" in text and "Fixed on" in text
    assert "A little something for you" not in text
    steps.case_surprise(actor=frontline, case=case, gesture=gesture, note="INTERNAL: dessert")
    steps.case_close(actor=manager, case=case, note="INTERNAL: all good")
    text = client.get(url).content.decode()
    assert "A little something for you" in text and "Closed" in text
    for secret in ("INTERNAL", frontline.username, manager.username, "Dessert on the house"):
        assert secret not in text, f"{secret} leaked to the customer"
    assert "Tell us how we did" in text


@pytest.mark.parametrize("token", ["0" * 32, "not-a-token", "A" * 32, "0" * 31, "0" * 200, "%00", "ü" * 32])
def test_unknown_or_malformed_links_are_404(client, case, token):
    for prefix in ("/status/", "/feedback/recovered/"):
        response = client.get(f"{prefix}{token}/")
        assert response.status_code == 404
        assert_private(response)


def test_expired_status_link_is_404(client, case, settings):
    url = path_of(recovery_links.case_status_url(case))
    RecoveryCase.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS + 1))
    assert client.get(url).status_code == 404


def test_a_feedback_token_does_not_open_the_status_page(client, case):
    feedback_token = links.link_token(purpose="feedback", nonce=case.interaction.feedback_nonce)
    assert client.get(f"/status/{feedback_token}/").status_code == 404


def test_after_closing_the_customer_rates_the_recovery_once(client, case, manager, django_capture_on_commit_callbacks):
    rate_url = path_of(recovery_links.case_recovered_url(case))
    assert client.get(rate_url).status_code == 404, "no second rating before the case closes"
    with django_capture_on_commit_callbacks(execute=True):
        steps.case_close(actor=manager, case=case, reason="Customer prefers no surprise")
    emails_send_pending()
    # The recovered-level question (the apology went when it opened), with one-tap answers.
    assert [m.to for m in mail.outbox] == [[case.customer.email]]
    assert recovery_links.case_recovered_url(case) + "?level=4" in mail.outbox[0].body

    page = client.get(rate_url)
    assert page.status_code == 200 and "How did we do?" in page.content.decode()
    assert_private(page)
    assert client.post(rate_url, {"level": "9"}).status_code == 400
    assert client.post(rate_url, {"level": "x"}).status_code == 400
    done = client.post(rate_url, {"level": str(Level.DESIRED)})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    again = client.post(rate_url, {"level": "1"})
    assert again.status_code == 200
    case.refresh_from_db()
    assert case.recovered_level == Level.DESIRED and case.recovered_rated_at
    assert CaseEvent.objects.filter(case=case, kind="rated").count() == 1


def test_a_criminal_interaction_has_exactly_one_case(frontline, customer):
    from interactions.services import interaction_log

    interaction = interaction_log(actor=frontline, customer=customer, channel="email", promise_kept=False)
    assert RecoveryCase.objects.filter(interaction=interaction).count() == 1
    again = opening.case_open_for_interaction(interaction=interaction, actor=frontline)
    assert again.pk == interaction.recovery_case.pk
    assert RecoveryCase.objects.filter(interaction=interaction).count() == 1
    assert CaseEvent.objects.filter(case=again, kind="opened").count() == 1


def test_a_customer_rating_that_drops_an_interaction_to_basic_opens_one_case(frontline, customer):
    from interactions.services import interaction_log

    interaction = interaction_log(actor=frontline, customer=customer, channel="email")
    assert not RecoveryCase.objects.filter(interaction=interaction).exists()
    interaction_rate(interaction=interaction, level=Level.BASIC)
    case = RecoveryCase.objects.get(interaction=interaction)
    assert case.severity == Level.BASIC and case.fix_due - case.opened_at == timedelta(hours=24)
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "opened" and event.actor is None


def test_admin_shows_events_but_never_adds_changes_or_deletes_them(client, admin_user, case):
    from accounts.tests.factories import PASSWORD

    client.login(username=admin_user.username, password=PASSWORD)
    event = CaseEvent.objects.get(case=case)
    assert client.get("/admin/recovery/caseevent/").status_code == 200
    assert client.get("/admin/recovery/caseevent/add/").status_code == 403
    assert client.get(f"/admin/recovery/caseevent/{event.pk}/delete/").status_code == 403
    before = event.note
    client.post(f"/admin/recovery/caseevent/{event.pk}/change/", {"note": "rewritten"})
    event.refresh_from_db()
    assert event.note == before
    assert client.get("/admin/recovery/bendevent/add/").status_code == 403
    assert client.get(f"/admin/recovery/recoverycase/{case.pk}/change/").status_code == 200
