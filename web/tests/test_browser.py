"""Real headless Chromium (Debian's) driving the staff pages against a live server.

Each flow saves a screenshot under test-artifacts/screenshots/ so a person can look at the pages.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import ManagerFactory, UserFactory
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase, Rule, RuleBend
from recovery.services import steps as recovery_steps
from tests.browser import chromium_session, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    yield from chromium_session()


@pytest.fixture
def page_for(browser, live_server):
    """A logged-in page; the test fails if any page logged a console error (a CSP violation, a 500 from htmx)."""
    contexts = []
    errors = []

    def make(user=None, *, viewport=None, locale="en-GB", **kwargs):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale=locale, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        if user is not None:
            sign_in(page, live_server.url, user)
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()
    # A form answered 400 with its messages is the page working, not an error.
    assert [e for e in errors if "status of 400" not in e and "status of 409" not in e] == []  # a stale action answers 409 with why


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(db):
    from accounts.tests.factories import TeamFactory

    team = TeamFactory(name="Harbour Bistro")
    frontline = UserFactory(username="sam", teams=[team])
    manager = ManagerFactory(username="maria", teams=[team], approval_limit=500)
    customer = CustomerFactory(team=team, name="Anna de Vries", email="anna@example.com")
    CustomerFactory(team=team, name="Bram Bakker", email="bram@example.com")
    gestures = [
        GestureFactory(team=team, name="Free dessert", base_level=5),
        GestureFactory(team=team, name="Chef's table", base_level=6),
    ]
    rule = Rule.objects.create(team=team, name="No table changes after 18:00")
    return {"team": team, "frontline": frontline, "manager": manager, "customer": customer, "gestures": gestures, "rule": rule}


def _log_criminal(page, live_server):
    page.goto(f"{live_server.url}{reverse('web:log')}")
    page.get_by_label("Find a customer").press_sequentially("Anna", delay=20)
    page.locator("#customer-matches input[name=customer]:checked").wait_for()
    page.locator("#gestures").get_by_text("never: Unbelievable").wait_for()  # standings for Anna came in
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Promise kept").uncheck()
    page.get_by_label("Late").check()
    page.get_by_label("Summary").fill("Booked table was given away")
    page.get_by_role("button", name="Log interaction").click()
    page.locator("#result").wait_for()


def test_frontline_logs_a_criminal_interaction_and_sees_the_case(page_for, live_server, world):
    page = page_for(world["frontline"])
    _log_criminal(page, live_server)
    case = RecoveryCase.objects.get(customer=world["customer"])
    result = page.locator("#result").inner_text()
    assert "Criminal" in result and f"Recovery case #{case.pk} opened." in result and "due in" in result
    shot(page, "01-log-criminal")
    page.get_by_role("link", name="Open the case").click()
    assert f"Case #{case.pk}" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/")
    assert f"#{case.pk} Anna de Vries" in page.locator("#open-cases").inner_text()
    shot(page, "01-dashboard-with-case")


def test_logging_works_without_javascript(page_for, live_server, world):
    page = page_for(world["frontline"], java_script_enabled=False)
    page.goto(f"{live_server.url}{reverse('web:log')}")
    page.get_by_label("Find a customer").fill("Anna")
    page.get_by_role("button", name="Find").click()
    assert page.locator("input[name=customer]:checked").count() == 1
    page.get_by_label("Promise kept").uncheck()
    page.get_by_role("button", name="Log interaction").click()
    assert "Recovery case #" in page.locator("#result").inner_text()
    shot(page, "02-log-without-js")


def _tab_to(page, selector, limit=40):
    """Press Tab until the element matching `selector` has the focus (it must be keyboard reachable)."""
    for _ in range(limit):
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_logging_with_the_keyboard_only(page_for, live_server, world):
    page = page_for(world["frontline"])
    page.goto(f"{live_server.url}{reverse('web:log')}")
    assert page.evaluate("document.activeElement.id") == "id_q"  # the search has the focus on arrival
    page.keyboard.type("Anna", delay=20)
    page.locator("#customer-matches input[name=customer]:checked").wait_for()
    page.locator("#gestures").get_by_text("never: Unbelievable").wait_for()
    _tab_to(page, "input[name=channel]:checked")
    page.keyboard.press("ArrowRight")  # Phone -> Email
    _tab_to(page, "#id_promise_kept")
    page.keyboard.press("Space")
    _tab_to(page, "input[name=issues][value=late]")
    page.keyboard.press("Space")
    _tab_to(page, "#id_summary")
    page.keyboard.type("Table given away")
    _tab_to(page, "button.primary[type=submit]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    page.locator("#result").wait_for()
    interaction = world["customer"].interactions.get()
    assert interaction.channel == "email" and not interaction.promise_kept and interaction.issues == ["late"]
    assert "Criminal" in page.locator("#result").inner_text()
    shot(page, "02-log-keyboard-only")


def test_frontline_fixes_surprises_and_the_case_closes(page_for, live_server, world):
    page = page_for(world["frontline"])
    _log_criminal(page, live_server)
    case = RecoveryCase.objects.get(customer=world["customer"])
    page.get_by_role("link", name="Open the case").click()
    page.get_by_role("button", name="Mark fixed").click()  # empty note: the form says what is missing
    assert "This field is required." in page.locator(".errorlist").first.inner_text()
    page.get_by_label("What was fixed").fill("Gave them the best table at 19:00")
    page.get_by_role("button", name="Mark fixed").click()
    assert "Case marked fixed" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Close the case").count() == 0  # frontline: no close without surprise
    recommended = page.locator("#id_gesture option").nth(1).inner_text()
    assert recommended == "Chef's table"  # never received, highest level first
    page.get_by_label("Surprise gesture").select_option(label=recommended)
    page.get_by_role("button", name="Record the surprise").click()
    assert "Surprise recorded." in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Close the case").click()
    assert "Case closed." in page.locator(".messages").inner_text()
    assert "Closed" in page.locator(".case-status").inner_text()
    case.refresh_from_db()
    assert case.status == RecoveryCase.Status.CLOSED and case.surprise_level == 6
    shot(page, "03-case-closed")


def test_manager_closes_a_fixed_case_without_surprise_with_a_reason(page_for, live_server, world):
    from interactions.services import interaction_log

    case = interaction_log(actor=world["frontline"], customer=world["customer"], channel="phone", promise_kept=False).recovery_case
    recovery_steps.case_fix(actor=world["frontline"], case=case, note="Refunded")
    page = page_for(world["manager"])
    page.goto(f"{live_server.url}{reverse('web:case-detail', args=[case.pk])}")
    page.get_by_role("button", name="Close the case").click()
    assert "Write why the case closes without a surprise." in page.locator(".close-form").inner_text()
    page.get_by_label("Reason for closing without a surprise").fill("Customer asked us not to contact them again")
    page.get_by_role("button", name="Close the case").click()
    assert "Case closed." in page.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.status == RecoveryCase.Status.CLOSED and case.close_reason.startswith("Customer asked")
    shot(page, "03-case-closed-by-manager")


def _pending_bend(world) -> RuleBend:
    """A bend the world's frontline asked for, waiting for the manager."""
    from django.utils import timezone

    return RuleBend.objects.create(
        rule=world["rule"], team=world["team"], customer=world["customer"], justification="Anniversary dinner",
        cost=40, requested_by=world["frontline"], requested_at=timezone.now(),
    )


