"""The recovered-level rating in a real headless Chromium: its form posts under no-referrer."""

import pytest

from interactions import services as interaction_services
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase
from recovery.services import links
from recovery.services import steps as recovery_steps
from tests.browser import in_browser_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_after_closing_the_customer_rates_the_recovery_in_a_browser(short_lived_connections, live_server, frontline, manager, team):
    customer = CustomerFactory(team=team)
    interaction = interaction_services.interaction_log(actor=frontline, customer=customer, channel="phone", promise_kept=False)
    case = recovery_steps.case_close(actor=manager, case=interaction.recovery_case, reason="Customer asked for no extra")
    url = links.case_recovered_url(case)
    url = live_server.url + url[url.index("/feedback/"):]

    def steps(page, seen):
        page.goto(url)
        page.get_by_role("button", name="Just the way I like it").click()
        page.wait_for_selector("text=Thank you", timeout=15_000)
        seen["status"] = page.locator("body").inner_text()

    seen = in_browser_thread(steps, viewport={"width": 1024, "height": 800})
    case = RecoveryCase.objects.get(pk=case.pk)
    assert case.recovered_level == 4, seen["status"][:500]
