"""The four inputs that still gave a 500 (issue 19, finding 6): each is now a clear 400."""

import pytest
from django.test import Client

from interactions.models import Customer, Interaction
from interactions.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 5000  # past Python's 4,300-digit limit on turning a string into an int


@pytest.fixture
def browser_as():
    def make(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize("field", ["channel", "summary"])
def test_a_lone_surrogate_in_a_json_string_is_a_400(api_as, frontline, team, field):
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    client.raise_request_exception = False
    body = '{"customer": %d, "channel": "phone", "%s": "\\ud83d"}' % (customer.id, field)
    response = client.post("/api/interactions/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "surrogate" in response.json()["detail"]
    assert not Interaction.objects.exists()


def test_a_surrogate_pair_is_still_an_emoji(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    body = '{"customer": %d, "channel": "phone", "summary": "\\ud83d\\ude00 happy"}' % customer.id
    response = api_as(frontline).post("/api/interactions/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Interaction.objects.get().summary == "\U0001F600 happy"


@pytest.mark.parametrize("path,body", [
    ("/api/customers/", {"team": HUGE_ID, "name": "Mallory"}),
    ("/api/gestures/", {"team": HUGE_ID, "name": "Coffee", "base_level": 5}),
    ("/api/rules/", {"team": HUGE_ID, "name": "Receipts"}),
    ("/api/interactions/", {"customer": HUGE_ID, "channel": "phone"}),
    ("/api/rule-bends/", {"rule": HUGE_ID, "customer": HUGE_ID, "justification": "x", "cost": "1"}),
    ("/api/users/", {"username": "newbie", "password": "a-long-passphrase-42", "teams": [HUGE_ID]}),
])
def test_a_team_id_of_5000_digits_as_a_string_is_a_400(api_as, admin_user, path, body):
    client = api_as(admin_user)
    client.raise_request_exception = False
    response = client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert not Customer.objects.exists()


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "0001-W52", "9999-W01"])
@pytest.mark.parametrize("path", ["/reports/weekly/", "/reports/weekly.csv", "/reports/weekly/chart.png", "/api/reports/weekly/"])
def test_a_week_at_the_ends_of_the_calendar_is_a_400(browser_as, manager, team, path, week):
    response = browser_as(manager).get(path, {"team": team.id, "week": week})
    assert response.status_code == 400


def test_a_week_long_ago_still_has_a_report(browser_as, manager, team):
    assert browser_as(manager).get("/reports/weekly/", {"team": team.id, "week": "1900-W01"}).status_code == 200


@pytest.mark.parametrize("path", ["/log/?q=a%00b", "/log/customers/?q=a%00b", "/customers/?q=%00", "/log/?customer=1%00"])
def test_a_nul_in_a_search_is_a_400(browser_as, frontline, path):
    response = browser_as(frontline).get(path)
    assert response.status_code == 400


def test_a_nul_in_an_api_query_is_a_400_with_a_json_body(api_as, frontline):
    response = api_as(frontline).get("/api/customers/?search=a%00b")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


def test_an_ordinary_search_still_finds_the_customer(browser_as, frontline, team):
    CustomerFactory(team=team, name="Anna de Vries")
    response = browser_as(frontline).get("/log/", {"q": "Anna"})
    assert response.status_code == 200 and "Anna de Vries" in response.content.decode()
