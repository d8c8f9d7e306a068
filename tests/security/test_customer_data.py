"""A customer's personal data can be exported and erased (GDPR access and erasure, issue 19); their
levels stay, anonymous, in the figures."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from interactions import links
from interactions.models import Customer, Interaction
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase, Rule
from recovery.services import bends as recovery_bends
from recovery.services import links as recovery_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(team, frontline):
    customer = CustomerFactory(
        team=team, name="Anna de Vries", email="anna@example.nl", phone="+31 6 1234 5678", preferences="Quiet table",
        special_dates=[{"label": "Birthday", "date": "06-14"}],
    )
    interaction_log(actor=frontline, customer=customer, channel="phone", promise_kept=False, summary="Anna waited an hour")
    interaction_log(actor=frontline, customer=customer, channel="email", summary="Thanked Anna")
    rule = Rule.objects.create(team=team, name="No refunds")
    recovery_bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="Anna is loyal", cost="5")
    return customer


def test_a_manager_exports_everything_about_a_customer(api_as, manager, anna):
    response = api_as(manager).get(f"/api/customers/{anna.id}/export/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["customer"]["email"] == "anna@example.nl" and data["customer"]["special_dates"][0]["label"] == "Birthday"
    assert [i["summary"] for i in data["interactions"]] == ["Anna waited an hour", "Thanked Anna"]
    assert len(data["recovery_cases"]) == 1 and data["rule_bends"][0]["justification"] == "Anna is loyal"
    assert AuditEntry.objects.filter(action="customer.exported", subject=f"customer {anna.id}").count() == 1


def test_erasing_removes_what_identifies_her_and_keeps_her_levels(api_as, manager, anna, team):
    interaction = Interaction.objects.filter(customer=anna).order_by("id").first()
    case = RecoveryCase.objects.get(customer=anna)
    feedback = links.link_token(purpose="feedback", nonce=interaction.feedback_nonce)
    status = links.link_token(purpose=recovery_links.STATUS, nonce=case.status_nonce)
    levels_before = list(Interaction.objects.filter(customer=anna).order_by("id").values_list("level", flat=True))

    response = api_as(manager).post(f"/api/customers/{anna.id}/erase/")
    assert response.status_code == 200, response.content

    anna.refresh_from_db()
    assert "Anna" not in anna.name and anna.email == "" and anna.phone == "" and anna.preferences == ""
    assert anna.special_dates == []
    assert not Interaction.objects.filter(customer=anna).exclude(summary="").exists()
    assert list(Interaction.objects.filter(customer=anna).order_by("id").values_list("level", flat=True)) == levels_before
    assert Customer.objects.filter(pk=anna.pk, team=team).exists(), "the figures keep her, anonymous"
    assert "Anna" not in api_as(manager).get(f"/api/customers/{anna.id}/export/").content.decode()
    client = APIClient()
    assert client.get(f"/feedback/{feedback}/").status_code == 404, "her links are revoked"
    assert client.get(f"/status/{status}/").status_code == 404
    assert AuditEntry.objects.filter(action="customer.erased", subject=f"customer {anna.id}").exists()
    assert "Anna" not in " ".join(AuditEntry.objects.values_list("subject", flat=True))


def test_frontline_may_neither_export_nor_erase(api_as, frontline, anna):
    assert api_as(frontline).get(f"/api/customers/{anna.id}/export/").status_code == 403
    assert api_as(frontline).post(f"/api/customers/{anna.id}/erase/").status_code == 403
    anna.refresh_from_db()
    assert anna.name == "Anna de Vries"


def test_another_teams_manager_does_not_find_her(api_as, other_manager, anna):
    assert api_as(other_manager).get(f"/api/customers/{anna.id}/export/").status_code == 404
    assert api_as(other_manager).post(f"/api/customers/{anna.id}/erase/").status_code == 404


def test_erasing_empties_her_mails_in_the_outbox_and_stops_the_waiting_ones(api_as, manager, anna):
    from notifications.models import OutboundEmail
    from notifications.services import email_enqueue

    sent = email_enqueue(to=[anna.email], subject="How do we stand now?", text="Dear Anna ...", dedupe_key="anna-1")
    OutboundEmail.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    waiting = email_enqueue(to=[anna.email], subject="Sorry, Anna", text="Dear Anna ...", dedupe_key="anna-2")
    other = email_enqueue(to=["someone@example.com"], subject="Hello", text="Dear someone", dedupe_key="other")
    assert api_as(manager).post(f"/api/customers/{anna.id}/erase/").status_code == 200
    for mail in OutboundEmail.objects.filter(pk__in=[sent.pk, waiting.pk]):
        assert mail.to == [] and mail.text == "" and "Anna" not in mail.subject
    assert OutboundEmail.objects.get(pk=waiting.pk).dead_at is not None, "never sent now"
    assert OutboundEmail.objects.get(pk=sent.pk).sent_at is not None
    assert OutboundEmail.objects.get(pk=other.pk).text == "Dear someone"


def test_erasing_her_stops_an_apology_still_to_be_rendered(api_as, manager, frontline, anna):
    from interactions import services as interaction_services
    from notifications.models import OutboundEmail
    from notifications.services import emails_send_pending

    interaction = interaction_services.interaction_log(actor=frontline, customer=anna, channel="phone", promise_kept=False)
    apology = OutboundEmail.objects.get(dedupe_key=f"case-{interaction.recovery_case_id}-opened")
    assert apology.render and apology.to == [anna.email]
    assert api_as(manager).post(f"/api/customers/{anna.id}/erase/").status_code == 200
    emails_send_pending()
    apology.refresh_from_db()
    assert apology.dead_at is not None and apology.sent_at is None
    assert (apology.to, apology.text, apology.render, apology.render_args) == ([], "", "", None)
