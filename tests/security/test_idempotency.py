"""A retried POST /api/interactions/ with the same Idempotency-Key returns the first answer and writes
nothing new (issue 19, finding 9): two identical parallel calls with one key used to log twice and
open two cases.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase

BROKEN_PROMISE = {"channel": "phone", "promise_kept": False, "summary": "Table was given away"}


def _log(client, customer, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/interactions/", {"customer": customer.id, **BROKEN_PROMISE, **extra}, format="json", **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_answer_and_writes_nothing(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    first = _log(client, customer, key="log-7f3a")
    assert first.status_code == 201, first.content
    again = _log(client, customer, key="log-7f3a")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Interaction.objects.count() == 1 and RecoveryCase.objects.count() == 1


@pytest.mark.django_db
def test_another_key_or_no_key_is_another_interaction(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    assert _log(client, customer, key="a").status_code == 201
    assert _log(client, customer, key="b").status_code == 201
    assert _log(client, customer).status_code == 201
    assert Interaction.objects.count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    assert _log(client, customer, key="k1").status_code == 201
    other = _log(client, customer, key="k1", summary="Something else")
    assert other.status_code == 422
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api_as, frontline, team):
    from accounts.tests.factories import UserFactory

    customer = CustomerFactory(team=team)
    colleague = UserFactory(teams=[team])
    assert _log(api_as(frontline), customer, key="shared").status_code == 201
    second = _log(api_as(colleague), customer, key="shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Interaction.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_is_replayed_as_refused(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    bad = _log(client, customer, key="bad", channel="pigeon")
    assert bad.status_code == 400
    assert _log(client, customer, key="bad", channel="pigeon").json() == bad.json()
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_a_key_is_kept_for_24_hours(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    assert _log(client, customer, key="old").status_code == 201
    IdempotencyKey.objects.update(created_at=IdempotencyKey.objects.get().created_at - timedelta(hours=25))
    again = _log(client, customer, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Interaction.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "caf\u00e9"])
def test_a_malformed_key_is_a_400(api_as, frontline, team, key):
    response = _log(api_as(frontline), CustomerFactory(team=team), key=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Interaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_parallel_posts_with_one_key_log_once(frontline, team):
    from accounts.services import token_create

    customer = CustomerFactory(team=team)
    token = token_create(user=frontline)
    start = threading.Barrier(2)
    answers = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            start.wait()
            response = _log(client, customer, key="double-click")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1], "both get the same interaction"
    assert Interaction.objects.count() == 1 and RecoveryCase.objects.count() == 1


# --- The web log form: a one-time nonce per rendering ----------------------------------------------


def _form_nonce(client) -> str:
    import re

    page = client.get("/log/").content.decode()
    return re.search(r'name="nonce" value="([^"]+)"', page)[1]


def _submit(client, customer, nonce, **extra):
    return client.post("/log/", {"nonce": nonce, "customer": customer.id, "channel": "phone", "summary": "Late", **extra})


@pytest.mark.django_db
def test_submitting_the_web_log_form_twice_logs_once(frontline, team):
    from django.test import Client

    customer = CustomerFactory(team=team)
    client = Client()
    client.force_login(frontline)
    nonce = _form_nonce(client)
    first, second = _submit(client, customer, nonce), _submit(client, customer, nonce)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"], "the second submit shows the first log"
    assert Interaction.objects.count() == 1 and RecoveryCase.objects.count() == 1
    assert _form_nonce(client) != nonce, "the next form has a new nonce"


@pytest.mark.django_db
def test_a_refused_web_log_leaves_its_nonce_usable(frontline, team):
    from django.test import Client

    customer = CustomerFactory(team=team)
    client = Client()
    client.force_login(frontline)
    nonce = _form_nonce(client)
    assert _submit(client, customer, nonce, channel="pigeon").status_code == 400
    assert _submit(client, customer, nonce).status_code == 302
    assert Interaction.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_parallel_submits_of_one_web_form_log_once(frontline, team):
    from django.test import Client

    customer = CustomerFactory(team=team)
    opener = Client()
    opener.force_login(frontline)
    nonce = _form_nonce(opener)
    start = threading.Barrier(2)
    locations = []

    def submit():
        client = Client()
        client.force_login(frontline)
        try:
            start.wait()
            response = _submit(client, customer, nonce)
            locations.append((response.status_code, response["Location"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(locations) == 2 and locations[0] == locations[1] and locations[0][0] == 302
    assert Interaction.objects.count() == 1


# --- Case actions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retried_case_fix_with_the_same_key_returns_the_first_answer_not_a_conflict(api_as, frontline, team):
    from recovery.models import CaseEvent

    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    case_id = _log(client, customer).json()["recovery_case"]
    url = f"/api/recovery-cases/{case_id}/fix/"
    first = client.post(url, {"note": "Refunded"}, format="json", HTTP_IDEMPOTENCY_KEY="fix-1")
    again = client.post(url, {"note": "Refunded"}, format="json", HTTP_IDEMPOTENCY_KEY="fix-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case_id=case_id, kind="fixed").count() == 1
    assert client.post(url, {"note": "Refunded"}, format="json").status_code == 409, "without a key: the usual conflict"
