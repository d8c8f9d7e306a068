"""In a real browser: "my cases", the bell's count moving after an assignment, the board's filters
in the URL. Screenshots under test-artifacts/screenshots/."""

import pytest
from django.urls import reverse

from accounts.tests.factories import ManagerFactory, TeamFactory, UserFactory
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase

from .test_browser import browser, page_for, shot  # noqa: F401  (the shared browser fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_of_three(db):
    team = TeamFactory(name="Harbour Bistro", timezone="Europe/Amsterdam", business_hours="mon-sat 09:00-22:00", holiday_country="NL")
    sam = UserFactory(username="sam", first_name="Sam", teams=[team])
    carla = UserFactory(username="carla", first_name="Carla", teams=[team])
    ManagerFactory(username="maria", teams=[team])
    anna = CustomerFactory(team=team, name="Anna de Vries")
    bram = CustomerFactory(team=team, name="Bram Bakker")
    criminal = interaction_log(actor=sam, customer=anna, channel="phone", promise_kept=False, summary="Table given away").recovery_case
    basic = interaction_log(actor=sam, customer=bram, channel="email", promise_kept=True, issues=["late"], summary="Late").recovery_case
    return {"sam": sam, "carla": carla, "criminal": criminal, "basic": basic}


def test_an_assignment_lands_in_my_cases_and_rings_the_bell(page_for, live_server, team_of_three):
    sam, carla, case = team_of_three["sam"], team_of_three["carla"], team_of_three["criminal"]
    carla_page = page_for(carla)
    assert carla_page.locator("#bell .count").inner_text() == "0"
    assert "No cases of yours are open" in carla_page.locator("#my-cases").inner_text()

    sam_page = page_for(sam)
    sam_page.goto(f"{live_server.url}{reverse('web:case-detail', args=[case.pk])}")
    assert "Sam" in sam_page.locator("#owner").inner_text()
    sam_page.locator(".assign-form select[name=owner]").select_option(label="Carla")
    sam_page.locator(".assign-form").get_by_role("button", name="Assign").click()
    sam_page.locator(".messages").wait_for()
    assert "assigned to carla" in sam_page.locator(".messages").inner_text()
    assert "Carla" in sam_page.locator("#owner").inner_text()
    assert "sam → carla" in sam_page.locator(".timeline").inner_text()
    shot(sam_page, "20-case-assigned")

    carla_page.reload()
    assert carla_page.locator("#bell .count").inner_text() == "1"
    assert f"#{case.pk} Anna de Vries" in carla_page.locator("#my-cases").inner_text()
    shot(carla_page, "21-my-cases-on-the-dashboard")

    carla_page.get_by_role("link", name="My cases", exact=True).click()
    carla_page.wait_for_url(f"**{reverse('web:cases')}?owner=me")
    board = carla_page.locator(".board").inner_text()
    assert f"#{case.pk} Anna de Vries" in board and "Bram Bakker" not in board
    shot(carla_page, "22-my-cases-board")

    carla_page.locator("#bell").click()
    carla_page.wait_for_url(f"**{reverse('web:notifications')}")
    carla_page.get_by_role("link", name=f"Case #{case.pk} for Anna de Vries is yours").click()
    carla_page.wait_for_url(f"**{reverse('web:case-detail', args=[case.pk])}")
    assert carla_page.locator("#bell .count").inner_text() == "0"


def test_the_board_filters_live_in_the_url_and_a_case_can_be_taken_from_it(page_for, live_server, team_of_three):
    carla, basic, criminal = team_of_three["carla"], team_of_three["basic"], team_of_three["criminal"]
    page = page_for(carla)
    page.goto(f"{live_server.url}{reverse('web:cases')}")
    page.get_by_label("Level").select_option(label="Basic")
    page.get_by_label("Channel").select_option(label="Email")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**severity=2**")
    assert "channel=email" in page.url
    board = page.locator(".board").inner_text()
    assert "Bram Bakker" in board and "Anna de Vries" not in board
    shot(page, "23-board-filtered")

    filtered = page.url
    page.locator(f"#case-{basic.pk}").get_by_role("button", name="Take it").click()
    page.locator(".messages").wait_for()
    assert page.url == filtered, "back on the same filtered board"
    assert "carla" in page.locator(f"#case-{basic.pk} .owner").inner_text()
    assert RecoveryCase.objects.get(pk=basic.pk).owner == carla

    page.goto(filtered.split("?")[0] + "?owner=none")
    assert page.get_by_label("Owner").input_value() == "none", "the form shows the filter from the URL"
    nobodys = page.locator(".board").inner_text()
    assert f"#{criminal.pk}" not in nobodys and f"#{basic.pk}" not in nobodys, "both have owners"
