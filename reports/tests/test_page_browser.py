"""The report page in a real headless Chromium: a manager signs in, sees the figures and the chart loads under the CSP."""

import pytest

from interactions.levels import Level
from interactions.tests.factories import CustomerFactory
from tests.browser import in_browser_thread, sign_in

from . import factories as f
from .test_figures import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_opens_the_report_and_the_chart_loads(short_lived_connections, live_server, manager, team):
    customer = CustomerFactory(team=team)
    for level in (Level.CRIMINAL, Level.DESIRED, Level.DESIRED):
        f.interaction(team=team, customer=customer, at=local(3), level=level)

    def steps(page, seen):
        sign_in(page, live_server.url, manager, then=f"/reports/weekly/?team={team.id}&week=2026-W45")
        page.wait_for_selector("img.chart")
        page.wait_for_function("document.querySelector('img.chart').complete")
        seen["heading"] = page.locator("h1").inner_text()
        seen["chart_width"] = page.evaluate("document.querySelector('img.chart').naturalWidth")
        seen["share"] = page.get_by_text("Share at Desired or higher").inner_text()

    seen = in_browser_thread(steps, viewport={"width": 1024, "height": 900})
    assert seen["heading"] == "Weekly level report: Team A, 2026-W45"
    assert seen["chart_width"] > 0
    assert "66.7%" in seen["share"]
