"""The log form from the keyboard (Alt+L, arrows, Enter, Ctrl+Enter) and the menus (phone, "More"), in Chromium."""

import pytest

from interactions.models import Interaction
from web.tests.test_browser import browser, page_for, shot, world  # noqa: F401 - the browser fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_alt_l_arrows_and_enter_log_for_the_chosen_customer(page_for, live_server, world):  # noqa: F811
    page = page_for(world["frontline"])
    page.goto(f"{live_server.url}/customers/")
    page.keyboard.press("Alt+L")
    page.wait_for_url(f"{live_server.url}/log/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("example.com", delay=20)  # both customers match
    page.locator("#customer-matches input[name=customer]").nth(1).wait_for()
    page.keyboard.press("ArrowDown")  # to the matches: the first is chosen
    assert page.evaluate("document.activeElement.value") == str(world["customer"].pk)
    page.keyboard.press("ArrowDown")  # the next one
    page.keyboard.press("Enter")  # take it, on to the channel; nothing logged yet
    assert page.evaluate("document.activeElement.name") == "channel"
    assert Interaction.objects.count() == 0
    page.locator("#gestures").get_by_text("never: Unbelievable").wait_for(timeout=30_000)  # standings came in (slow on a busy machine)
    page.keyboard.press("Control+Enter")
    page.locator("#result").wait_for()
    assert Interaction.objects.get().customer.name == "Bram Bakker"
    page.keyboard.press("Alt+L")  # on the log page: back to the search
    assert page.evaluate("document.activeElement.id") == "id_q"
    assert page.locator("#shortcuts").get_by_text("Ctrl").count() == 1  # the shortcuts are on the page


def test_on_a_phone_the_navigation_folds_into_a_menu(page_for, live_server, world):  # noqa: F811
    page = page_for(world["manager"], viewport=PHONE, is_mobile=True, has_touch=True)
    nav_link = page.get_by_role("link", name="Cases", exact=True)
    assert not nav_link.is_visible()
    bar = page.locator("header.topbar").bounding_box()
    assert bar["height"] <= 80  # about 10% of the screen, not 40%
    page.get_by_role("button", name="Menu").click()
    assert nav_link.is_visible()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    shot(page, "menu-open-phone")
    nav_link.click()
    page.wait_for_url(f"{live_server.url}/cases/")


def test_the_more_menu_opens_and_escape_closes_it(page_for, live_server, world):  # noqa: F811
    page = page_for(world["manager"], viewport={"width": 1366, "height": 900})
    jobs = page.get_by_role("link", name="Jobs")
    assert not jobs.is_visible()
    page.locator("details.more summary").click()
    assert jobs.is_visible()
    page.keyboard.press("Escape")
    assert not jobs.is_visible()
    page.locator("details.more summary").click()
    jobs.click()
    page.wait_for_url(f"{live_server.url}/jobs/")
