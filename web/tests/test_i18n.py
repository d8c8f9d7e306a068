"""English and Dutch: the Dutch catalogue is complete and the language follows the user or the browser."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
# The project's catalogue and the apps' own (strings of an app with a locale/ folder live there).
CATALOGUES = sorted(ROOT.glob("locale/nl/LC_MESSAGES/django.po")) + sorted(ROOT.glob("*/locale/nl/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dutch_catalogue_is_complete_and_compiled(po):
    text = po.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n")[1:] if not e.lstrip().startswith("#~")]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.M) and not re.search(r'^msgstr(\[\d\])? ""\n"', e, re.M)]
    fuzzy = [e for e in entries if re.search(r"^#,.*fuzzy", e, re.M)]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]
    assert po.with_suffix(".mo").exists()


@pytest.mark.django_db
def test_user_language_setting_wins_over_the_browser(client, frontline):
    frontline.language = "nl"
    frontline.save()
    client.force_login(frontline)
    page = client.get(reverse("web:log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl">' in page
    assert "Belofte nagekomen" in page and "Interactie vastleggen" in page


@pytest.mark.django_db
def test_browser_language_is_used_without_a_setting(client, frontline):
    client.force_login(frontline)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9").content.decode()
    assert "Open zaken op SLA" in page
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Open cases by SLA" in page


@pytest.mark.django_db
def test_dutch_countdown_and_standings(client, frontline, team):
    from interactions.services import interaction_log
    from interactions.tests.factories import CustomerFactory, GestureFactory

    frontline.language = "nl"
    frontline.save()
    customer = CustomerFactory(team=team)
    gesture = GestureFactory(team=team, base_level=6)
    interaction_log(actor=frontline, customer=customer, channel="phone", promise_kept=False)
    client.force_login(frontline)
    assert "nog 3 u 59 min" in client.get(reverse("dashboard")).content.decode()
    page = client.get(reverse("web:log-gestures"), {"customer": customer.pk}).content.decode()
    assert "nooit: Ongelooflijk" in page
    interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[gesture])
    page = client.get(reverse("web:log-gestures"), {"customer": customer.pk}).content.decode()
    assert "2e keer: nu Verrassend" in page
