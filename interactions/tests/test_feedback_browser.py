"""The feedback page in a real headless Chromium at a phone's size."""

import pytest

from interactions import services
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory
from tests.browser import in_browser_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_rates_on_a_phone_and_is_thanked(short_lived_connections, live_server, frontline, team):
    interaction = services.interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="whatsapp")
    url = services.feedback_url(interaction)
    url = live_server.url + url[url.index("/feedback/"):]

    def steps(page, seen):
        page.goto(url)
        seen["fits"] = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        seen["options"] = page.locator('button[name="level"]').count()
        page.get_by_role("button", name="Pleasantly surprised").click()
        page.fill("textarea[name=comment]", "Lovely!")
        page.get_by_role("button", name="Send my comment").click()
        page.wait_for_selector("text=We have your answer", timeout=15_000)
        seen["thanked"] = True

    seen = in_browser_thread(steps, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    assert seen == {"fits": True, "options": 6, "thanked": True}  # nothing wider than the phone
    rated = Interaction.objects.get(pk=interaction.pk)
    assert (rated.customer_level, rated.customer_comment) == (5, "Lovely!")