def test_manager_approves_a_bend_from_the_queue(page_for, live_server, world):
    bend = _pending_bend(world)
    page = page_for(world["manager"])
    page.goto(f"{live_server.url}{reverse('web:bends')}")
    row = page.locator(f"#bend-{bend.pk}")
    row.get_by_label("Note").fill("Worth it for a regular")
    row.get_by_role("button", name="Approve").click()
    page.locator(f"#bend-{bend.pk} .decision").wait_for()
    assert "Approved" in page.locator(f"#bend-{bend.pk}").inner_text()
    bend.refresh_from_db()
    assert bend.status == RuleBend.Status.APPROVED and bend.decided_by == world["manager"]
    shot(page, "04-bend-approved")


def test_a_bend_decided_meanwhile_says_so_in_its_row(page_for, live_server, world):
    from django.utils import timezone

    bend = _pending_bend(world)
    page = page_for(world["manager"])
    page.goto(f"{live_server.url}{reverse('web:bends')}")
    # another manager decides it while this page is open
    RuleBend.objects.filter(pk=bend.pk).update(status=RuleBend.Status.REJECTED, decided_at=timezone.now(), decision_note="No")
    page.locator(f"#bend-{bend.pk}").get_by_role("button", name="Approve").click()
    page.locator(f"#bend-{bend.pk} [role=alert]").wait_for()
    assert "already decided" in page.locator(f"#bend-{bend.pk}").inner_text()
    assert RuleBend.objects.get(pk=bend.pk).status == RuleBend.Status.REJECTED
    shot(page, "04b-bend-decided-meanwhile")


