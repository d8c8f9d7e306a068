"""/api/radar/ and /api/ideas/: who sees what (team isolation), decisions and their effects, 400/404/409."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from interactions.models import Gesture, Occasion
from interactions.tests.factories import CustomerFactory, GestureFactory
from radar.models import Idea

from .history import visit


def test_a_manager_reads_the_radar_of_their_team(api_as, manager, team):
    g = GestureFactory(team=team, name="Welcome drink")
    c = CustomerFactory(team=team)
    visit(c, timezone.now() - timedelta(days=1), gestures=[g])
    body = api_as(manager).get(f"/api/radar/?team={team.id}").json()
    assert body["team"] == team.id
    assert body["drift"][0]["name"] == "Welcome drink" and body["drift"][0]["share"] == 1.0
    assert set(body) == {"team", "at", "drift", "nothing_left", "occasions", "ideas", "returns"}
    assert body["returns"]["paradox"]["words"] == "Nobody to compare yet."


def test_radar_is_team_isolated_and_for_managers(api_as, manager, frontline, other_team, admin_user, team):
    assert api_as(manager).get(f"/api/radar/?team={other_team.id}").status_code == 404
    assert api_as(manager).get("/api/radar/?team=99999999999").status_code == 404
    assert api_as(manager).get("/api/radar/").status_code == 400
    assert api_as(manager).get("/api/radar/?team=abc").status_code == 400
    assert api_as(frontline).get(f"/api/radar/?team={team.id}").status_code == 403
    assert api_as(admin_user).get(f"/api/radar/?team={other_team.id}").status_code == 200


def test_radar_query_count_stays_flat_as_history_grows(api_as, manager, team, django_assert_max_num_queries):
    gestures = [GestureFactory(team=team) for _ in range(3)]
    client = api_as(manager)

    def grow(n):
        for _ in range(n):
            c = CustomerFactory(team=team, special_dates=[])
            Occasion.objects.create(team=team, customer=c, kind="birthday", month=timezone.now().month, day=timezone.now().day)
            visit(c, timezone.now() - timedelta(days=150), gestures=gestures[:2])
            visit(c, timezone.now() - timedelta(days=2), gestures=gestures[1:])

    from django.core.cache import cache

    grow(2)
    client.get(f"/api/radar/?team={team.id}")
    cache.clear()  # the returns are kept an hour: count them too
    with django_assert_max_num_queries(30) as few:
        assert client.get(f"/api/radar/?team={team.id}").status_code == 200
    grow(10)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/api/radar/?team={team.id}").status_code == 200


def test_anyone_in_the_team_proposes_and_a_manager_accepts_a_wow_idea_as_a_draft_gesture(api_as, frontline, manager, team):
    created = api_as(frontline).post(
        "/api/ideas/", {"team": team.id, "kind": "gesture", "title": "Polaroid at the table", "story": "Guests keep asking for a photo."}, format="json"
    )
    assert created.status_code == 201, created.json()
    idea_id = created.json()["id"]
    assert api_as(frontline).post(f"/api/ideas/{idea_id}/accept/", {}, format="json").status_code == 403
    accepted = api_as(manager).post(f"/api/ideas/{idea_id}/accept/", {"note": "Try it in December."}, format="json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["decision_note"] == "Try it in December." and body["decided_by"] == manager.id
    draft = Gesture.objects.get(pk=body["gesture"])
    assert (draft.name, draft.active, draft.team_id, draft.description) == ("Polaroid at the table", False, team.id, "Guests keep asking for a photo.")
    again = api_as(manager).post(f"/api/ideas/{idea_id}/decline/", {"note": "no"}, format="json")
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action="idea.accepted", subject=f"idea {idea_id}").exists()


def test_accepting_a_dumb_rule_marks_it_for_review_and_declining_needs_a_note(api_as, frontline, manager, team, rule):
    client = api_as(frontline)
    first = client.post("/api/ideas/", {"team": team.id, "kind": "dumb_rule", "title": "Let them swap sides", "story": "Every night someone asks.", "rule": rule.id}, format="json").json()
    second = client.post("/api/ideas/", {"team": team.id, "kind": "dumb_rule", "title": "Again", "story": "Still.", "rule": rule.id}, format="json").json()
    assert api_as(manager).post(f"/api/ideas/{first['id']}/accept/", {}, format="json").status_code == 200
    rule.refresh_from_db()
    assert rule.review_requested_at is not None
    ranked = api_as(manager).get("/api/rules/dumb/").json()
    ranked = ranked["results"] if isinstance(ranked, dict) else ranked
    assert [r["review_requested_at"] is not None for r in ranked if r["id"] == rule.id] == [True]
    refused = api_as(manager).post(f"/api/ideas/{second['id']}/decline/", {"note": ""}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()
    declined = api_as(manager).post(f"/api/ideas/{second['id']}/decline/", {"note": "Reviewed already."}, format="json")
    assert declined.json()["status"] == "declined"


def test_ideas_are_team_isolated(api_as, frontline, other_manager, other_frontline, team, other_team, rule, other_rule):
    mine = Idea.objects.create(team=team, kind="gesture", title="Mine", story="s", proposed_by=frontline, proposed_at=timezone.now())
    assert [i["id"] for i in api_as(frontline).get("/api/ideas/").json()["results"]] == [mine.id]
    assert api_as(other_frontline).get("/api/ideas/").json()["results"] == []
    assert api_as(other_manager).post(f"/api/ideas/{mine.id}/accept/", {}, format="json").status_code == 404
    to_other = api_as(frontline).post("/api/ideas/", {"team": other_team.id, "kind": "gesture", "title": "x", "story": "y"}, format="json")
    assert to_other.status_code == 400 and "team" in to_other.json()
    other_rules = api_as(frontline).post("/api/ideas/", {"team": team.id, "kind": "dumb_rule", "title": "x", "story": "y", "rule": other_rule.id}, format="json")
    assert other_rules.status_code == 400 and "rule" in other_rules.json()
    no_rule = api_as(frontline).post("/api/ideas/", {"team": team.id, "kind": "dumb_rule", "title": "x", "story": "y"}, format="json")
    assert no_rule.status_code == 400 and "rule" in no_rule.json()


def test_idea_list_query_count_stays_flat(api_as, frontline, team, rule, django_assert_max_num_queries):
    client = api_as(frontline)
    for i in range(3):
        Idea.objects.create(team=team, kind="dumb_rule", rule=rule, title=f"i{i}", story="s", proposed_by=frontline, proposed_at=timezone.now())
    with django_assert_max_num_queries(4) as few:
        client.get("/api/ideas/")
    for i in range(20):
        Idea.objects.create(team=team, kind="gesture", title=f"j{i}", story="s", proposed_by=frontline, proposed_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/ideas/").json()["results"]) == 23


def test_an_interaction_notes_an_occasion(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    created = api_as(frontline).post(
        "/api/interactions/",
        {"customer": customer.id, "channel": "phone", "summary": "Booking for their 25th", "occasion": {"kind": "anniversary", "date": "2027-01-03"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["occasion"] == {"kind": "anniversary", "date": "2027-01-03"}
    assert list(Occasion.objects.filter(customer=customer).values_list("kind", "month", "day", "year")) == [("anniversary", 1, 3, 2027)]
    bad = api_as(frontline).post("/api/interactions/", {"customer": customer.id, "channel": "phone", "occasion": {"kind": "party", "date": "x"}}, format="json")
    assert bad.status_code == 400 and "occasion" in bad.json()
    plain = api_as(frontline).post("/api/interactions/", {"customer": customer.id, "channel": "phone"}, format="json")
    assert plain.json()["occasion"] is None
