"""Assessing a mail: one screen (or one API call) ticks its facts; then it is an interaction, scored,
with a case when Criminal or Basic. Nobody sees another team's inbox."""

import pytest
from django.test import Client
from django.urls import reverse

from inbox.models import InboxItem
from inbox.services import inbox_receive
from interactions.models import Interaction
from recovery.models import RecoveryCase

from .mails import TEAM_ADDRESS, mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(team):
    team.inbox_address = TEAM_ADDRESS
    team.save()
    [message] = inbox_receive(raw=mail().as_bytes(), source="imap")
    return message.item


def test_the_api_lists_waiting_mail_and_assessing_logs_it_once(api_as, frontline, other_frontline, waiting, django_assert_max_num_queries):
    client = api_as(frontline)
    for i in range(4):
        inbox_receive(raw=mail(sender=f"c{i}@example.org", message_id=f"<x{i}@example.org>").as_bytes(), source="imap")
    with django_assert_max_num_queries(5):
        listed = client.get("/api/inbox/").json()["results"]
    assert len(listed) == 5 and listed[-1]["id"] == waiting.pk and listed[-1]["message_count"] == 1
    detail = client.get(f"/api/inbox/{waiting.pk}/").json()
    assert detail["messages"][0]["body"] == "Hello,\nit did not arrive." and detail["status"] == "waiting"
    assert api_as(other_frontline).get(f"/api/inbox/{waiting.pk}/").status_code == 404
    assert api_as(other_frontline).get("/api/inbox/").json()["results"] == []

    response = client.post(f"/api/inbox/{waiting.pk}/assess/", {"promise_kept": False}, format="json")
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get()
    assert response.json()["level_label"] == "Criminal" and response.json()["recovery_case"] == interaction.recovery_case.pk
    assert interaction.channel == "email" and interaction.occurred_at.isoformat() == "2026-11-30T09:15:00+00:00"
    assert interaction.summary.startswith("Where is my order?\n\nHello,")
    waiting.refresh_from_db()
    assert waiting.status == "assessed" and waiting.interaction == interaction and waiting.decided_by == frontline
    again = client.post(f"/api/inbox/{waiting.pk}/assess/", {"promise_kept": True}, format="json")
    assert again.status_code == 409 and Interaction.objects.count() == 1
    assert len(client.get("/api/inbox/").json()["results"]) == 4
    assert client.get("/api/inbox/?status=assessed").json()["results"][0]["interaction"] == interaction.pk
    assert client.get("/api/inbox/?status=nonsense").status_code == 400


def test_bad_facts_are_400_with_field_messages_and_dismissing_is_never_scored(api_as, frontline, waiting):
    client = api_as(frontline)
    bad = client.post(f"/api/inbox/{waiting.pk}/assess/", {"promise_kept": True, "issues": ["bored"]}, format="json")
    assert bad.status_code == 400 and "issues" in bad.json()
    gone = client.post(f"/api/inbox/{waiting.pk}/dismiss/", {"reason": "An auto-reply"}, format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "dismissed"
    assert not Interaction.objects.exists() and not RecoveryCase.objects.exists()
    assert client.post(f"/api/inbox/{waiting.pk}/assess/", {"promise_kept": True}, format="json").status_code == 409


def test_the_one_screen_shows_the_mail_beside_the_log_controls_and_logs_it(frontline, waiting, team):
    from interactions.tests.factories import GestureFactory

    GestureFactory(team=team, name="Free delivery", base_level=5)
    html = mail(sender="evil@example.net", message_id="<evil@example.net>", body=None,
                html='<p onclick="x()">Hi <img src="https://tracker.example/p.gif"><script>steal()</script></p>')
    inbox_receive(raw=html.as_bytes(), source="imap")
    client = Client()
    client.force_login(frontline)
    evil = InboxItem.objects.exclude(pk=waiting.pk).get()
    page = client.get(reverse("web:inbox-item", args=[evil.pk])).content.decode()
    assert "steal()" not in page and "tracker.example" not in page and "<p onclick" not in page
    page = client.get(reverse("web:inbox-item", args=[waiting.pk])).content.decode()
    assert "it did not arrive." in page and 'name="promise_kept"' in page and "Free delivery" in page and 'name="issues"' in page
    response = client.post(reverse("web:inbox-item", args=[waiting.pk]), {"channel": "email", "promise_kept": "on", "issues": ["late"], "summary": "Late parcel"})
    assert response.status_code == 302 and response["Location"] == reverse("web:inbox-item", args=[evil.pk])  # on to the next
    interaction = Interaction.objects.get()
    assert interaction.level == 2 and interaction.summary == "Late parcel"
    listing = client.get(reverse("web:inbox")).content.decode()
    assert listing.count('class="inbox-row"') == 1


def test_a_team_setting_names_the_inbox_address_once(api_as, manager, team, other_team, other_manager):
    assert api_as(manager).patch(f"/api/teams/{team.pk}/", {"inbox_address": "Support@Team-A.example"}, format="json").status_code == 200
    team.refresh_from_db()
    assert team.inbox_address == "support@team-a.example"
    taken = api_as(other_manager).patch(f"/api/teams/{other_team.pk}/", {"inbox_address": "support@team-a.example"}, format="json")
    assert taken.status_code == 400 and "inbox_address" in taken.json()


def test_the_inbox_screen_speaks_dutch(frontline, waiting):
    frontline.language = "nl"
    frontline.save()
    client = Client()
    client.force_login(frontline)
    page = client.get(reverse("web:inbox-item", args=[waiting.pk])).content.decode()
    assert "Geen klantzaak: afwijzen" in page and "Belofte nagekomen" in page
    assert "Laatste mail" in client.get(reverse("web:inbox")).content.decode()


def test_erasing_the_customer_empties_their_mail(api_as, manager, waiting):
    response = api_as(manager).post(f"/api/customers/{waiting.customer_id}/erase/")
    assert response.status_code == 200, response.content
    waiting.refresh_from_db()
    [message] = waiting.messages.all()
    assert (message.body, message.from_name, message.subject, waiting.subject) == ("", "", "", "")
    assert message.from_address == "erased@invalid" and waiting.status == "dismissed"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_mail_is_assessed_on_one_screen(short_lived_connections, live_server, frontline, team):
    from tests.browser import in_browser_thread, sign_in

    team.inbox_address = TEAM_ADDRESS
    team.save()
    inbox_receive(raw=mail(body="The parcel came two days late.").as_bytes(), source="imap")

    def steps(page, seen):
        sign_in(page, live_server.url, frontline)
        page.get_by_role("link", name="Inbox").first.click()
        page.get_by_role("link", name="Where is my order?").click()
        seen["mail"] = page.locator(".mail-body").inner_text()
        page.get_by_label("Late").check()
        page.get_by_role("button", name="Log it").click()
        page.wait_for_load_state()
        seen["after"] = page.locator("main").inner_text()

    seen = in_browser_thread(steps, viewport={"width": 1280, "height": 900})
    assert seen["mail"] == "The parcel came two days late."
    assert "Logged as Basic." in seen["after"] and "Nothing waiting." in seen["after"]
    assert Interaction.objects.get().level == 2


def test_a_sender_address_no_customer_can_have_is_skipped_not_an_error(team):
    team.inbox_address = TEAM_ADDRESS
    team.save()
    assert inbox_receive(raw=mail(sender="Odd <odd@-bad-.example>", message_id="<odd@x>").as_bytes(), source="imap") == []
    assert inbox_receive(raw=mail(sender="", message_id="<none@x>").as_bytes(), source="imap") == []
    assert not InboxItem.objects.exists()
