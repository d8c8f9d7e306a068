"""The customer's feedback page /feedback/<token>/: no login, one rating per link, never a 500."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from interactions import services
from interactions.levels import Level
from interactions.models import Interaction, LevelChange
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def interaction(frontline, team):
    customer = CustomerFactory(team=team)
    return services.interaction_log(actor=frontline, customer=customer, channel="phone", matched_preference=True)



def feedback_path(interaction):
    url = services.feedback_url(interaction)
    return url[url.index("/feedback/"):]


@pytest.fixture
def browser():
    """A customer's browser: no login, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def csrf_post(client, path, data):
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def assert_private_link_headers(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


WORDS = ["You let me down", "Not great", "As expected", "Just the way I like it", "Pleasantly surprised", "Blown away"]


def test_the_page_offers_six_answers_in_the_customers_words_in_one_order(browser, interaction, settings):
    settings.SITE_NAME = "Harbour Bistro"
    response = browser.get(feedback_path(interaction))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="submit" name="level"') == 6
    assert [html.index(words) for words in WORDS] == sorted(html.index(words) for words in WORDS)
    for name in ("Criminal", "Basic", "Expected", "Desired", "Surprising", "Unbelievable", "promise"):
        assert name not in html, "no internal label on a customer page"
    assert "Harbour Bistro" in html
    assert 'name="viewport"' in html  # mobile friendly
    assert_private_link_headers(response)


def test_the_page_shows_no_staff_name_or_navigation_even_to_a_signed_in_colleague(interaction, frontline):
    client = Client()
    client.force_login(frontline)
    html = client.get(feedback_path(interaction)).content.decode()
    assert frontline.username not in html
    assert "Log out" not in html and "<nav" not in html


def test_rating_sets_the_customer_level_then_thanks(browser, interaction):
    path = feedback_path(interaction)
    response = csrf_post(browser, path, {"level": "6", "comment": "The chef came out to say hello!"})
    assert response.status_code == 302
    thanks = browser.get(response["Location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()
    interaction.refresh_from_db()
    assert (interaction.customer_level, interaction.level, interaction.assessed_level) == (6, 6, Level.DESIRED)
    assert interaction.customer_comment == "The chef came out to say hello!"
    assert LevelChange.objects.filter(interaction=interaction, cause="customer_rating", new_level=6).exists()


def test_a_second_use_of_the_link_shows_the_thank_you_page(browser, interaction):
    path = feedback_path(interaction)
    csrf_post(browser, path, {"level": "5"})
    again = browser.get(path)
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    assert 'name="level"' not in again.content.decode()
    assert "Pleasantly surprised" in again.content.decode()  # what they chose, and the comment box
    assert_private_link_headers(again)
    token = browser.cookies["csrftoken"].value
    replay = browser.post(path, {"level": "1", "csrfmiddlewaretoken": token})
    assert replay.status_code == 200 and "Thank you" in replay.content.decode()
    assert Interaction.objects.get(pk=interaction.pk).customer_level == 5


def test_a_post_without_the_csrf_token_is_refused(interaction):
    response = Client(enforce_csrf_checks=True).post(feedback_path(interaction), {"level": "1"})
    assert response.status_code == 403
    assert Interaction.objects.get(pk=interaction.pk).customer_level is None


def test_a_low_rating_opens_a_recovery_case(browser, interaction):
    csrf_post(browser, feedback_path(interaction), {"level": "2"})
    assert RecoveryCase.objects.get(interaction=interaction).severity == Level.BASIC


@pytest.mark.parametrize("data", [{"level": "9"}, {"level": "0"}, {"level": "high"}, {}, {"level": "4", "comment": "x" * 2001}, {"level": "4", "comment": "a\x00b"}])
def test_an_invalid_rating_shows_the_form_again_with_an_error(browser, interaction, data):
    response = csrf_post(browser, feedback_path(interaction), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html and html.count('type="submit" name="level"') == 6
    assert Interaction.objects.get(pk=interaction.pk).customer_level is None
    assert_private_link_headers(response)


@pytest.mark.parametrize(
    "token",
    ["0" * 32, "abc", "Z" * 32, "0" * 33, "%00", "..%2F..%2Fetc", "é" * 32, "x" * 5000],
)
def test_unknown_or_malformed_tokens_are_a_404(browser, interaction, token):
    response = browser.get(f"/feedback/{token}/")
    assert response.status_code == 404
    if "%2F" not in token:  # a slash leaves the page's URL altogether: Django's own 404
        assert_private_link_headers(response)
    assert browser.post(f"/feedback/{token}/", {"level": "3"}).status_code in (403, 404)  # CSRF first, never 500


def test_an_expired_link_is_a_404(browser, interaction, settings):
    Interaction.objects.filter(pk=interaction.pk).update(created_at=timezone.now() - timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS + 1))
    assert browser.get(feedback_path(interaction)).status_code == 404


def test_the_database_does_not_hold_the_token(interaction):
    token = feedback_path(interaction).split("/")[2]
    stored = Interaction.objects.filter(pk=interaction.pk).values().get()
    assert len(token) == 32 and token not in {str(v) for v in stored.values()}


def test_a_dutch_customer_sees_the_page_in_dutch(browser, frontline, team):
    customer = CustomerFactory(team=team, language="nl")
    interaction = services.interaction_log(actor=frontline, customer=customer, channel="phone")
    response = browser.get(feedback_path(interaction), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Hoe hebben we het gedaan?" in html and "Helemaal onder de indruk" in html and "U hebt me teleurgesteld" in html
    assert "Ongelooflijk" not in html and "Crimineel" not in html
    assert response["Content-Language"] == "nl"
    bad = csrf_post(browser, feedback_path(interaction), {"level": "9"})
    assert "Kies een van de zes antwoorden." in bad.content.decode()


def test_a_no_referrer_browser_posting_with_origin_null_is_accepted_with_the_token(interaction):
    """Under Referrer-Policy: no-referrer browsers send Origin: null and no Referer on the form post."""
    client = Client(enforce_csrf_checks=True)
    path = feedback_path(interaction)
    client.get(path)
    token = client.cookies["csrftoken"].value
    response = client.post(path, {"level": "4", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", secure=True)
    assert response.status_code == 302
    assert Interaction.objects.get(pk=interaction.pk).customer_level == 4


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "null"}, {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_REFERER": "https://evil.example/x"}],
)
def test_csrf_still_refuses_a_post_without_the_token_or_from_another_site(interaction, headers):
    client = Client(enforce_csrf_checks=True)
    path = feedback_path(interaction)
    client.get(path)
    token = client.cookies["csrftoken"].value
    data = {"level": "1"} if headers.get("HTTP_ORIGIN") == "null" else {"level": "1", "csrfmiddlewaretoken": token}
    response = client.post(path, data, secure=True, **headers)
    assert response.status_code == 403
    assert Interaction.objects.get(pk=interaction.pk).customer_level is None
