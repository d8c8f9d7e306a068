"""The radar page and the dashboard panel in a real headless Chromium, with screenshots under
test-artifacts/screenshots/ (radar-dashboard.png, radar-page.png, radar-ideas.png)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from interactions import services as interaction_services
from interactions.tests.factories import CustomerFactory, GestureFactory
from tests.browser import in_browser_thread, sign_in

from .history import deliver, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def _loaded(page, selector):
    """Wait for an image to finish loading (polled from here: the CSP forbids wait_for_function's eval)."""
    for _ in range(100):
        if page.evaluate(f"document.querySelector({selector!r}).complete"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} did not load")


def test_a_manager_sees_the_radar_panel_the_radar_page_and_proposes_an_idea(short_lived_connections, live_server, manager, frontline, team):
    now = timezone.now()
    card = GestureFactory(team=team, name="Handwritten card")
    cake = GestureFactory(team=team, name="Birthday cake", description="A small cake with a candle", base_level=6)
    for i in range(6):
        c = CustomerFactory(team=team)
        visit(c, now - timedelta(days=3 + i * 7), gestures=[card] if i % 2 == 0 else [])
    regular = CustomerFactory(team=team, name="Ruud Regular")
    for days in (40, 30, 20, 10):
        deliver(regular, card, now - timedelta(days=days))
        deliver(regular, cake, now - timedelta(days=days))
    soon = timezone.localtime(now, team.tz).date() + timedelta(days=3)
    interaction_services.customer_create(
        actor=frontline, team=team, name="Anna de Vries", special_dates=[{"label": "Birthday", "date": f"{soon.month:02d}-{soon.day:02d}"}],
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def steps(page, seen):
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, live_server.url, manager)
        page.wait_for_selector("#dashboard-radar img")
        _loaded(page, "#dashboard-radar img")
        seen["panel"] = page.locator("#dashboard-radar").inner_text()
        seen["occasions"] = page.locator("#dashboard-occasions").inner_text()
        seen["panel_chart"] = page.evaluate("document.querySelector('#dashboard-radar img').naturalWidth")
        page.screenshot(path=str(SCREENSHOTS / "radar-dashboard.png"), full_page=True)

        page.click("#dashboard-radar a")
        page.wait_for_selector("#drift img")
        _loaded(page, "#drift img")
        seen["heading"] = page.locator("h1").inner_text()
        seen["chart"] = page.evaluate("document.querySelector('#drift img').naturalWidth")
        seen["nothing_left"] = page.locator("#nothing-left").inner_text()
        seen["returns"] = page.locator("#returns").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "radar-page.png"), full_page=True)

        page.goto(f"{live_server.url}/ideas/")
        page.select_option("#id_kind", "gesture")
        page.fill("#id_title", "Polaroid of the evening")
        page.fill("#id_story", "Guests keep asking us to take their picture.")
        page.click("#idea-form button[type=submit]")
        page.wait_for_selector("#idea-list >> text=Polaroid of the evening")
        page.fill("#idea-list input[name=note]", "Let's try it.")
        page.click("#idea-list button[value=accept]")
        page.wait_for_selector("text=Complete the draft gesture")
        page.screenshot(path=str(SCREENSHOTS / "radar-ideas.png"), full_page=True)
        seen["errors"] = errors

    seen = in_browser_thread(steps, viewport={"width": 1280, "height": 900})
    assert "1 customer with nothing left to surprise" in seen["panel"]
    assert "Anna de Vries" in seen["occasions"] and "Never had, and fits: Birthday cake" in seen["occasions"]
    assert seen["panel_chart"] > 0 and seen["chart"] > 0
    assert seen["heading"] == "Delight radar: Team A"
    assert "Ruud Regular" in seen["nothing_left"]
    assert "The recovery paradox" in seen["returns"]
    assert seen["errors"] == []