def test_customer_rates_basic_on_a_phone_and_the_case_appears_on_the_board(page_for, live_server, world):
    from interactions.services import feedback_url, interaction_log

    interaction = interaction_log(actor=world["frontline"], customer=world["customer"], channel="phone")
    path = feedback_url(interaction).split("/feedback/", 1)[1]
    phone = page_for(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/feedback/{path}")
    shot(phone, "05-feedback-phone-form")
    phone.get_by_role("button", name="Not great").tap()  # one tap, as a thumb would, rates
    phone.wait_for_selector("textarea[name=comment]")
    shot(phone, "05-feedback-phone")
    case = RecoveryCase.objects.get(interaction=interaction)
    assert case.severity == 2
    staff = page_for(world["frontline"])
    staff.goto(f"{live_server.url}{reverse('web:cases')}")
    assert f"#{case.pk} Anna de Vries" in staff.locator("#col-open").locator("xpath=..").inner_text()
    shot(staff, "05-board-after-feedback")


def test_dutch_ui_shows_dutch_labels(page_for, live_server, world):
    world["frontline"].language = "nl"
    world["frontline"].save()
    page = page_for(world["frontline"], locale="nl-NL")
    page.goto(f"{live_server.url}{reverse('web:log')}")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Interactie vastleggen"
    assert page.get_by_label("Belofte nagekomen").count() == 1
    assert page.get_by_role("button", name="Vastleggen").count() == 1
    shot(page, "06-dutch-log")
    page.goto(f"{live_server.url}/")
    assert "Open zaken" in page.locator("#open-cases").inner_text()
    shot(page, "06-dutch-dashboard")


def test_manager_dashboard_and_customer_page_render_for_a_person(page_for, live_server, world):
    """Not a workflow: the manager's dashboard (chart, queue) and a customer's page, for a person to look at."""
    from django.utils import timezone

    from interactions.services import interaction_log

    fl, customer = world["frontline"], world["customer"]
    dessert, chef = world["gestures"]
    interaction_log(actor=fl, customer=customer, channel="phone", matched_preference=True, summary="Booked by phone as usual")
    interaction_log(actor=fl, customer=customer, channel="in_person", gestures=[dessert], summary="Birthday dessert")
    interaction_log(actor=fl, customer=customer, channel="email", promise_kept=False, summary="Lost the reservation")
    interaction_log(actor=fl, customer=customer, channel="chat", issues=["late"], summary="Answered a day late")
    RuleBend.objects.create(
        rule=world["rule"], team=world["team"], customer=customer, justification="Anniversary dinner",
        cost=40, requested_by=fl, requested_at=timezone.now(),
    )
    page = page_for(world["manager"])
    page.goto(f"{live_server.url}/")
    chart = page.locator("#week-chart-title").text_content()
    assert "Criminal 1" in chart and "Basic 1" in chart and "Desired 1" in chart and "Surprising 1" in chart
    assert "No table changes after 18:00" in page.locator("#dumb-h").locator("xpath=..").inner_text()
    shot(page, "07-manager-dashboard")
    page.goto(f"{live_server.url}{reverse('web:customer-detail', args=[customer.pk])}")
    assert "Chef's table" in page.locator("#surprise-h").locator("xpath=..").inner_text()
    shot(page, "07-customer-page")
    page.goto(f"{live_server.url}{reverse('web:cases')}")
    shot(page, "07-case-board")
    page.goto(f"{live_server.url}{reverse('web:bends')}")
    shot(page, "07-bend-queue")
    case = RecoveryCase.objects.filter(customer=customer).first()
    page.goto(f"{live_server.url}{reverse('web:case-detail', args=[case.pk])}")
    shot(page, "07-case-page")


def test_staff_pages_fit_a_phone_screen(page_for, live_server, world):
    from interactions.services import interaction_log

    interaction_log(actor=world["frontline"], customer=world["customer"], channel="phone", promise_kept=False)
    page = page_for(world["frontline"], viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for name, url in [("dashboard", "/"), ("log", reverse("web:log")), ("cases", reverse("web:cases")),
                      ("customer", reverse("web:customer-detail", args=[world["customer"].pk]))]:
        page.goto(f"{live_server.url}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
        shot(page, f"08-phone-{name}")
