"""The feedback page in a real headless Chromium at a phone's size."""

import threading

import pytest

from interactions import services
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser_thread(steps):
    """Drive Chromium in a thread of its own (Playwright's event loop never meets the ORM)."""
    playwright = pytest.importorskip("playwright.sync_api")
    seen = {}

    def run():
        try:
            with playwright.sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                try:
                    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
                    steps(context.new_page(), seen)
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            seen["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in seen:
        raise seen["error"]
    return seen


@pytest.fixture
def short_lived_connections():
    from django.db import connection

    # The live server answers in threads of its own: their connections close after each request, so
    # none outlives the test database.
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    yield
    connection.settings_dict["CONN_MAX_AGE"] = saved


def test_a_customer_rates_on_a_phone_and_is_thanked(short_lived_connections, live_server, frontline, team):
    interaction = services.interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="whatsapp")
    url = services.feedback_url(interaction)
    url = live_server.url + url[url.index("/feedback/"):]

    def steps(page, seen):
        page.goto(url)
        seen["fits"] = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        seen["options"] = page.locator('input[type="radio"][name="level"]').count()
        page.get_by_label("Surprising").check()
        page.fill("textarea[name=comment]", "Lovely!")
        page.get_by_role("button", name="Send my answer").click()
        page.wait_for_selector("text=Thank you", timeout=15_000)
        seen["thanked"] = True

    seen = in_browser_thread(steps)
    assert seen == {"fits": True, "options": 6, "thanked": True}  # nothing wider than the phone
    rated = Interaction.objects.get(pk=interaction.pk)
    assert (rated.customer_level, rated.customer_comment) == (5, "Lovely!")
