"""The report's customer's voice: ratings asked and given, our view against theirs, in their words."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interactions import services
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory
from reports.exports import report_rows
from reports.figures import report_as_json, weekly_report
from reports.weeks import IsoWeek

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
W45 = IsoWeek(2026, 45)  # Mon 2 Nov to Sun 8 Nov 2026
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=AMS)


def _rated(frontline, team, *, day, assessed_facts, theirs, comment="", asked=True):
    at = datetime(2026, 11, day, 12, 0, tzinfo=AMS)
    interaction = services.interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="phone", occurred_at=at, **assessed_facts)
    if theirs:
        services.interaction_rate(interaction=interaction, level=theirs, comment=comment)
    Interaction.objects.filter(pk=interaction.pk).update(
        rating_requested_at=at + timedelta(hours=1) if asked else None, rated_at=at + timedelta(hours=3) if theirs else None
    )
    return interaction


def test_the_week_shows_how_often_and_how_far_the_customers_level_differs_from_ours_and_their_words(team, frontline):
    expected = {}  # assessed Expected (3)
    _rated(frontline, team, day=2, assessed_facts=expected, theirs=1, comment="Waited forever for the answer")
    _rated(frontline, team, day=3, assessed_facts=expected, theirs=3, comment="Fine")
    _rated(frontline, team, day=4, assessed_facts={"matched_preference": True}, theirs=6, comment="<b>Wow</b>", asked=False)
    _rated(frontline, team, day=5, assessed_facts=expected, theirs=None)  # asked, no answer
    _rated(frontline, team, day=12, assessed_facts=expected, theirs=2, comment="Next week's")  # another week
    report = weekly_report(team, W45, now=NOW)
    voice = report_as_json(report)["voice"]
    assert (voice["asked"], voice["rated"], voice["rated_after_asking"]) == (3, 3, 2)
    assert (voice["differs"], voice["customer_higher"], voice["customer_lower"]) == (2, 1, 1)
    assert voice["differ_share"] == round(2 / 3, 4)
    assert voice["average_difference"] == round((2 + 0 + 2) / 3, 2) and voice["average_signed_difference"] == 0
    assert [(c["customer_level"], c["comment"]) for c in voice["comments"]] == [
        (1, "Waited forever for the answer"), (3, "Fine"), (6, "<b>Wow</b>"),
    ]
    assert voice["comments"][0]["words"] == "You let me down"
    assert ["in their words", "You let me down", "Waited forever for the answer", 1] in report_rows(report)


def test_at_most_five_comments_lowest_first(team, frontline):
    for day, level in zip(range(2, 9), [5, 4, 1, 6, 2, 3, 2]):
        _rated(frontline, team, day=day, assessed_facts={}, theirs=level, comment=f"level {level} on {day}")
    comments = report_as_json(weekly_report(team, W45, now=NOW))["voice"]["comments"]
    assert [c["customer_level"] for c in comments] == [1, 2, 2, 3, 4]
    assert comments[1]["comment"] == "level 2 on 8", "the newer of two equal ratings first"


def test_the_page_and_the_mail_show_it_escaped(client, manager, team, frontline):
    from django.template.loader import render_to_string

    _rated(frontline, team, day=2, assessed_facts={}, theirs=2, comment="<script>x</script> slow")
    client.force_login(manager)
    html = client.get("/reports/weekly/", {"team": team.id, "week": "2026-W45"}).content.decode()
    assert "The customer&#x27;s voice" in html or "The customer's voice" in html
    assert "&lt;script&gt;x&lt;/script&gt; slow" in html and "<script>x</script>" not in html
    report = weekly_report(team, W45, now=NOW)
    text = render_to_string("reports/sections/voice.txt", {"f": report.figures["voice"]})
    assert 'Not great: "<script>x</script> slow"' in text and "differs from ours in 1 ratings" in text
