"""The customer hears about their case by email, in their language: the apology with the status link
when it opens (at once, quiet hours or not), the fix with its customer message, the recovered-level
question after closing (held for the end of quiet hours)."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interactions.tests.factories import GestureFactory
from notifications.models import OutboundEmail
from notifications.services import emails_send_pending
from recovery.services import links as recovery_links
from recovery.services import steps as recovery_steps

from .conftest import INTERNAL_LABELS, parts

pytestmark = pytest.mark.django_db


def _quiet_now(team):
    """Quiet hours around the present moment, on the team's clock."""
    local = timezone.localtime(timezone.now(), team.tz)
    team.quiet_hours_start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    team.quiet_hours_end = (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    team.save()


def test_the_apology_goes_at_once_even_in_quiet_hours_in_the_customers_language(smtp_server, dutch_customer, log, team):
    _quiet_now(team)
    interaction = log(dutch_customer, promise_kept=False)
    case = interaction.recovery_case
    emails_send_pending()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    text, html = parts(message)
    assert message["Subject"].startswith("Het spijt ons")
    status_url = recovery_links.case_status_url(case)
    assert status_url in text and status_url in html
    assert "List-Unsubscribe" in message and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for label in INTERNAL_LABELS:
        assert label not in text and label not in html, label


def test_the_apology_is_rendered_by_the_sender_as_the_request_rendered_it(smtp_server, dutch_customer, log):
    from interactions.customer_mail import customer_email_render
    from recovery.services.telling import CASE_OPENED

    case = log(dutch_customer, promise_kept=False).recovery_case
    row = OutboundEmail.objects.get(dedupe_key=f"case-{case.pk}-opened")
    # Written with the case, in its transaction; rendered by the sender: no template, no unsubscribe link in the request.
    assert (row.render, row.render_args, row.to, row.text) == (CASE_OPENED, {"case": case.pk}, ["anne@example.nl"], "")
    dutch_customer.refresh_from_db()
    assert dutch_customer.unsubscribe_nonce == ""
    assert emails_send_pending() == 1
    dutch_customer.refresh_from_db()
    case.refresh_from_db()
    # What the request rendered before (the same templates and context): the same mail, word for word.
    before = customer_email_render(
        customer=dutch_customer, template="email/case_opened", context={"case": case, "status_url": recovery_links.case_status_url(case)}
    )
    row.refresh_from_db()
    assert (row.subject, row.text, row.html, row.headers, row.render) == (before.subject, before.text, before.html, before.headers, "")
    [message] = smtp_server.messages
    text, html = parts(message)
    assert message["Subject"] == before.subject and text == before.text and html.replace("\r\n", "\n") == before.html
    assert " ".join(message["List-Unsubscribe"].split()) == before.headers["List-Unsubscribe"]  # folded on the way
    assert "Anne de Vries" in text and "Het spijt ons" in message["Subject"]


def test_the_fix_mail_carries_the_customer_message_and_never_the_internal_note(smtp_server, dutch_customer, log, frontline, client):
    case = log(dutch_customer, promise_kept=False).recovery_case
    recovery_steps.case_fix(
        actor=frontline, case=case, note="INTERNAL: refunded via the back office",
        customer_message="We hebben het bedrag teruggestort. <b>Excuses!</b>",
    )
    emails_send_pending()
    fixed = smtp_server.messages[-1]
    text, html = parts(fixed)
    assert fixed["Subject"].startswith("Het is opgelost")
    assert "We hebben het bedrag teruggestort. <b>Excuses!</b>" in text
    assert "&lt;b&gt;Excuses!&lt;/b&gt;" in html
    assert "INTERNAL" not in text and "INTERNAL" not in html
    status = Client().get(recovery_links.case_status_url(case).split("localhost:8000", 1)[1]).content.decode()
    assert "We hebben het bedrag teruggestort." in status and "INTERNAL" not in status


def test_the_fix_action_takes_a_customer_message_by_api_and_page(api_as, client, frontline, dutch_customer, log):
    first = log(dutch_customer, promise_kept=False).recovery_case
    response = api_as(frontline).post(f"/api/recovery-cases/{first.pk}/fix/", {"note": "done", "customer_message": "Opgelost!"}, format="json")
    assert response.status_code == 200 and response.json()["customer_message"] == "Opgelost!"
    too_long = api_as(frontline).post(f"/api/recovery-cases/{first.pk}/fix/", {"customer_message": "x" * 2001}, format="json")
    assert too_long.status_code == 400 and "customer_message" in too_long.json()
    second = log(dutch_customer, promise_kept=False, hours_ago=1).recovery_case
    client.force_login(frontline)
    page = client.post(reverse("web:case-fix", args=[second.pk]), {"note": "Replaced", "customer_message": "Nieuw exemplaar onderweg"})
    assert page.status_code == 302
    second.refresh_from_db()
    assert second.customer_message == "Nieuw exemplaar onderweg"
    assert "Nieuw exemplaar onderweg" in client.get(reverse("web:case-detail", args=[second.pk])).content.decode()


def test_the_recovered_level_question_waits_for_the_end_of_quiet_hours(dutch_customer, log, manager, team):
    case = log(dutch_customer, promise_kept=False).recovery_case
    _quiet_now(team)
    recovery_steps.case_close(actor=manager, case=case, reason="The customer wanted no extra")
    question = OutboundEmail.objects.get(dedupe_key=f"case-{case.pk}-recovered-link")
    assert question.next_attempt_at is not None and question.next_attempt_at > timezone.now()
    assert timezone.localtime(question.next_attempt_at, team.tz).time() == team.quiet_hours_end
    emails_send_pending()
    question.refresh_from_db()
    assert question.sent_at is None
    assert "Helemaal onder de indruk" in question.text and "?level=6" in question.text


def test_an_opted_out_customer_gets_no_recovered_level_question(dutch_customer, log, manager):
    case = log(dutch_customer, promise_kept=False).recovery_case
    dutch_customer.contact_opt_out = True
    dutch_customer.save()
    recovery_steps.case_close(actor=manager, case=case, reason="No extra wanted")
    assert not OutboundEmail.objects.filter(dedupe_key=f"case-{case.pk}-recovered-link").exists()


def test_no_apology_for_a_case_about_an_old_interaction(dutch_customer, log):
    case = log(dutch_customer, promise_kept=False, hours_ago=24 * 8).recovery_case
    assert case is not None
    assert not OutboundEmail.objects.filter(dedupe_key=f"case-{case.pk}-opened").exists()
