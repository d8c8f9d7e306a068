"""What the customer writes reaches the team: the interaction API and page, the case page, the
customer's page and the dashboard's "What customers said" panel (lowest first), always escaped."""

import pytest
from django.urls import reverse

from interactions import services as interaction_services
from interactions.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NASTY = '<script>alert("x")</script> Waited forever for the answer'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Waited forever for the answer"


@pytest.fixture
def rated(dutch_customer, log):
    """A rating of 2 ('Not great') with a comment: it opens a case."""
    interaction = log(dutch_customer)
    interaction_services.interaction_rate(interaction=interaction, level=2)
    interaction_services.interaction_comment(interaction=interaction, comment=NASTY)
    interaction.refresh_from_db()
    return interaction


def test_the_comment_is_on_the_interaction_api(api_as, frontline, rated):
    body = api_as(frontline).get(f"/api/interactions/{rated.pk}/").json()
    assert body["customer_comment"] == NASTY and body["customer_level"] == 2
    assert "rating_requested_at" in body
    listed = api_as(frontline).get("/api/interactions/").json()["results"][0]
    assert listed["customer_comment"] == NASTY


def test_the_comment_shows_escaped_on_the_case_page_customer_page_and_interaction_page(client, manager, rated):
    client.force_login(manager)
    pages = [
        reverse("web:case-detail", args=[rated.recovery_case.pk]),
        reverse("web:customer-detail", args=[rated.customer_id]),
        reverse("web:interaction-edit", args=[rated.pk]),
    ]
    for path in pages:
        html = client.get(path).content.decode()
        assert ESCAPED in html and NASTY not in html, path
        assert "Not great" in html, path


def test_the_dashboard_panel_lists_recent_ratings_lowest_first_escaped(client, manager, rated, team, log):
    happy = log(CustomerFactory(team=team, name="Bram Happy"), hours_ago=1)
    interaction_services.interaction_rate(interaction=happy, level=6, comment="Lovely")
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    panel = html[html.index("What customers said"):]
    assert ESCAPED in panel and NASTY not in html
    assert panel.index("Not great") < panel.index("Blown away") < panel.index("Lovely")


def test_the_dashboard_reads_the_panel_in_one_query_however_many_ratings(client, manager, team, log, django_assert_max_num_queries):
    from django.core.cache import cache

    client.force_login(manager)

    def rate(n):
        for i in range(n):
            interaction = log(CustomerFactory(team=team), hours_ago=1 + i / 10)
            interaction_services.interaction_rate(interaction=interaction, level=1 + i % 6, comment=f"said {i}")

    rate(2)
    cache.clear()
    client.get(reverse("dashboard"))  # warm up: session, user, sites
    cache.clear()
    with django_assert_max_num_queries(26) as few:
        client.get(reverse("dashboard"))
    rate(10)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("dashboard")).content.decode()
    assert html.count("said ") >= 10
