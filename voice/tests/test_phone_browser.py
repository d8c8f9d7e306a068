"""The customer's side on a phone, in a real headless Chromium: the rating request's links, one tap,
the comment, the thank-you, in English and in Dutch. Screenshots of each step go to
test-artifacts/screenshots/voice-*.png; every answer is a tap target of at least 44x44 px."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from interactions import services
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory
from notifications.services import emails_send_pending
from tests.browser import in_browser_thread
from voice.services import rating_requests_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
WORDS = {
    "en": {"answer": "Pleasantly surprised", "send": "Send my comment", "thanks": "Thank you", "top": "Blown away"},
    "nl": {"answer": "Aangenaam verrast", "send": "Verstuur mijn opmerking", "thanks": "Dank u wel", "top": "Helemaal onder de indruk"},
}


def _mailed_links(live_server, team, frontline, language):
    """Two customers asked by mail; each mail's six one-tap links, pointed at the live server."""
    at = timezone.now() - timedelta(hours=2)
    customers = [CustomerFactory(team=team, language=language) for _ in range(2)]
    for customer in customers:
        services.interaction_log(actor=frontline, customer=customer, channel="email", occurred_at=at)
    mail.outbox.clear()
    assert rating_requests_send() == 2
    emails_send_pending()
    links = {}
    for message in mail.outbox:
        urls = re.findall(r"http://localhost:8000(/feedback/[0-9a-f]{32}/\?level=\d)", message.body)
        assert len(urls) == 6, message.body
        links[message.to[0]] = [live_server.url + url for url in urls]
    return [links[c.email] for c in customers]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_from_the_mail_one_tap_then_a_comment_then_thanks_on_a_phone(short_lived_connections, live_server, frontline, team, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first, second = _mailed_links(live_server, team, frontline, language)
    words = WORDS[language]

    def steps(page, seen):
        # The page behind the mail's link, without the answer: the six answers, each one tap.
        page.goto(first[0].split("?")[0])
        buttons = page.locator('button[name="level"]')
        seen["answers"] = buttons.all_inner_texts()
        seen["smallest"] = min(min(b["width"], b["height"]) for b in (buttons.nth(i).bounding_box() for i in range(buttons.count())))
        seen["fits"] = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(SCREENSHOTS / f"voice-{language}-1-answers.png"), full_page=True)
        page.get_by_role("button", name=words["answer"]).tap()
        page.wait_for_selector("textarea[name=comment]", timeout=15_000)
        send = page.get_by_role("button", name=words["send"]).bounding_box()
        seen["send"] = min(send["width"], send["height"])
        page.fill("textarea[name=comment]", "<b>Snel</b> en vriendelijk" if language == "nl" else "<b>Quick</b> and kind")
        page.screenshot(path=str(SCREENSHOTS / f"voice-{language}-2-comment.png"), full_page=True)
        page.get_by_role("button", name=words["send"]).tap()
        page.wait_for_selector(f"h1:has-text('{words['thanks']}')", timeout=15_000)
        seen["thanks"] = page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"voice-{language}-3-thanks.png"), full_page=True)
        # The mail's own one-tap link for "Blown away": the page sends it by itself.
        page.goto(second[5])
        page.wait_for_selector("textarea[name=comment]", timeout=15_000)
        seen["one_tap"] = page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"voice-{language}-4-one-tap-from-mail.png"), full_page=True)

    seen = in_browser_thread(steps, **PHONE)
    assert len(seen["answers"]) == 6 and words["answer"] in seen["answers"]
    assert seen["smallest"] >= 44 and seen["send"] >= 44, seen
    assert seen["fits"]
    assert words["top"] in seen["one_tap"], seen["one_tap"]  # the page confirms the answer, in their words
    assert "Criminal" not in " ".join(seen["answers"]) and "Crimineel" not in " ".join(seen["answers"])
    rated = Interaction.objects.filter(customer_level__isnull=False).order_by("rated_at")
    assert [(i.customer_level, bool(i.customer_comment)) for i in rated] == [(5, True), (6, False)]
    assert rated[0].customer_comment.startswith("<b>")
