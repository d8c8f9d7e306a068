"""One-click unsubscribe (RFC 8058): a POST with `List-Unsubscribe=One-Click` opts the customer out,
with no session, no CSRF token and no confirmation page; a GET only shows the button."""

import pytest
from django.core.cache import cache
from django.test import Client

from audit.models import AuditEntry
from interactions.customer_mail import customer_unsubscribe_token, customer_unsubscribe_url
from interactions.models import Customer, Interaction
from notifications.services import emails_send_pending
from voice.services import rating_requests_send

pytestmark = pytest.mark.django_db


def path_of(url):
    return url[url.index("/unsubscribe/"):]


def test_the_one_click_post_opts_out_without_a_session_or_csrf_token_and_changes_nothing_else(dutch_customer, log):
    interaction = log(dutch_customer)
    path = path_of(customer_unsubscribe_url(dutch_customer))
    before = Customer.objects.filter(pk=dutch_customer.pk).values().get()
    interaction_before = Interaction.objects.filter(pk=interaction.pk).values().get()
    mail_client = Client(enforce_csrf_checks=True)  # what a mail provider's POST is: no cookie, no token
    response = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    after = Customer.objects.filter(pk=dutch_customer.pk).values().get()
    assert after["contact_opt_out"] is True and after["contact_opt_out_at"] is not None
    assert {k: v for k, v in after.items() if not k.startswith("contact_opt_out")} == {
        k: v for k, v in before.items() if not k.startswith("contact_opt_out")
    }
    assert Interaction.objects.filter(pk=interaction.pk).values().get() == interaction_before
    entry = AuditEntry.objects.get(action="customer.contact_opt_out")
    assert entry.subject == f"customer {dutch_customer.pk}" and entry.actor is None
    assert rating_requests_send() == 0, "no more rating requests"
    # Posting again is harmless and answers the same.
    assert mail_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert AuditEntry.objects.filter(action="customer.contact_opt_out").count() == 1


def test_a_get_shows_a_button_and_changes_nothing(dutch_customer):
    path = path_of(customer_unsubscribe_url(dutch_customer))
    page = Client().get(path)
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "nl"
    assert 'name="List-Unsubscribe" value="One-Click"' in html and "Vraag het me niet meer" in html
    assert Customer.objects.get(pk=dutch_customer.pk).contact_opt_out is False


def test_a_post_without_the_one_click_field_changes_nothing(dutch_customer):
    response = Client().post(path_of(customer_unsubscribe_url(dutch_customer)), {"something": "else"})
    assert response.status_code == 400
    assert Customer.objects.get(pk=dutch_customer.pk).contact_opt_out is False


def test_the_token_has_128_bits_and_only_its_digest_is_stored(dutch_customer):
    token = customer_unsubscribe_token(dutch_customer)
    assert len(token) == 32 and int(token, 16) >= 0
    stored = Customer.objects.filter(pk=dutch_customer.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert customer_unsubscribe_token(Customer.objects.get(pk=dutch_customer.pk)) == token, "one link per customer"


def test_a_forged_token_is_404_and_throttled(dutch_customer, monkeypatch):
    from core.throttling import PublicTokenThrottle

    monkeypatch.setattr(PublicTokenThrottle, "rate", "3/min", raising=False)
    client = Client()
    try:
        forged = [client.post(f"/unsubscribe/{'%032x' % n}/", {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR="10.1.2.3").status_code for n in range(4)]
        assert forged == [404, 404, 404, 429]
        assert client.get("/unsubscribe/not-a-token/", REMOTE_ADDR="10.1.2.4").status_code == 404
    finally:
        cache.clear()
    assert not Customer.objects.filter(contact_opt_out=True).exists()


def test_an_opted_out_customer_still_hears_about_their_own_case(smtp_server, dutch_customer, log):
    Customer.objects.filter(pk=dutch_customer.pk).update(contact_opt_out=True)
    log(dutch_customer, promise_kept=False)  # Criminal: a case opens
    emails_send_pending()
    assert len(smtp_server.messages) == 1
    assert "Het spijt ons" in smtp_server.messages[0]["Subject"]
    assert smtp_server.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_staff_see_and_set_the_opt_out_on_the_customer(api_as, frontline, dutch_customer):
    client = api_as(frontline)
    assert client.get(f"/api/customers/{dutch_customer.pk}/").json()["contact_opt_out"] is False
    response = client.patch(f"/api/customers/{dutch_customer.pk}/", {"contact_opt_out": True}, format="json")
    assert response.status_code == 200 and response.json()["contact_opt_out"] is True
    assert Customer.objects.get(pk=dutch_customer.pk).contact_opt_out_at is not None
    assert client.patch(f"/api/customers/{dutch_customer.pk}/", {"contact_opt_out": "yes"}, format="json").status_code == 400


def test_erasing_the_customer_kills_their_unsubscribe_link_and_the_message_they_were_sent(dutch_customer, log, frontline, manager):
    from privacy.services import customer_erase, customer_export
    from recovery.services import steps as recovery_steps

    path = path_of(customer_unsubscribe_url(dutch_customer))
    case = log(dutch_customer, promise_kept=False).recovery_case
    recovery_steps.case_fix(actor=frontline, case=case, note="done", customer_message="Opgelost, Anne!")
    exported = customer_export(actor=manager, customer=dutch_customer)
    assert exported["recovery_cases"][0]["customer_message"] == "Opgelost, Anne!"
    assert exported["customer"]["contact_opt_out"] is False
    customer_erase(actor=manager, customer=dutch_customer)
    assert Client().get(path).status_code == 404
    case.refresh_from_db()
    assert case.customer_message == ""
