"""The radar page, the dashboard panels, the ideas page and the per-person view."""

from datetime import timedelta

from django.utils import timezone

from interactions import services as interaction_services
from interactions.tests.factories import CustomerFactory, GestureFactory
from radar.models import Idea

from .history import visit


def _birthday_in(days, team):
    day = timezone.localtime(timezone.now(), team.tz).date() + timedelta(days=days)
    return [{"label": "Birthday", "date": f"{day.month:02d}-{day.day:02d}"}]


def test_radar_page_shows_every_section_for_a_manager_only(client_as, manager, frontline, team, other_team):
    g = GestureFactory(team=team, name="Welcome drink")
    visit(CustomerFactory(team=team), timezone.now() - timedelta(days=1), gestures=[g])
    page = client_as(manager).get("/radar/")
    assert page.status_code == 200
    html = page.content.decode()
    for section in ('id="drift"', 'id="nothing-left"', 'id="occasions"', 'id="ideas"', 'id="returns"', "Welcome drink"):
        assert section in html
    assert client_as(frontline).get("/radar/").status_code == 403
    assert client_as(manager).get(f"/radar/?team={other_team.id}").status_code == 404
    chart = client_as(manager).get(f"/radar/chart.png?team={team.id}")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/png" and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_as(manager).get(f"/radar/chart.png?team={other_team.id}").status_code == 404
    assert client_as(manager).get("/radar/chart.png").status_code == 400


def test_dashboard_shows_occasions_to_everyone_and_the_radar_to_managers(client_as, frontline, manager, team, other_team, other_frontline):
    interaction_services.customer_create(actor=frontline, team=team, name="Anna Birthday", special_dates=_birthday_in(3, team))
    GestureFactory(team=team, name="Birthday cake", base_level=6)
    html = client_as(frontline).get("/").content.decode()
    assert "Anna Birthday" in html and "Never had, and fits: Birthday cake" in html and "in 3 days" in html
    assert 'id="dashboard-radar"' not in html
    assert "Anna Birthday" not in client_as(other_frontline).get("/").content.decode()
    managers = client_as(manager).get("/").content.decode()
    assert 'id="dashboard-radar"' in managers and "Open the radar" in managers


def test_ideas_page_propose_and_decide(client_as, frontline, manager, team, other_team, django_assert_max_num_queries):
    client = client_as(frontline)
    planted = client.post("/ideas/", {"team": other_team.id, "kind": "gesture", "title": "Planted", "story": "x"})
    assert planted.status_code == 400 and not Idea.objects.exists()
    assert client.get("/ideas/").status_code == 200
    bad = client.post("/ideas/", {"team": team.id, "kind": "gesture", "title": "No story", "story": ""})
    assert bad.status_code == 400
    done = client.post("/ideas/", {"team": team.id, "kind": "gesture", "title": "Polaroid", "story": "They ask for a photo."})
    assert done.status_code == 302
    idea = Idea.objects.get(title="Polaroid")
    assert f'action="/ideas/{idea.pk}/decide/"' not in client.get("/ideas/").content.decode()  # frontline do not decide
    boss = client_as(manager)
    assert f'action="/ideas/{idea.pk}/decide/"' in boss.get("/ideas/").content.decode()
    boss.post(f"/ideas/{idea.pk}/decide/", {"decision": "decline", "note": "Too costly."})
    idea.refresh_from_db()
    assert (idea.status, idea.decision_note, idea.decided_by_id) == ("declined", "Too costly.", manager.pk)
    with django_assert_max_num_queries(12) as few:
        boss.get("/ideas/")
    for i in range(15):
        Idea.objects.create(team=team, kind="gesture", title=f"i{i}", story="s", proposed_by=frontline, proposed_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        boss.get("/ideas/")


def test_people_view_managers_see_their_team_everyone_else_themselves(client_as, frontline, manager, team):
    c = CustomerFactory(team=team)
    visit(c, timezone.now() - timedelta(days=2), level=5, logged_by=frontline, customer_level=6)
    visit(c, timezone.now() - timedelta(days=1), level=3, logged_by=frontline)
    visit(c, timezone.now() - timedelta(days=1), level=4, logged_by=manager)
    html = client_as(manager).get("/radar/people/").content.decode()
    assert "fiona" in html and "manny" in html
    own = client_as(frontline).get("/radar/people/").content.decode()
    assert "fiona" in own and "manny" not in own
    assert "50%" in own  # one of her two interactions at Desired or higher


def test_the_log_form_notes_an_occasion(client_as, frontline, team):
    from interactions.models import Interaction

    customer = CustomerFactory(team=team)
    client = client_as(frontline)
    half = client.post("/log/", {"customer": customer.id, "channel": "phone", "promise_kept": "on", "occasion_kind": "anniversary"})
    assert half.status_code == 400 and "An occasion needs its kind and its date." in half.content.decode()
    done = client.post(
        "/log/", {"customer": customer.id, "channel": "phone", "promise_kept": "on", "occasion_kind": "anniversary", "occasion_date": "2027-01-03"}
    )
    assert done.status_code in (200, 302)
    interaction = Interaction.objects.get(customer=customer)
    assert (interaction.occasion_kind, interaction.occasion_date.isoformat()) == ("anniversary", "2027-01-03")


def test_a_rule_marked_for_review_says_so_in_the_ranking(client_as, manager, frontline, team, rule):
    from radar import services

    idea = services.idea_propose(actor=frontline, team=team, kind="dumb_rule", title="Drop it", story="Every week.", rule=rule)
    services.idea_accept(actor=manager, idea=idea, note="Next meeting.")
    assert "marked for review" in client_as(manager).get("/rules/").content.decode()
