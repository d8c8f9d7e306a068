"""The staff pages: scoped to the user's teams, actions only when allowed, flat query counts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamSettingChange
from interactions.models import Customer, Interaction, JobRun
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase, Rule, RuleBend

pytestmark = pytest.mark.django_db


def test_pages_ask_for_a_login(client):
    for name in ("dashboard", "web:log", "web:customers", "web:cases", "web:bends", "web:rules", "web:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Dashboard

def test_frontline_dashboard_lists_their_teams_open_cases_soonest_due_first(client_as, frontline, customer, other_customer, other_frontline, log):
    later = log(customer, issues=["late"], promise_kept=True)  # Basic: 24 h
    sooner = log(customer)  # Criminal: 4 h
    log(other_customer, actor=other_frontline)
    page = client_as(frontline).get(reverse("dashboard")).content.decode()
    first, second = (page.index(f"#{case.pk} ") for case in (sooner.recovery_case, later.recovery_case))
    assert first < second
    assert "Otto Outsider" not in page
    assert "due in 3 h 59 min" in page or "due in 4 h 0 min" in page
    assert 'hx-trigger="every 60s"' in page


def test_overdue_cases_say_overdue(client_as, frontline, customer, log):
    case = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=case.pk).update(fix_due=timezone.now() - timedelta(minutes=30))
    page = client_as(frontline).get(reverse("web:dashboard-open-cases")).content.decode()
    assert "overdue by 30 min" in page or "overdue by 29 min" in page
    assert "<html" not in page  # the htmx partial alone


def test_dashboard_shows_todays_level_mix(client_as, frontline, customer, log):
    log(customer)
    log(customer, promise_kept=True)
    page = client_as(frontline).get(reverse("dashboard")).content.decode()
    assert "2 interactions" in page
    assert "<svg" in page and "Criminal 1" in page and "Expected 1" in page


def test_manager_dashboard_has_week_chart_pending_bends_escalated_and_dumb_rules(client_as, manager, customer, log, pending_bend):
    case = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    page = client_as(manager).get(reverse("dashboard")).content.decode()
    assert "This week" in page and 'id="week-chart-title"' in page
    assert "No refunds after 30 days" in page  # pending bend and dumb-rules top 5
    assert "1 asked, 0 approved" in page
    assert f"#{case.pk} Anna de Vries" in page.split('id="esc-h"')[1]


def test_frontline_dashboard_has_no_manager_panels(client_as, frontline):
    page = client_as(frontline).get(reverse("dashboard")).content.decode()
    assert "Dumb rules" not in page and "week-chart" not in page


def _many_cases(team, n, log):
    for i in range(n):
        log(CustomerFactory(team=team, name=f"Customer {i}"))


def test_dashboard_query_count_stays_flat(client_as, manager, team, log, django_assert_max_num_queries):
    client = client_as(manager)
    _many_cases(team, 2, log)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(26):
        client.get(reverse("dashboard"))
    _many_cases(team, 12, log)
    # session, user, teams, stamp; then (the cases changed) 3 case states, the level mixes, bends,
    # escalated, dumb rules, what customers said, the viewer's own cases and the bell's unread count (14); the occasions (up to 3) and the compact radar: the managed teams,
    # then per team its drift watch (4), nothing left (up to 4) and ideas waiting (1)
    with django_assert_max_num_queries(26):
        response = client.get(reverse("dashboard"))
    assert response.content.decode().count('href="/cases/') >= 14


def test_dashboard_panels_come_from_the_cache_until_something_changes(
    client_as, manager, frontline, customer, rule, log, django_assert_max_num_queries
):
    from recovery.services import bends as recovery_bends
    from recovery.services import steps as recovery_steps

    case = log(customer).recovery_case
    client = client_as(manager)
    assert "1 interaction;" in client.get(reverse("dashboard")).content.decode()
    # the session, the user, their teams and the dashboard stamp: the panels come from the cache;
    # the viewer's own cases and the bell's count are theirs alone
    with django_assert_max_num_queries(6):
        page = client.get(reverse("dashboard")).content.decode()
    assert f"#{case.pk} Anna de Vries" in page and "1 interaction;" in page
    log(customer, promise_kept=True)  # a level logged
    assert "2 interactions;" in client.get(reverse("dashboard")).content.decode()
    recovery_steps.case_fix(actor=frontline, case=case)  # a case moved
    panel = client.get(reverse("web:dashboard-open-cases")).content.decode()
    assert f"#{case.pk} Anna de Vries" in panel and "Fixed" in panel
    recovery_bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="Lost parcel", cost=5)
    assert "No refunds after 30 days" in client.get(reverse("dashboard")).content.decode().split('id="bends-h"')[1]


def test_each_team_and_role_gets_its_own_dashboard_panels(client_as, manager, frontline, other_frontline, customer, other_customer, log):
    log(customer)
    log(other_customer, actor=other_frontline)
    assert "Dumb rules" in client_as(manager).get(reverse("dashboard")).content.decode()
    page = client_as(frontline).get(reverse("dashboard")).content.decode()
    assert "Dumb rules" not in page and "Anna de Vries" in page
    page = client_as(other_frontline).get(reverse("dashboard")).content.decode()
    assert "Otto Outsider" in page and "Anna de Vries" not in page


def test_dashboard_answers_without_its_cache(client_as, manager, customer, log, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    case = log(customer).recovery_case
    response = client_as(manager).get(reverse("dashboard"))
    assert response.status_code == 200 and f"#{case.pk} Anna de Vries" in response.content.decode()


@pytest.mark.parametrize("who", ["frontline", "manager", "admin_user"])
def test_dashboard_level_mix_reads_only_the_period_of_named_teams(request, who, client_as, customer, log):
    """No COUNT over the whole interactions table: every aggregate names teams and a start date, so the
    (team, -occurred_at) index serves it (admins included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log(customer)
    Interaction.objects.update(occurred_at=timezone.now() - timedelta(days=400))
    client = client_as(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("dashboard")).content.decode()
    mix = [q["sql"] for q in ctx.captured_queries if 'FROM "interactions_interaction"' in q["sql"] and "COUNT" in q["sql"]]
    assert mix and all('"occurred_at" >=' in sql and '"team_id" IN' in sql for sql in mix)
    assert "0 interactions" in page


# Logging

def test_customer_search_returns_matches_of_own_teams_only(client_as, frontline, customer, other_customer):
    page = client_as(frontline).get(reverse("web:log-customers"), {"q": "o"}).content.decode()
    assert "Anna de Vries" in page and "Otto" not in page
    assert 'name="customer"' in page


def test_search_without_javascript_reloads_the_form_with_the_match_chosen(client_as, frontline, customer, gestures, log):
    log(customer, promise_kept=True, gestures=[gestures["upgrade"]])
    page = client_as(frontline).get(reverse("web:log"), {"q": "anna"}).content.decode()
    assert re.search(rf'value="{customer.pk}" checked', page)
    assert "Room upgrade" in page and "2nd time: now Surprising" in page
    assert "Free dessert" in page and "never: Surprising" in page


def test_gesture_standings_follow_the_escalator(client_as, frontline, customer, gestures, log):
    for _ in range(2):
        log(customer, promise_kept=True, gestures=[gestures["upgrade"]])
    page = client_as(frontline).get(reverse("web:log-gestures"), {"customer": customer.pk}).content.decode()
    assert "3rd time: now Desired" in page
    assert "never: Unbelievable" not in page
    assert "Prefers: Email" in page  # helps to tick "matched their preference"


def test_logging_a_broken_promise_shows_the_level_and_the_case_it_opened(client_as, frontline, customer):
    client = client_as(frontline, enforce_csrf_checks=False)
    response = client.post(reverse("web:log"), {"customer": customer.pk, "channel": "email", "summary": "Parcel never came", "issues": ["late"]})
    assert response.status_code == 302
    interaction = Interaction.objects.get(customer=customer)
    page = client.get(response["Location"]).content.decode()
    assert 'level-1">Criminal' in page
    assert f"Recovery case #{interaction.recovery_case.pk} opened." in page
    assert "due in" in page
    import zoneinfo

    local_due = timezone.localtime(interaction.recovery_case.fix_due, zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert local_due.strftime("%H:%M") in page  # shown in the team's time zone


def test_logging_with_a_kept_promise_and_a_fresh_gesture(client_as, frontline, customer, gestures):
    client = client_as(frontline)
    response = client.post(reverse("web:log"), {"customer": customer.pk, "channel": "phone", "promise_kept": "on", "gestures": [gestures["upgrade"].pk]})
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.level == 6 and not RecoveryCase.objects.exists()
    assert "Unbelievable" in client.get(response["Location"]).content.decode()


def test_logging_creates_a_new_customer_inline(client_as, frontline, team):
    response = client_as(frontline).post(reverse("web:log"), {"new_customer_name": "Bea Nieuw", "new_customer_email": "bea@example.com", "channel": "chat", "promise_kept": "on"})
    assert response.status_code == 302
    customer = Customer.objects.get(name="Bea Nieuw")
    assert customer.team == team and customer.interactions.count() == 1


def test_logging_without_a_customer_shows_a_message(client_as, frontline):
    response = client_as(frontline).post(reverse("web:log"), {"channel": "chat"})
    assert response.status_code == 400
    assert "Choose a customer" in response.content.decode()
    assert not Interaction.objects.exists()


def test_logging_for_another_teams_customer_is_refused(client_as, frontline, other_customer):
    response = client_as(frontline).post(reverse("web:log"), {"customer": other_customer.pk, "channel": "chat"})
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_logging_a_gesture_of_another_team_is_refused(client_as, frontline, customer, other_team):
    from interactions.tests.factories import GestureFactory

    foreign = GestureFactory(team=other_team)
    response = client_as(frontline).post(reverse("web:log"), {"customer": customer.pk, "channel": "chat", "gestures": [foreign.pk]})
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_forms_need_the_csrf_token(client_as, frontline, customer):
    response = client_as(frontline, enforce_csrf_checks=True).post(reverse("web:log"), {"customer": customer.pk, "channel": "chat"})
    assert response.status_code == 403
    page = client_as(frontline).get(reverse("web:log")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def _unlabelled_inputs(page: str) -> list[str]:
    missing = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if 'type="hidden"' in tag:
            continue
        ident = re.search(r'id="([^"]+)"', tag)
        labelled = ident and f'for="{ident.group(1)}"' in page
        wrapped = re.search(r"<label[^>]*>\s*" + re.escape(tag), page)
        if not (labelled or wrapped):
            missing.append(tag)
    return missing


def test_every_input_on_every_page_has_a_label(client_as, manager, team, customer, gestures, log, pending_bend):
    case = log(customer).recovery_case
    fixed = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=fixed.pk).update(status="fixed", fixed_at=timezone.now())
    client = client_as(manager)
    urls = [
        reverse("dashboard"),
        reverse("web:log") + f"?customer={customer.pk}&q=a",
        reverse("web:customers"),
        reverse("web:customer-detail", args=[customer.pk]),
        reverse("web:cases"),
        reverse("web:case-detail", args=[case.pk]),
        reverse("web:case-detail", args=[fixed.pk]),
        reverse("web:bends"),
        reverse("web:bend-request") + f"?case={case.pk}",
        reverse("web:rules"),
        reverse("web:gestures"),
        reverse("web:gesture-edit", args=[gestures["dessert"].pk]),
        reverse("web:gesture-create"),
        reverse("web:rule-create"),
        reverse("web:team-settings", args=[team.pk]),
        reverse("web:jobs"),
        reverse("web:profile"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert _unlabelled_inputs(page) == [], url
        assert page.count("<h1") == 1, url
        assert '<main id="main"' in page and 'class="skip"' in page, url


def test_log_page_query_count_stays_flat(client_as, frontline, customer, gestures, log, django_assert_max_num_queries):
    client = client_as(frontline)
    log(customer)
    client.get(reverse("web:log"))  # first page after login remembers the team's time zone
    with django_assert_max_num_queries(12):
        client.get(reverse("web:log"), {"customer": customer.pk, "q": "a"})
    for i in range(10):
        log(CustomerFactory(team=customer.team, name=f"Anne {i}"), promise_kept=True, gestures=[gestures["dessert"]])
    with django_assert_max_num_queries(12):
        client.get(reverse("web:log"), {"customer": customer.pk, "q": "a"})


# Customers

def test_customer_page_shows_history_profile_recommendation_and_links(client_as, frontline, customer, gestures, log):
    log(customer, promise_kept=True, gestures=[gestures["dessert"]], summary="Birthday dinner")
    case = log(customer).recovery_case
    page = client_as(frontline).get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "Birthday dinner" in page
    recommended = page.split('id="surprise-h"')[1].split("</section>")[0]
    assert recommended.index("Room upgrade") < recommended.index("Bread basket")  # highest effective level first
    assert "Free dessert" not in recommended  # already received
    assert "/feedback/" in page and "/status/" in page
    assert f"#{case.pk}" in page


def test_customer_of_another_team_is_not_found(client_as, frontline, other_customer):
    assert client_as(frontline).get(reverse("web:customer-detail", args=[other_customer.pk])).status_code == 404


def test_customer_list_searches_own_teams(client_as, frontline, customer, other_customer):
    page = client_as(frontline).get(reverse("web:customers"), {"q": "o"}).content.decode()
    assert "Anna de Vries" in page and "Otto" not in page


def test_customer_page_query_count_stays_flat(client_as, frontline, customer, gestures, log, django_assert_max_num_queries):
    client = client_as(frontline)
    log(customer, gestures=[gestures["dessert"]], promise_kept=True)
    with django_assert_max_num_queries(15):
        client.get(reverse("web:customer-detail", args=[customer.pk]))
    for _ in range(10):
        log(customer, gestures=[gestures["dessert"], gestures["bread"]], promise_kept=True)
        log(customer)
    with django_assert_max_num_queries(15):
        client.get(reverse("web:customer-detail", args=[customer.pk]))


# Cases

def test_case_board_groups_cases_by_state(client_as, frontline, customer, other_customer, other_frontline, log):
    open_case = log(customer).recovery_case
    fixed = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=fixed.pk).update(status="fixed", fixed_at=timezone.now(), surprise_due=timezone.now() + timedelta(hours=48))
    log(other_customer, actor=other_frontline)
    page = client_as(frontline).get(reverse("web:cases")).content.decode()
    open_col = page.split('id="col-open"')[1].split("</section>")[0]
    fixed_col = page.split('id="col-fixed"')[1].split("</section>")[0]
    assert f"#{open_case.pk} " in open_col and f"#{fixed.pk} " in fixed_col
    assert "Otto" not in page


def test_case_board_query_count_stays_flat(client_as, frontline, team, log, django_assert_max_num_queries):
    client = client_as(frontline)
    _many_cases(team, 2, log)
    client.get(reverse("web:cases"))  # first page after login remembers the team's time zone
    # + the team's people (the owner filter) and the bell's count
    with django_assert_max_num_queries(10):
        client.get(reverse("web:cases"))
    _many_cases(team, 15, log)
    with django_assert_max_num_queries(10):
        client.get(reverse("web:cases"))


def test_open_case_offers_fix_and_shows_its_timeline(client_as, frontline, customer, log):
    case = log(customer).recovery_case
    page = client_as(frontline).get(reverse("web:case-detail", args=[case.pk])).content.decode()
    assert reverse("web:case-fix", args=[case.pk]) in page
    assert reverse("web:case-close", args=[case.pk]) not in page
    assert "Opened" in page and "fiona" in page


def test_fixed_case_offers_close_without_surprise_to_managers_only(client_as, frontline, manager, customer, log):
    case = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=case.pk).update(status="fixed", fixed_at=timezone.now(), surprise_due=timezone.now() + timedelta(hours=48))
    url = reverse("web:case-detail", args=[case.pk])
    close = reverse("web:case-close", args=[case.pk])
    assert close not in client_as(frontline).get(url).content.decode()
    assert close in client_as(manager).get(url).content.decode()
    response = client_as(frontline).post(close, {"reason": "Customer moved away"})
    assert response.status_code == 403
    assert RecoveryCase.objects.get(pk=case.pk).status == "fixed"


def test_closing_without_surprise_needs_a_written_reason(client_as, manager, customer, log):
    case = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=case.pk).update(status="fixed", fixed_at=timezone.now())
    response = client_as(manager).post(reverse("web:case-close", args=[case.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "Write why the case closes without a surprise." in response.content.decode()


def test_fixing_needs_a_note(client_as, frontline, customer, log):
    case = log(customer).recovery_case
    response = client_as(frontline).post(reverse("web:case-fix", args=[case.pk]), {"note": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert RecoveryCase.objects.get(pk=case.pk).status == "open"


def test_acting_on_a_case_that_moved_on_says_so(client_as, frontline, customer, log):
    case = log(customer).recovery_case
    RecoveryCase.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    client = client_as(frontline)
    response = client.post(reverse("web:case-fix", args=[case.pk]), {"note": "done"})
    assert response.status_code == 409  # the same answer the API gives, with its message on the page
    assert "Only an open case can be fixed; this one is Closed." in response.content.decode()


def test_other_teams_case_is_not_found(client_as, other_frontline, customer, log):
    case = log(customer).recovery_case
    client = client_as(other_frontline)
    assert client.get(reverse("web:case-detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("web:case-fix", args=[case.pk]), {"note": "x"}).status_code == 404


def test_case_page_query_count_stays_flat(client_as, frontline, customer, gestures, log, django_assert_max_num_queries):
    case = log(customer).recovery_case
    client = client_as(frontline)
    with django_assert_max_num_queries(14):
        client.get(reverse("web:case-detail", args=[case.pk]))
    for _ in range(8):
        log(customer, promise_kept=True, gestures=[gestures["dessert"]])
    RecoveryCase.objects.filter(pk=case.pk).update(status="fixed", fixed_at=timezone.now())
    with django_assert_max_num_queries(16):
        page = client.get(reverse("web:case-detail", args=[case.pk])).content.decode()
    assert reverse("web:case-surprise", args=[case.pk]) in page


# Bends

def test_manager_sees_the_queue_with_approve_and_reject(client_as, manager, frontline, pending_bend):
    page = client_as(manager).get(reverse("web:bends")).content.decode()
    assert reverse("web:bend-decide", args=[pending_bend.pk]) in page
    assert 'value="approve"' in page and 'value="reject"' in page
    assert reverse("web:bend-decide", args=[pending_bend.pk]) not in client_as(frontline).get(reverse("web:bends")).content.decode()


def test_frontline_and_the_requester_cannot_decide(client_as, frontline, manager, rule, customer):
    own = RuleBend.objects.create(rule=rule, team=rule.team, customer=customer, justification="x", cost=Decimal("1"), requested_by=manager, requested_at=timezone.now())
    assert client_as(manager).post(reverse("web:bend-decide", args=[own.pk]), {"decision": "approve"}).status_code == 403
    assert client_as(frontline).post(reverse("web:bend-decide", args=[own.pk]), {"decision": "approve"}).status_code == 403
    assert RuleBend.objects.get(pk=own.pk).status == "pending"


def test_other_teams_bend_is_not_found(client_as, other_manager, pending_bend):
    assert client_as(other_manager).post(reverse("web:bend-decide", args=[pending_bend.pk]), {"decision": "approve"}).status_code == 404


def test_bend_request_form_lists_the_teams_rules(client_as, frontline, customer, rule, other_team):
    Rule.objects.create(team=other_team, name="Foreign rule")
    page = client_as(frontline).get(reverse("web:bend-request"), {"customer": customer.pk}).content.decode()
    assert "No refunds after 30 days" in page and "Foreign rule" not in page


def test_bend_request_form_validates(client_as, frontline, customer, rule):
    response = client_as(frontline).post(reverse("web:bend-request"), {"customer": customer.pk, "rule": rule.pk, "justification": "", "cost": "-3"})
    assert response.status_code == 400
    assert not RuleBend.objects.exists()


def test_bends_page_query_count_stays_flat(client_as, manager, frontline, rule, customer, django_assert_max_num_queries):
    client = client_as(manager)

    def add(n):
        for _ in range(n):
            RuleBend.objects.create(rule=rule, team=rule.team, customer=customer, justification="x", cost=Decimal("1"), requested_by=frontline, requested_at=timezone.now())
    add(2)
    client.get(reverse("web:bends"))  # first page after login remembers the team's time zone
    with django_assert_max_num_queries(8):
        client.get(reverse("web:bends"))
    add(12)
    with django_assert_max_num_queries(8):
        client.get(reverse("web:bends"))


# Rules, gestures, team settings, jobs, profile

def test_rules_are_ranked_by_bends_asked(client_as, manager, frontline, team, customer):
    quiet = Rule.objects.create(team=team, name="Quiet rule")
    dumb = Rule.objects.create(team=team, name="Dumb rule")
    for _ in range(3):
        RuleBend.objects.create(rule=dumb, team=team, customer=customer, justification="x", cost=1, requested_by=frontline, requested_at=timezone.now())
    RuleBend.objects.create(rule=quiet, team=team, customer=customer, justification="x", cost=1, requested_by=frontline, requested_at=timezone.now() - timedelta(days=120))
    page = client_as(manager).get(reverse("web:rules")).content.decode()
    assert page.index("Dumb rule") < page.index("Quiet rule")


def test_manager_edits_a_gesture_and_frontline_cannot(client_as, manager, frontline, gestures):
    gesture = gestures["dessert"]
    url = reverse("web:gesture-edit", args=[gesture.pk])
    assert client_as(frontline).get(url).status_code == 403
    response = client_as(manager).post(url, {"name": "Free dessert", "description": "", "base_level": 6, "cost": "5", "active": "on"})
    assert response.status_code == 302
    gesture.refresh_from_db()
    assert gesture.base_level == 6 and gesture.corrected_at is not None


def test_manager_changes_team_settings_with_an_audit_row(client_as, manager, frontline, team):
    url = reverse("web:team-settings", args=[team.pk])
    assert client_as(frontline).get(url).status_code == 403
    data = {"currency": "EUR", "sla_criminal_fix_hours": 2, "sla_basic_fix_hours": 24, "sla_surprise_hours": 48, "say_yes_threshold": "10",
            "familiarity_window_days": 365, "drift_share": "0.5", "drift_min_customers": 20,
            "rating_request_channels": team.rating_request_channels, "rating_request_delay_minutes": 60,
            "rating_request_min_days": 14, "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
    response = client_as(manager).post(url, data)
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.sla_criminal_fix_hours == 2 and team.say_yes_threshold == Decimal("10")
    assert set(TeamSettingChange.objects.values_list("field", flat=True)) == {"sla_criminal_fix_hours", "say_yes_threshold"}
    bad = client_as(manager).post(url, {**data, "drift_share": "3"})
    assert bad.status_code == 400
    voice = {**data, "rating_request_channels": ["email", "chat"], "quiet_hours_start": "22:00", "quiet_hours_end": "07:30"}
    assert client_as(manager).post(url, voice).status_code == 302
    team.refresh_from_db()
    assert team.rating_request_channels == ["email", "chat"] and f"{team.quiet_hours_start:%H:%M}" == "22:00"
    assert {"rating_request_channels", "quiet_hours_start", "quiet_hours_end"} <= set(TeamSettingChange.objects.values_list("field", flat=True))
    assert client_as(manager).post(url, {**voice, "rating_request_min_days": 0}).status_code == 400


def test_team_settings_link_to_the_weekly_report(client_as, manager, team):
    page = client_as(manager).get(reverse("web:team-settings", args=[team.pk])).content.decode()
    assert f"/reports/weekly/?team={team.pk}" in page


def test_jobs_page_shows_progress_to_managers(client_as, manager, frontline):
    JobRun.objects.create(kind="rescore_levels", total=200, done=50)
    page = client_as(manager).get(reverse("web:jobs")).content.decode()
    assert '<progress max="200" value="50"' in page
    assert 'hx-trigger="every 5s"' in page  # a running job refreshes itself
    JobRun.objects.update(status=JobRun.Status.SUCCEEDED, done=200)
    assert 'hx-trigger="every 5s"' not in client_as(manager).get(reverse("web:jobs")).content.decode()
    assert client_as(frontline).get(reverse("web:jobs")).status_code == 403


def test_profile_sets_the_language(client_as, frontline):
    client = client_as(frontline)
    response = client.post(reverse("web:profile"), {"language": "nl"})
    assert response.status_code == 302
    frontline.refresh_from_db()
    assert frontline.language == "nl"
    assert client.post(reverse("web:profile"), {"language": "xx"}).status_code == 400


# Case actions and bend decisions through the recovery services

def test_frontline_fixes_surprises_and_closes_a_case(client_as, frontline, customer, gestures, log):
    case = log(customer).recovery_case
    client = client_as(frontline)
    assert client.post(reverse("web:case-fix", args=[case.pk]), {"note": "Rebooked the table"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "fixed" and case.surprise_due
    page = client.get(reverse("web:case-detail", args=[case.pk])).content.decode()
    options = re.findall(r'<option value="(\d+)"', page)
    assert options[0] == str(gestures["upgrade"].pk)  # recommended first: never received, highest level
    assert client.post(reverse("web:case-surprise", args=[case.pk]), {"gesture": gestures["upgrade"].pk, "note": "On the house"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "surprised" and case.surprise_gesture == gestures["upgrade"] and case.surprise_delivery.interaction_id is None
    assert client.post(reverse("web:case-close", args=[case.pk]), {"note": "Happy again"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    timeline = client.get(reverse("web:case-detail", args=[case.pk])).content.decode().split('id="timeline-h"')[1]
    assert [k in timeline for k in ("Opened", "Fixed", "Surprised", "Closed")] == [True] * 4
    assert "Rebooked the table" in timeline


def test_surprise_with_another_teams_gesture_is_refused(client_as, frontline, customer, log, other_team):
    from interactions.tests.factories import GestureFactory

    foreign = GestureFactory(team=other_team)
    case = log(customer).recovery_case
    client = client_as(frontline)
    client.post(reverse("web:case-fix", args=[case.pk]), {"note": "done"})
    response = client.post(reverse("web:case-surprise", args=[case.pk]), {"gesture": foreign.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_manager_closes_without_surprise_with_a_reason(client_as, manager, customer, log):
    case = log(customer).recovery_case
    client = client_as(manager)
    client.post(reverse("web:case-fix", args=[case.pk]), {"note": "done"})
    assert client.post(reverse("web:case-close", args=[case.pk]), {"reason": "Customer asked for no fuss"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.close_reason == "Customer asked for no fuss"


def test_manager_approves_inline_with_htmx(client_as, manager, pending_bend):
    response = client_as(manager).post(
        reverse("web:bend-decide", args=[pending_bend.pk]), {"decision": "approve", "note": "Fair"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert row.startswith(f'<tr id="bend-{pending_bend.pk}"') and "Approved" in row and "manny" in row
    pending_bend.refresh_from_db()
    assert pending_bend.status == "approved" and pending_bend.decision_note == "Fair"


def test_manager_rejects_without_javascript_and_sees_it_decided(client_as, manager, pending_bend):
    client = client_as(manager)
    response = client.post(reverse("web:bend-decide", args=[pending_bend.pk]), {"decision": "reject", "note": "Rules are rules"}, follow=True)
    page = response.content.decode()
    assert "Bend rejected." in page
    decided = page.split('id="decided-h"')[1]
    assert "Rules are rules" in decided and "manny" in decided


def test_second_decision_is_a_conflict(client_as, manager, admin_user, pending_bend):
    client_as(manager).post(reverse("web:bend-decide", args=[pending_bend.pk]), {"decision": "approve"})
    response = client_as(admin_user).post(reverse("web:bend-decide", args=[pending_bend.pk]), {"decision": "reject"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert RuleBend.objects.get(pk=pending_bend.pk).status == "approved"


def test_bend_above_the_managers_limit_waits_for_an_admin(client_as, manager, frontline, rule, customer):
    big = RuleBend.objects.create(rule=rule, team=rule.team, customer=customer, justification="x", cost=Decimal("5000"), requested_by=frontline, requested_at=timezone.now(), needs_admin=True)
    page = client_as(manager).get(reverse("web:bends")).content.decode()
    assert reverse("web:bend-decide", args=[big.pk]) not in page
    assert client_as(manager).post(reverse("web:bend-decide", args=[big.pk]), {"decision": "approve"}).status_code == 403


def test_frontline_requests_a_bend_for_a_case(client_as, frontline, customer, rule, log):
    case = log(customer).recovery_case
    response = client_as(frontline).post(reverse("web:bend-request"), {"case": case.pk, "rule": rule.pk, "justification": "Lost booking", "cost": "30"})
    assert response.status_code == 302 and response["Location"] == reverse("web:case-detail", args=[case.pk])
    bend = RuleBend.objects.get()
    assert bend.case == case and bend.status == "pending" and bend.requested_by == frontline


def test_bend_within_the_say_yes_threshold_is_approved_at_once(client_as, frontline, customer, rule, team):
    team.say_yes_threshold = Decimal("50")
    team.save()
    response = client_as(frontline).post(reverse("web:bend-request"), {"customer": customer.pk, "rule": rule.pk, "justification": "Small thing", "cost": "10"}, follow=True)
    assert "approved at once" in response.content.decode()
    assert RuleBend.objects.get().status == "approved"


def test_manager_adds_a_rule_and_a_gesture_for_their_team(client_as, manager, frontline, team, other_team):
    client = client_as(manager)
    response = client.post(reverse("web:rule-create"), {"team": team.pk, "name": "No dogs inside", "description": ""})
    assert response.status_code == 302
    assert Rule.objects.get(name="No dogs inside").team == team
    assert client.post(reverse("web:rule-create"), {"team": other_team.pk, "name": "Sneaky"}).status_code == 400
    duplicate = client.post(reverse("web:rule-create"), {"team": team.pk, "name": "No dogs inside"})
    assert duplicate.status_code == 400 and "already has a rule" in duplicate.content.decode()
    response = client.post(reverse("web:gesture-create"), {"team": team.pk, "name": "Welcome drink", "base_level": 5, "cost": "3"})
    assert response.status_code == 302
    assert client_as(frontline).get(reverse("web:gesture-create")).status_code == 403
    assert client_as(frontline).get(reverse("web:rule-create")).status_code == 403


def test_lists_query_count_stays_flat(client_as, manager, team, rule, frontline, django_assert_max_num_queries):
    client = client_as(manager)
    client.get(reverse("web:customers"))
    for url in (reverse("web:customers"), reverse("web:rules"), reverse("web:gestures")):
        with django_assert_max_num_queries(7):
            client.get(url)
    from interactions.tests.factories import GestureFactory

    for i in range(15):
        CustomerFactory(team=team)
        GestureFactory(team=team)
        Rule.objects.create(team=team, name=f"Rule {i}")
    for url in (reverse("web:customers"), reverse("web:rules"), reverse("web:gestures")):
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200
