"""/api/webhooks/: who may subscribe, the secret shown once, the URL guard, deliveries, resend and ping."""

import pytest
from standardwebhooks.webhooks import Webhook

from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from recovery.models import Rule
from recovery.services.bends import bend_decide, bend_request
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEvent

URL = "/api/webhooks/"


@pytest.mark.django_db
def test_a_manager_subscribes_and_sees_the_secret_once(api_as, manager, team, receiver):
    client = api_as(manager)
    response = client.post(URL, {"team": team.pk, "url": receiver.url(), "events": ["case.opened", "interaction.logged"]}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["events"] == ["interaction.logged", "case.opened"]
    assert created["active"] is True and created["created_by"] == manager.pk
    shown = client.get(f"{URL}{created['id']}/").json()
    assert "secret" not in shown and shown["url"] == receiver.url()
    assert "secret" not in client.get(URL).json()["results"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_loopback_link_local_and_metadata_urls_are_refused_at_creation(api_as, manager, team, url):
    response = api_as(manager).post(URL, {"team": team.pk, "url": url, "events": ["case.opened"]}, format="json")
    assert response.status_code == 400, response.content
    assert "url" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/", "https://"),
        ("https://user:pw@93.184.216.34/", "user name"),
        ("not a url", "valid URL"),
    ],
)
def test_urls_of_the_wrong_form_are_refused(api_as, manager, team, url, message):
    response = api_as(manager).post(URL, {"team": team.pk, "url": url, "events": ["case.opened"]}, format="json")
    assert response.status_code == 400 and message in response.json()["url"][0]


@pytest.mark.django_db
def test_http_is_refused_where_https_is_required(api_as, manager, team, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    response = api_as(manager).post(URL, {"team": team.pk, "url": "http://93.184.216.34/hook", "events": ["case.opened"]}, format="json")
    assert response.status_code == 400 and "https" in response.json()["url"][0]


@pytest.mark.django_db
def test_unknown_events_and_empty_lists_are_400(api_as, manager, team, receiver):
    client = api_as(manager)
    bad = client.post(URL, {"team": team.pk, "url": receiver.url(), "events": ["case.exploded"]}, format="json")
    empty = client.post(URL, {"team": team.pk, "url": receiver.url(), "events": []}, format="json")
    assert bad.status_code == empty.status_code == 400
    assert "events" in bad.json() and "events" in empty.json()


@pytest.mark.django_db
def test_frontline_may_not_and_another_teams_manager_sees_nothing(api_as, frontline, manager, other_manager, team, receiver):
    assert api_as(frontline).get(URL).status_code == 403
    assert api_as(frontline).post(URL, {"team": team.pk, "url": receiver.url(), "events": ["case.opened"]}, format="json").status_code == 403
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["case.opened"])
    other = api_as(other_manager)
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{subscription.pk}/").status_code == 404
    assert other.post(f"{URL}{subscription.pk}/ping/").status_code == 404
    response = other.post(URL, {"team": team.pk, "url": receiver.url(), "events": ["case.opened"]}, format="json")
    assert response.status_code == 400 and "team" in response.json()


@pytest.mark.django_db
def test_switching_off_and_on_and_deleting_are_audited(api_as, manager, team, receiver, settings):
    from audit.models import AuditEntry

    client = api_as(manager)
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["case.opened"])
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = client.patch(f"{URL}{subscription.pk}/", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.post(f"{URL}{subscription.pk}/ping/").status_code == 409
    assert client.patch(f"{URL}{subscription.pk}/", {"url": "http://10.0.0.1/"}, format="json").status_code == 400
    assert client.delete(f"{URL}{subscription.pk}/").status_code == 204
    actions = list(AuditEntry.objects.filter(team_id=team.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["webhook.created", "webhook.active", "webhook.deleted"]


@pytest.mark.django_db
def test_the_deliveries_show_every_attempt_and_can_be_sent_again(api_as, manager, frontline, team, receiver, django_assert_max_num_queries):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["interaction.logged"])
    receiver.answers["/hook"] = [500]
    for _ in range(5):
        interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    for delivery in WebhookDelivery.objects.order_by("-id"):
        services.delivery_attempt(delivery_id=delivery.pk)
    # The first failure holds back the receiver's other waiting deliveries until its retry: a receiver
    # that is down does not take a worker for a timeout per delivery.
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.values("next_attempt_at").distinct().count() == 1
    client = api_as(manager)
    with django_assert_max_num_queries(8):
        page = client.get(f"{URL}{subscription.pk}/deliveries/").json()
    assert len(page["results"]) == 5
    newest = page["results"][0]
    assert newest["status"] == "pending" and newest["type"] == "interaction.logged"
    [attempt] = newest["attempt_log"]
    assert attempt["status_code"] == 500 and attempt["response_excerpt"] == "answer 500 to /hook" and attempt["duration_ms"] >= 0

    resent = client.post(f"{URL}{subscription.pk}/deliveries/{newest['id']}/resend/")
    assert resent.status_code == 202 and resent.json()["webhook_id"] == newest["webhook_id"]
    services.delivery_attempt(delivery_id=newest["id"])
    again = client.get(f"{URL}{subscription.pk}/deliveries/").json()["results"][0]
    assert again["status"] == "succeeded" and [a["status_code"] for a in again["attempt_log"]] == [500, 200]
    assert client.post(f"{URL}{subscription.pk}/deliveries/999999/resend/").status_code == 404


@pytest.mark.django_db
def test_a_ping_is_a_signed_test_event_to_that_subscription(api_as, manager, team, receiver):
    subscription = services.subscription_create(actor=manager, team=team, url=receiver.url(), events=["case.opened"])
    response = api_as(manager).post(f"{URL}{subscription.pk}/ping/")
    assert response.status_code == 202 and response.json()["type"] == "webhook.ping"
    services.delivery_attempt(delivery_id=response.json()["id"])
    [request] = receiver.wait_for(1)
    body = Webhook(subscription.secret).verify(request["body"], request["headers"])
    assert body["type"] == "webhook.ping" and body["data"] == {"subscription": subscription.pk, "team": team.pk}


@pytest.mark.django_db
def test_case_and_bend_events_carry_the_object_as_the_api_shows_it(api_as, manager, frontline, team, receiver):
    services.subscription_create(
        actor=manager, team=team, url=receiver.url(),
        events=["case.opened", "bend.requested", "bend.decided", "interaction.logged"],
    )
    interaction = interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email", promise_kept=False)
    rule = Rule.objects.create(team=team, name="No refunds after 30 days")
    bend = bend_request(actor=frontline, rule=rule, justification="Loyal customer", cost=50, case=interaction.recovery_case)
    bend_decide(actor=manager, bend=bend, approve=True, note="Fine")
    events = {e.type: e.data for e in WebhookEvent.objects.all()}
    assert set(events) == {"interaction.logged", "case.opened", "bend.requested", "bend.decided"}
    client = api_as(manager)
    assert events["case.opened"] == client.get(f"/api/recovery-cases/{interaction.recovery_case.pk}/").json()
    assert events["interaction.logged"]["recovery_case"] == interaction.recovery_case.pk
    assert events["bend.decided"]["status"] == "approved" and events["bend.requested"]["status"] == "pending"
    assert events["bend.decided"] == client.get(f"/api/rule-bends/{bend.pk}/").json()


@pytest.mark.django_db
def test_a_team_without_subscribers_writes_no_events(frontline, team, other_team, other_manager, receiver):
    services.subscription_create(actor=other_manager, team=other_team, url=receiver.url(), events=["interaction.logged"])
    interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="email")
    assert not WebhookEvent.objects.exists()
