"""Money input: plain decimals only, in the API and the pages; exponents and other number spellings are refused."""

from decimal import Decimal

import pytest

from core.money import MoneyFormField, MoneySerializerField
from interactions.models import Gesture

REFUSED = ["1e3", "1E3", "0x10", "1_000", "Infinity", "NaN", "-5", "12.5.0", " ", "12,50"]


@pytest.mark.parametrize("typed", REFUSED[:-2])
def test_the_api_refuses_an_amount_that_is_not_a_plain_decimal(api_as, manager, team, typed):
    response = api_as(manager).post(
        "/api/gestures/", {"team": team.id, "name": f"Gift {typed}", "base_level": 5, "cost": typed}, format="json"
    )
    assert response.status_code == 400 and "cost" in response.json()
    assert not Gesture.objects.filter(team=team).exists()


def test_the_api_takes_a_plain_decimal_string_or_a_json_number(api_as, manager, team):
    api = api_as(manager)
    as_text = api.post("/api/gestures/", {"team": team.id, "name": "Cake", "base_level": 5, "cost": "12.50"}, format="json")
    as_number = api.post("/api/gestures/", {"team": team.id, "name": "Wine", "base_level": 5, "cost": 7.5}, format="json")
    assert (as_text.status_code, as_number.status_code) == (201, 201)
    assert as_text.json()["cost"] == "12.50" and as_number.json()["cost"] == "7.50"


@pytest.mark.parametrize("typed, value", [("12.50", Decimal("12.50")), ("12,50", Decimal("12.50")), ("7", Decimal("7"))])
def test_a_form_takes_a_decimal_point_or_comma(typed, value):
    assert MoneyFormField().clean(typed) == value


@pytest.mark.parametrize("typed", ["1e3", "0x10", "1_000", "Infinity", "NaN", "-5", "12.5.0"])
def test_a_form_refuses_an_exponent_with_a_message(typed):
    field = MoneyFormField()
    with pytest.raises(Exception) as refused:
        field.clean(typed)
    assert "plain amount" in str(refused.value) or "greater than or equal" in str(refused.value)


def test_the_bend_page_refuses_an_exponent_and_says_so(client, frontline, team):
    from interactions.tests.factories import CustomerFactory
    from recovery.models import Rule, RuleBend

    rule = Rule.objects.create(team=team, name="No outside cake")
    customer = CustomerFactory(team=team)
    client.force_login(frontline)
    response = client.post("/bends/new/", {"rule": rule.id, "justification": "Birthday", "cost": "1e3", "customer": customer.id})
    assert response.status_code in (200, 400)
    assert "plain amount" in response.content.decode() and not RuleBend.objects.exists()


def test_a_boolean_is_not_an_amount():
    with pytest.raises(Exception):
        MoneySerializerField().run_validation(True)


def test_a_team_names_its_currency_by_iso_code(api_as, manager, team):
    api = api_as(manager)
    assert api.patch(f"/api/teams/{team.id}/", {"currency": "XYZ"}, format="json").status_code == 400
    answer = api.patch(f"/api/teams/{team.id}/", {"currency": "USD"}, format="json")
    assert answer.status_code == 200 and answer.json()["currency"] == "USD"


@pytest.mark.parametrize(
    "language, currency, shown",
    [("en", "EUR", "€1,234.50"), ("nl", "EUR", "€\xa01.234,50"), ("nl", "USD", "US$\xa01.234,50"), ("en", "GBP", "£1,234.50")],
)
def test_amounts_are_written_the_viewers_way(language, currency, shown):
    from core.money import money_text

    assert money_text(Decimal("1234.5"), currency, language=language) == shown
