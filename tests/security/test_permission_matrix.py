"""The permission matrix: every URL pattern x every role, generated from the URL conf.

MATRIX says, per URL name, how to fill the path with an object of team A and what each role of
team A (and an admin) may do there. From it the tests check that:

- every URL pattern has an entry (a new endpoint without one fails with its name);
- team-B users get 404 (or 403) on team-A objects and change nothing;
- anonymous clients get 401 on the API and a redirect to the login page on staff pages;
- a customer link's token opens only its own page, and is no API credential;
- team-A roles get exactly what their role allows (frontline do not write gestures, rules or team
  settings, do not decide bends, do not close a case without a surprise; managers create no users
  or teams), and a refused request changes nothing;
- lists seen by a team-B user hold no team-A id;
- creates with a team-A parent (customer, rule, case, gesture, team) by a team-B user are refused
  and create nothing.

Every request runs in a savepoint that is rolled back, so each check sees the same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import Team, User
from accounts.services import token_create
from interactions.models import Customer, Gesture, Interaction
from inbox.models import InboxItem
from radar.models import Idea
from recovery.models import RecoveryCase, Rule, RuleBend

from .conftest import ADMIN, ANONYMOUS, FRONTLINE_A, FRONTLINE_B, MANAGER_A, MANAGER_B, TOKEN_HOLDER

SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "api/schema/", "api/docs/")
ROLES = (FRONTLINE_A, MANAGER_A, FRONTLINE_B, MANAGER_B, ADMIN, ANONYMOUS, TOKEN_HOLDER)
STAFF_A = frozenset({FRONTLINE_A, MANAGER_A, ADMIN})
MANAGERS = frozenset({MANAGER_A, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})


# --- The matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    method: str
    body: Callable[[dict], dict] | None = None
    allowed: frozenset = STAFF_A  # team-A roles and admin who may do it; the others get 403
    ok: tuple = (200,)  # what an allowed role gets


READ = (Op("GET"),)


def _a_day_ago() -> str:
    from django.utils import timezone

    return (timezone.now() - timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "api-object", "api-list", "api-self", "api-global", "api-own", "page", "page-own", "page-list", "customer-page", "open"
    ops: tuple = READ
    obj: str | None = None  # the team-A object (key of the world) whose pk or token fills the path
    query: Callable[[dict, str], dict] | None = None  # query string naming the object of a team ("A" or "B")
    b_get: tuple = (404,)  # what a team-B user gets on GET (403 where their role is refused first)
    marks: Callable[[dict, str], list] | None = None  # page-list: text that shows a team's objects on the page
    model: type | None = None  # api-list: the model whose ids are listed
    # Requests by a team-B user that name a team-A parent: (key of a team-B object for the path, or None; body).
    foreign: tuple = field(default_factory=tuple)


def _report_query(w, team="A"):
    from django.utils import timezone

    from reports.weeks import last_full_week

    t = w[team]["team"]
    return {"team": t.id, "week": str(last_full_week(timezone.now(), t.tz))}


def _radar_query(w, team="A"):
    return {"team": w[team]["team"].id}


def _case_links(w, team):
    return [f'"{reverse("web:case-detail", args=[w[team][k].pk])}"' for k in ("case", "case_fixed")]


def _customer_marks(w, team):
    return [w[team]["customer"].name]


def _team_settings_form(w):
    """The settings page's form as it shows the team (every field it has), with one change."""
    from web.forms import TeamSettingsForm

    form = TeamSettingsForm(instance=w["A"]["team"])
    body = {name: form[name].value() for name in form.fields}
    return {**{k: "" if v is None else v for k, v in body.items()}, "sla_basic_fix_hours": 12}


def _gesture_form(w, team="A"):
    return {"team": w[team]["team"].id, "name": "Warm towel", "description": "", "base_level": 5, "cost": "1"}


def _team_put(w):
    """A PUT replaces: every writable field is named (the team's settings as the API gives them)."""
    from accounts.api.serializers import TeamSerializer

    body = {k: v for k, v in TeamSerializer(w["A"]["team"]).data.items() if k != "id"}
    return {**body, "timezone": "Europe/Amsterdam", "sla_basic_fix_hours": 12, "say_yes_threshold": "0",
            "business_hours": "mon-sat 09:00-22:00", "holiday_country": "NL", "closed_dates": ""}


def _customer_put(w):
    return {"team": w["A"]["team"].id, "name": "Renamed", "email": "", "phone": "", "preferred_channel": "",
            "preferences": "", "personal_contact": None, "special_dates": [], "language": "nl", "contact_opt_out": False}


def _gesture_put(w):
    return {"team": w["A"]["team"].id, "name": w["A"]["gesture"].name, "description": "Changed", "base_level": 5,
            "recurring": False, "channels": [], "cost": "1.00", "active": True}


MATRIX: dict[str, Endpoint] = {
    # Pages and open endpoints
    "dashboard": Endpoint("page"),
    "healthz": Endpoint("open", ops=(Op("GET", ok=(200,)),)),
    # Off without METRICS_TOKEN (as here); with it, only its bearer: tests/system/test_operations.py.
    "metrics": Endpoint("open", ops=(Op("GET", ok=(404,)),)),
    "login": Endpoint("open", ops=(Op("GET", ok=(200,)),)),
    "logout": Endpoint("open", ops=(Op("POST", ok=(302,)),)),
    "two-factor-verify": Endpoint("open", ops=(Op("GET", ok=(302,)),)),  # no password step yet: back to the login
    "two-factor-setup": Endpoint("page"),
    "password_reset": Endpoint("open", ops=(Op("GET", ok=(200,)),)),
    "password_reset_done": Endpoint("open", ops=(Op("GET", ok=(200,)),)),
    "password_reset_confirm": Endpoint("open", obj="feedback_token", ops=(Op("GET", ok=(200,)),)),  # a link that does not work
    "password_reset_complete": Endpoint("open", ops=(Op("GET", ok=(200,)),)),
    "api-token": Endpoint("open", ops=(Op("POST", body=lambda w: {"username": "nobody", "password": "wrong"}, ok=(400,)),)),
    "api-logout": Endpoint("api-self", ops=(Op("POST", ok=(204,)),)),
    # Customer pages: the token is the credential
    "feedback": Endpoint("customer-page", obj="feedback_token"),
    "case-status": Endpoint("customer-page", obj="status_token"),
    "case-recovered-feedback": Endpoint("customer-page", obj="recovered_token"),
    "unsubscribe": Endpoint("customer-page", obj="unsubscribe_token"),  # its POST: voice/tests/test_unsubscribe.py
    # Accounts
    "team-list": Endpoint("api-list", model=Team, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"name": "Team C", "timezone": "UTC"}, allowed=ADMIN_ONLY, ok=(201,)),
    )),
    "team-detail": Endpoint("api-object", obj="team", ops=(
        Op("GET"),
        Op("PUT", body=_team_put, allowed=MANAGERS),
        Op("PATCH", body=lambda w: {"sla_basic_fix_hours": 12}, allowed=MANAGERS),
    )),
    "user-list": Endpoint("api-list", model=User, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"username": "newbie", "password": "a-long-passphrase-42", "teams": [w["A"]["team"].id]},
           allowed=ADMIN_ONLY, ok=(201,)),
    )),
    "user-me": Endpoint("api-self"),
    # A person's notifications: their own only (another person's, of any team or role, is 404).
    "notification-list": Endpoint("api-self"),
    "notification-read-all": Endpoint("api-self", ops=(Op("POST", body=lambda w: {}),)),
    "notification-detail": Endpoint("api-own", obj="notification"),
    "notification-read": Endpoint("api-own", obj="notification", ops=(Op("POST"),)),
    "user-detail": Endpoint("api-object", obj="frontline", ops=(
        Op("GET"),
        Op("PATCH", body=lambda w: {"role": "manager"}, allowed=ADMIN_ONLY),
    )),
    # Interactions
    "customer-list": Endpoint("api-list", model=Customer, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "name": "Newcomer"}, ok=(201,)),
    ), foreign=(
        (None, lambda w: {"team": w["A"]["team"].id, "name": "Mallory"}),
    )),
    "customer-detail": Endpoint("api-object", obj="customer_bare", ops=(
        Op("GET"),
        Op("PUT", body=_customer_put),
        Op("PATCH", body=lambda w: {"name": "Renamed"}),
        Op("DELETE", ok=(204,)),
    )),
    # A customer's personal data: the team's managers and admins only.
    "customer-export": Endpoint("api-object", obj="customer", ops=(Op("GET", allowed=MANAGERS),)),
    "customer-erase": Endpoint("api-object", obj="customer", ops=(Op("POST", allowed=MANAGERS),)),
    "gesture-list": Endpoint("api-list", model=Gesture, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "name": "Free coffee", "base_level": 5}, allowed=MANAGERS, ok=(201,)),
    ), foreign=(
        (None, lambda w: {"team": w["A"]["team"].id, "name": "Planted", "base_level": 5}),
    )),
    "gesture-detail": Endpoint("api-object", obj="gesture", ops=(
        Op("GET"),
        Op("PUT", body=_gesture_put, allowed=MANAGERS),
        Op("PATCH", body=lambda w: {"base_level": 6}, allowed=MANAGERS),
    )),
    "interaction-list": Endpoint("api-list", model=Interaction, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"customer": w["A"]["customer"].id, "channel": "phone"}, ok=(201,)),
    ), foreign=(
        (None, lambda w: {"customer": w["A"]["customer"].id, "channel": "phone"}),
        (None, lambda w: {"customer": w["B"]["customer"].id, "channel": "phone", "gestures": [w["A"]["gesture"].id]}),
    )),
    # Corrections: whoever logged it (team A's frontline, here) within 24 hours, managers, admins.
    "interaction-detail": Endpoint("api-object", obj="interaction", ops=(
        Op("GET"),
        Op("PATCH", body=lambda w: {"summary": "Corrected", "note": "typo"}),
    )),
    # Recovery
    "recovery-case-list": Endpoint("api-list", model=RecoveryCase),
    "recovery-case-detail": Endpoint("api-object", obj="case"),
    "recovery-case-events": Endpoint("api-object", obj="case"),
    "recovery-case-recommended-gestures": Endpoint("api-object", obj="case"),
    "recovery-case-fix": Endpoint("api-object", obj="case", ops=(Op("POST", body=lambda w: {"note": "Refunded"}),)),
    "recovery-case-surprise": Endpoint("api-object", obj="case_fixed", ops=(
        Op("POST", body=lambda w: {"gesture": w["A"]["gesture"].id, "note": "Flowers"}),
    ), foreign=(
        ("case_fixed", lambda w: {"gesture": w["A"]["gesture"].id}),
    )),
    # Closing an open case (no surprise): managers only, with a reason.
    "recovery-case-close": Endpoint("api-object", obj="case", ops=(
        Op("POST", body=lambda w: {"reason": "The customer asked us to stop."}, allowed=MANAGERS),
    )),
    # Anyone in the team assigns to anyone in the team, and notes.
    "recovery-case-assign": Endpoint("api-object", obj="case", ops=(
        Op("POST", body=lambda w: {"owner": w["A"]["manager"].id}),
    ), foreign=(
        ("case", lambda w: {"owner": w["A"]["frontline"].id}),
    )),
    "recovery-case-notes": Endpoint("api-object", obj="case", ops=(Op("POST", body=lambda w: {"note": "Called her"}, ok=(201,)),)),
    "rule-list": Endpoint("api-list", model=Rule, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "name": "Receipts required"}, allowed=MANAGERS, ok=(201,)),
    ), foreign=(
        (None, lambda w: {"team": w["A"]["team"].id, "name": "Planted rule"}),
    )),
    "rule-dumb": Endpoint("api-list", model=Rule),
    "rule-detail": Endpoint("api-object", obj="rule", ops=(
        Op("GET"),
        Op("PUT", body=lambda w: {"name": "Renamed rule", "description": "", "active": True}, allowed=MANAGERS),
        Op("PATCH", body=lambda w: {"description": "Changed"}, allowed=MANAGERS),
    )),
    "rule-bend-list": Endpoint("api-list", model=RuleBend, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"rule": w["A"]["rule"].id, "customer": w["A"]["customer"].id, "justification": "Loyal", "cost": "5"},
           ok=(201,)),
    ), foreign=(
        (None, lambda w: {"rule": w["A"]["rule"].id, "customer": w["B"]["customer"].id, "justification": "x", "cost": "1"}),
        (None, lambda w: {"rule": w["B"]["rule"].id, "case": w["A"]["case"].id, "justification": "x", "cost": "1"}),
        (None, lambda w: {"rule": w["B"]["rule"].id, "customer": w["A"]["customer"].id, "justification": "x", "cost": "1"}),
    )),
    "rule-bend-detail": Endpoint("api-object", obj="bend"),
    "rule-bend-events": Endpoint("api-object", obj="bend"),
    "rule-bend-approve": Endpoint("api-object", obj="bend", ops=(Op("POST", body=lambda w: {"note": "Fine"}, allowed=MANAGERS),)),
    "rule-bend-reject": Endpoint("api-object", obj="bend", ops=(Op("POST", body=lambda w: {"note": "No"}, allowed=MANAGERS),)),
    # Webhooks: the team's managers and admins (the list is theirs only: frontline get 403)
    "webhook-list": Endpoint("api-global", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "url": "https://93.184.216.34/hook", "events": ["case.opened"]},
           allowed=MANAGERS, ok=(201,)),
    )),
    "webhook-detail": Endpoint("api-object", obj="webhook", ops=(
        Op("GET", allowed=MANAGERS),
        Op("PATCH", body=lambda w: {"events": ["case.closed"]}, allowed=MANAGERS),
        Op("DELETE", allowed=MANAGERS, ok=(204,)),
    ), b_get=(403, 404)),
    "webhook-deliveries": Endpoint("api-object", obj="webhook", ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "webhook-ping": Endpoint("api-object", obj="webhook", ops=(Op("POST", allowed=MANAGERS, ok=(202,)),), b_get=(403, 404)),
    "webhook-resend": Endpoint("api-object", obj="delivery", ops=(Op("POST", allowed=MANAGERS, ok=(202,)),), b_get=(403, 404)),
    # The inbox: every member of the team
    "inbox-list": Endpoint("api-list", model=InboxItem),
    "inbox-detail": Endpoint("api-object", obj="inbox_item"),
    "inbox-assess": Endpoint("api-object", obj="inbox_item", ops=(Op("POST", body=lambda w: {"promise_kept": True}, ok=(201,)),)),
    "inbox-dismiss": Endpoint("api-object", obj="inbox_item", ops=(Op("POST", body=lambda w: {"reason": "Spam"}),)),
    # Providers' inbound mail: the provider's own secret is the credential; without one it is off
    "inbox-inbound": Endpoint("open", obj="inbound_provider", ops=(Op("POST", ok=(404,)),)),
    # Drift jobs: not per team, managers and admins only (a full re-score: admins only)
    "job-list": Endpoint("api-global", ops=(Op("GET", allowed=MANAGERS),)),
    "job-detail": Endpoint("api-global", obj="job", ops=(Op("GET", allowed=MANAGERS),)),
    "job-rescore": Endpoint("api-global", ops=(
        Op("POST", body=lambda w: {"full": False}, allowed=MANAGERS, ok=(202,)),
        Op("POST", body=lambda w: {"full": True}, allowed=ADMIN_ONLY, ok=(202,)),
    )),
    # The weekly report: the team's managers and admins; the team is in the query string
    "api-weekly-report": Endpoint("api-object", obj="team", query=_report_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "reports:weekly": Endpoint("page", obj="team", query=_report_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "reports:weekly-chart": Endpoint("page", obj="team", query=_report_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "reports:weekly-csv": Endpoint("page", obj="team", query=_report_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    # The delight radar: the team's managers and admins; the team is in the query string
    "api-radar": Endpoint("api-object", obj="team", query=_radar_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "radar:radar": Endpoint("page", obj="team", query=_radar_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "radar:radar-chart": Endpoint("page", obj="team", query=_radar_query, ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    # The per-person view: a manager sees the team's people, everyone else their own row
    "radar:people": Endpoint("page-list", marks=lambda w, team: [f"<td>{w[team]['asker'].get_full_name() or w[team]['asker'].username}</td>"]),
    # Ideas: anyone in the team proposes; the team's managers decide
    "idea-list": Endpoint("api-list", model=Idea, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "kind": "gesture", "title": "Polaroid", "story": "They ask."}, ok=(201,)),
    ), foreign=(
        (None, lambda w: {"team": w["A"]["team"].id, "kind": "gesture", "title": "Planted", "story": "x"}),
        (None, lambda w: {"team": w["B"]["team"].id, "kind": "dumb_rule", "title": "Planted", "story": "x", "rule": w["A"]["rule"].id}),
    )),
    "idea-detail": Endpoint("api-object", obj="idea"),
    "idea-accept": Endpoint("api-object", obj="idea", ops=(Op("POST", body=lambda w: {"note": "Yes"}, allowed=MANAGERS),)),
    "idea-decline": Endpoint("api-object", obj="idea", ops=(Op("POST", body=lambda w: {"note": "No"}, allowed=MANAGERS),)),
    "radar:ideas": Endpoint("page-list", marks=lambda w, team: [w[team]["idea"].title], ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "kind": "gesture", "title": "Polaroid", "story": "They ask."}, ok=(302,)),
    )),  # a proposal to another team's page form: radar/tests/test_pages.py
    "radar:idea-decide": Endpoint("page", obj="idea", ops=(
        Op("POST", body=lambda w: {"decision": "accept", "note": "Fine"}, allowed=MANAGERS, ok=(302,)),
    )),
    # Staff pages (web/): forms post and redirect (302); lists are checked for the other team's names and links
    "web:dashboard-open-cases": Endpoint("page-list", marks=_case_links),
    "web:log": Endpoint("page", ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"customer": w["A"]["customer"].id, "channel": "phone", "promise_kept": "on"}, ok=(302,)),
    ), foreign=(
        (None, lambda w: {"customer": w["A"]["customer"].id, "channel": "phone", "promise_kept": "on"}),
        (None, lambda w: {"new_customer_name": "Mallory", "new_customer_team": w["A"]["team"].id, "channel": "phone"}),
        (None, lambda w: {"customer": w["B"]["customer"].id, "channel": "phone", "gestures": [w["A"]["gesture"].id]}),
    )),
    "web:log-customers": Endpoint("page-list", query=lambda w, team: {"q": "Customer of"}, marks=_customer_marks),
    "web:log-gestures": Endpoint("page-list", query=lambda w, team: {"customer": w["A"]["customer"].id},
                                 marks=lambda w, team: [w[team]["gesture"].name]),
    "web:interaction-edit": Endpoint("page", obj="interaction", ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"channel": "phone", "occurred_at": _a_day_ago(), "promise_kept": "on"}, ok=(302,)),
    )),
    "web:customers": Endpoint("page-list", marks=_customer_marks),
    "web:customer-detail": Endpoint("page", obj="customer"),
    "web:cases": Endpoint("page-list", marks=_case_links),
    "web:case-detail": Endpoint("page", obj="case"),
    "web:case-fix": Endpoint("page", obj="case", ops=(Op("POST", body=lambda w: {"note": "Refunded"}, ok=(302,)),)),
    "web:case-surprise": Endpoint("page", obj="case_fixed", ops=(
        Op("POST", body=lambda w: {"gesture": w["A"]["gesture"].id, "note": ""}, ok=(302,)),
    ), foreign=(
        ("case_fixed", lambda w: {"gesture": w["A"]["gesture"].id, "note": ""}),
    )),
    "web:case-close": Endpoint("page", obj="case_fixed", ops=(  # without a surprise: managers, with a reason
        Op("POST", body=lambda w: {"reason": "The customer asked us to stop."}, allowed=MANAGERS, ok=(302,)),
    )),
    "web:case-assign": Endpoint("page", obj="case", ops=(
        Op("POST", body=lambda w: {"owner": w["A"]["manager"].id}, ok=(302,)),
    ), foreign=(
        ("case", lambda w: {"owner": w["A"]["frontline"].id}),
    )),
    "web:case-note": Endpoint("page", obj="case", ops=(Op("POST", body=lambda w: {"note": "Called her"}, ok=(302,)),)),
    "web:notifications": Endpoint("page"),
    "web:notifications-read": Endpoint("page", ops=(Op("POST", ok=(302,)),)),
    "web:notification-open": Endpoint("page-own", obj="notification", ops=(Op("GET", ok=(302,)),)),
    "web:bends": Endpoint("page-list", marks=lambda w, team: [w[team]["rule"].name]),
    "web:bend-request": Endpoint("page", obj="customer", query=lambda w, team: {"customer": w[team]["customer"].id}, ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"rule": w["A"]["rule"].id, "customer": w["A"]["customer"].id, "justification": "Loyal", "cost": "5"},
           ok=(302,)),
    ), foreign=(
        (None, lambda w: {"rule": w["A"]["rule"].id, "customer": w["B"]["customer"].id, "justification": "x", "cost": "1"}),
        (None, lambda w: {"rule": w["B"]["rule"].id, "case": w["A"]["case"].id, "justification": "x", "cost": "1"}),
        (None, lambda w: {"rule": w["B"]["rule"].id, "customer": w["A"]["customer"].id, "justification": "x", "cost": "1"}),
    )),
    "web:bend-decide": Endpoint("page", obj="bend", ops=(
        Op("POST", body=lambda w: {"decision": "approve", "note": "Fine"}, allowed=MANAGERS, ok=(302,)),
    )),
    "web:rules": Endpoint("page-list", marks=lambda w, team: [w[team]["rule"].name]),
    "web:rule-create": Endpoint("page", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=lambda w: {"team": w["A"]["team"].id, "name": "Receipts", "description": ""}, allowed=MANAGERS, ok=(302,)),
    ), foreign=(
        (None, lambda w: {"team": w["A"]["team"].id, "name": "Planted rule", "description": ""}),
    )),
    "web:gestures": Endpoint("page-list", marks=lambda w, team: [w[team]["gesture"].name]),
    "web:gesture-create": Endpoint("page", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=_gesture_form, allowed=MANAGERS, ok=(302,)),
    ), foreign=(
        (None, _gesture_form),
    )),
    "web:gesture-edit": Endpoint("page", obj="gesture", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=lambda w: {**_gesture_form(w), "active": "on"}, allowed=MANAGERS, ok=(302,)),
    )),
    "web:teams": Endpoint("page", ops=(Op("GET", allowed=MANAGERS, ok=(200, 302)),)),  # one team: its settings
    "web:team-settings": Endpoint("page", obj="team", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=_team_settings_form, allowed=MANAGERS, ok=(302,)),
    )),
    "web:jobs": Endpoint("page", ops=(Op("GET", allowed=MANAGERS),)),
    # The inbox: every member of the team works it
    "web:inbox": Endpoint("page-list", marks=lambda w, team: [w[team]["inbox_item"].subject]),
    "web:inbox-item": Endpoint("page", obj="inbox_item", ops=(
        Op("GET"),
        Op("POST", body=lambda w: {"channel": "email", "promise_kept": "on"}, ok=(302,)),
    )),
    "web:inbox-dismiss": Endpoint("page", obj="inbox_item", ops=(Op("POST", body=lambda w: {"reason": "Spam"}, ok=(302,)),)),
    # Webhooks and the import: the team's managers and admins
    "webhooks:list": Endpoint("page", obj="team", ops=(
        Op("GET", allowed=MANAGERS),
        Op("POST", body=lambda w: {"url": "https://93.184.216.34/hook", "events": ["case.opened"]}, allowed=MANAGERS),
    ), b_get=(403, 404)),
    "webhooks:detail": Endpoint("page", obj="webhook", ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "webhooks:ping": Endpoint("page", obj="webhook", ops=(Op("POST", allowed=MANAGERS, ok=(302,)),), b_get=(403, 404)),
    "webhooks:switch": Endpoint("page", obj="webhook", ops=(Op("POST", allowed=MANAGERS, ok=(302,)),), b_get=(403, 404)),
    "webhooks:delete": Endpoint("page", obj="webhook", ops=(Op("POST", allowed=MANAGERS, ok=(302,)),), b_get=(403, 404)),
    "webhooks:resend": Endpoint("page", obj="delivery", ops=(Op("POST", allowed=MANAGERS, ok=(302,)),), b_get=(403, 404)),
    "imports:import": Endpoint("page", obj="team", ops=(Op("GET", allowed=MANAGERS),), b_get=(403, 404)),
    "web:profile": Endpoint("page", ops=(Op("GET"), Op("POST", body=lambda w: {"language": "nl"}, ok=(302,)))),
}


# --- Helpers --------------------------------------------------------------------------------------


def _flatten(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _flatten(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, (f"{namespace}{p.name}" if p.name else None)


def url_patterns() -> dict[str, tuple[str, URLPattern]]:
    """Every named route of the project, less admin, i18n, static files and the API's own schema/docs."""
    found = {}
    for route, pattern, name in _flatten(get_resolver().url_patterns):
        clean = route.replace("/^", "/").lstrip("^")
        if clean.startswith(SKIPPED_PREFIXES) or clean.startswith(settings.STATIC_URL.lstrip("/")):
            continue
        found[name or clean] = (clean, pattern)
    return found


def _path(name: str, value) -> str:
    """`value` fills every parameter of the route, or a dict names each (routes with several objects)."""
    _, pattern = url_patterns()[name]
    params = list(pattern.pattern.regex.groupindex)
    return reverse(name, kwargs={p: value[p] if isinstance(value, dict) else value for p in params})


def _path_for(name: str, w: dict, team: str = "A", obj: str | None = None) -> str:
    from django.utils.http import urlencode

    endpoint = MATRIX[name]
    if endpoint.query is not None:
        return f"{reverse(name)}?{urlencode(endpoint.query(w, team))}"
    obj = obj or endpoint.obj
    if obj is None:
        return reverse(name)
    value = w[obj] if obj in w else w[team][obj]
    return _path(name, value if isinstance(value, str) else getattr(value, "path_kwargs", None) or value.pk)


def _target_of(name: str, w: dict, team: str = "A"):
    obj = MATRIX[name].obj
    if obj is None:
        return None
    return w[obj] if obj in w else w[team][obj]


def _client(role: str, w: dict):
    if role in (ANONYMOUS, TOKEN_HOLDER):
        client = APIClient()
        if role == TOKEN_HOLDER:
            # A customer's link token is no API credential.
            client.credentials(HTTP_AUTHORIZATION=f"Token {w['A']['feedback_token']}")
        return client
    user = w["users"][role]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user)}")
    return client


def _page_client(role: str, w: dict) -> Client:
    client = Client()
    if role not in (ANONYMOUS, TOKEN_HOLDER):
        client.force_login(w["users"][role])
    return client


def _our_models():
    root = str(settings.BASE_DIR)
    return [m for m in apps.get_models() if apps.get_app_config(m._meta.app_label).path.startswith(root)]


def fingerprint(target=None) -> dict:
    """Row counts of every table of ours, and the target row's values: what a refused request must not change."""
    counts = {m._meta.label: m.objects.count() for m in _our_models()}
    if target is not None and not isinstance(target, str):
        row = type(target).objects.filter(pk=target.pk).first()
        counts["target"] = model_to_dict(row) if row is not None else None
    return counts


def call(client, method: str, path: str, body: dict | None = None, target=None):
    """Send one request in a savepoint that is rolled back; return the response and whether anything changed."""
    with transaction.atomic():
        before = fingerprint(target)
        kwargs = {"format": "json"} if isinstance(client, APIClient) else {}
        if body is not None:
            kwargs["data"] = body
        response = getattr(client, method.lower())(path, **kwargs)
        changed = fingerprint(target) != before
        transaction.set_rollback(True)
    return response, changed


def _names(*kinds):
    return sorted(name for name, e in MATRIX.items() if e.kind in kinds)


def _ids(results) -> set[int]:
    return {row["id"] for row in results}


def _team_ids(model, team) -> set[int]:
    if model is Team:
        return {team.id}
    if model is User:
        return set(User.objects.filter(teams=team).values_list("id", flat=True))
    return set(model.objects.filter(team=team).values_list("id", flat=True))


# --- The checks ---------------------------------------------------------------------------------


def test_every_url_pattern_has_a_matrix_entry():
    patterns = url_patterns()
    missing = sorted(set(patterns) - set(MATRIX))
    assert not missing, f"URL patterns without a permission-matrix entry in {__file__}: {missing}"
    stale = sorted(set(MATRIX) - set(patterns))
    assert not stale, f"matrix entries for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(n for n in _names("api-object", "page") if MATRIX[n].obj))
def test_team_b_gets_404_on_team_a_objects_and_changes_nothing(name, world):
    endpoint = MATRIX[name]
    target = _target_of(name, world)
    path = _path_for(name, world)
    for role in (FRONTLINE_B, MANAGER_B):
        client = _client(role, world) if endpoint.kind.startswith("api") else _page_client(role, world)
        for op in endpoint.ops:
            response, changed = call(client, op.method, path, op.body(world) if op.body else None, target)
            assert response.status_code in (403, 404), f"{role} {op.method} {path}: {response.status_code}"
            if op.method == "GET":
                assert response.status_code in endpoint.b_get, f"{role} GET {path}: {response.status_code} (existence leaks)"
            assert not changed, f"{role} {op.method} {path} changed data"


@pytest.mark.parametrize("name", _names("api-object", "api-list", "api-self", "api-global", "api-own", "page", "page-own", "page-list"))
def test_anonymous_and_customer_token_get_401_on_the_api_and_the_login_page_on_staff_pages(name, world):
    endpoint = MATRIX[name]
    path = _path_for(name, world)
    target = _target_of(name, world)
    for role in (ANONYMOUS, TOKEN_HOLDER):
        for op in endpoint.ops:
            if endpoint.kind.startswith("page"):
                response, changed = call(_page_client(role, world), op.method, path, None, target)
                assert response.status_code == 302, f"{role} {op.method} {path}: {response.status_code}"
                assert response["Location"].startswith(reverse("login")), response["Location"]
            else:
                response, changed = call(_client(role, world), op.method, path, op.body(world) if op.body else None, target)
                assert response.status_code == 401, f"{role} {op.method} {path}: {response.status_code}"
            assert not changed, f"{role} {op.method} {path} changed data"


@pytest.mark.parametrize("name", _names("api-object", "api-list", "api-self", "api-global", "page", "page-list"))
def test_team_a_roles_and_admin_get_exactly_what_the_role_allows(name, world):
    endpoint = MATRIX[name]
    path = _path_for(name, world)
    target = _target_of(name, world)
    for role in (FRONTLINE_A, MANAGER_A, ADMIN):
        client = _client(role, world) if endpoint.kind.startswith("api") else _page_client(role, world)
        for op in endpoint.ops:
            response, changed = call(client, op.method, path, op.body(world) if op.body else None, target)
            detail = f"{role} {op.method} {path}: {response.status_code} {getattr(response, 'data', '')}"
            if role in op.allowed:
                assert response.status_code in op.ok, detail
            else:
                assert response.status_code == 403, detail
                assert not changed, f"{role} {op.method} {path} was refused but changed data"


@pytest.mark.parametrize("name", _names("api-list"))
def test_lists_seen_by_team_b_hold_no_team_a_object(name, world):
    model = MATRIX[name].model
    path = _path_for(name, world)
    mine, theirs = _team_ids(model, world["B"]["team"]), _team_ids(model, world["A"]["team"])
    assert mine and theirs
    for role in (FRONTLINE_B, MANAGER_B):
        response = _client(role, world).get(path, {"page_size": 200})
        assert response.status_code == 200, response.data
        listed = _ids(response.data["results"])
        assert not listed & theirs, f"{role} sees team A's {model.__name__} {sorted(listed & theirs)} in {path}"
        assert mine <= listed, f"{role} misses their own {model.__name__}s in {path}"
    # The check can fail: the same list shows team A its own rows, and an admin both teams'.
    assert theirs <= _ids(_client(MANAGER_A, world).get(path, {"page_size": 200}).data["results"])
    assert theirs | mine <= _ids(_client(ADMIN, world).get(path, {"page_size": 200}).data["results"])


@pytest.mark.parametrize("name", _names("page-list"))
def test_pages_listing_objects_show_team_b_nothing_of_team_a(name, world):
    endpoint = MATRIX[name]
    path = _path_for(name, world, team="B")
    theirs = endpoint.marks(world, "A")
    for role in (FRONTLINE_B, MANAGER_B):
        response = _page_client(role, world).get(path)
        assert response.status_code in (200, 404), f"{role} GET {path}: {response.status_code}"
        html = response.content.decode()
        leaked = [m for m in theirs if m in html]
        assert not leaked, f"{role} sees team A's {leaked} on {path}"
    # The check can fail: team A's manager sees the same marks on the page.
    html = _page_client(MANAGER_A, world).get(_path_for(name, world, team="A")).content.decode()
    assert all(m in html for m in theirs), f"team A's own objects are not on {path}: {theirs}"


@pytest.mark.parametrize("name", _names("api-own", "page-own"))
def test_a_persons_own_objects_answer_them_and_nobody_else(name, world):
    """A notification is its recipient's (team A's manager): her teammates, an admin and team B get 404
    and change nothing, whatever their role."""
    endpoint = MATRIX[name]
    path = _path_for(name, world)
    target = _target_of(name, world)
    owner = next(role for role, user in world["users"].items() if user.pk == target.recipient_id)
    for role in (FRONTLINE_A, MANAGER_A, ADMIN, FRONTLINE_B, MANAGER_B):
        client = _client(role, world) if endpoint.kind.startswith("api") else _page_client(role, world)
        for op in endpoint.ops:
            response, changed = call(client, op.method, path, op.body(world) if op.body else None, target)
            if role == owner:
                assert response.status_code in op.ok, f"{role} {op.method} {path}: {response.status_code}"
            else:
                assert response.status_code == 404, f"{role} {op.method} {path}: {response.status_code}"
                assert not changed, f"{role} {op.method} {path} changed another person's data"


@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.foreign))
def test_writes_naming_a_team_a_parent_are_refused_and_create_nothing(name, world):
    for obj, body in MATRIX[name].foreign:
        path = _path_for(name, world, team="B", obj=obj) if obj else reverse(name)
        target = world["B"][obj] if obj else None
        for role in (FRONTLINE_B, MANAGER_B):
            client = _page_client(role, world) if MATRIX[name].kind == "page" else _client(role, world)
            response, changed = call(client, "POST", path, body(world), target)
            assert response.status_code in (400, 403, 404), f"{role} POST {path} {body(world)}: {response.status_code}"
            assert not changed, f"{role} POST {path} {body(world)} changed data"


@pytest.mark.parametrize("name", _names("customer-page"))
def test_a_customer_token_opens_its_own_page_and_no_other(name, world):
    endpoint = MATRIX[name]
    own = _path_for(name, world)
    for role in ROLES:  # the token is the credential: a staff session neither adds nor removes anything
        assert _page_client(role, world).get(own).status_code == 200, f"{role} GET {own}"
    for other in ("feedback_token", "status_token", "recovered_token", "unsubscribe_token"):
        for team in ("A", "B"):
            if other == endpoint.obj and team == "A":
                continue
            path = _path(name, world[team][other])
            response = _page_client(TOKEN_HOLDER, world).get(path)
            expected = 200 if other == endpoint.obj else 404  # team B's own link works for team B's customer
            assert response.status_code == expected, f"{other} of team {team} on {name}: {response.status_code}"
            assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", _names("open"))
def test_open_endpoints_answer_everyone_the_same_and_never_fail(name, world):
    path = _path_for(name, world)
    for role in (ANONYMOUS, TOKEN_HOLDER):
        for op in MATRIX[name].ops:
            response, _ = call(_page_client(role, world) if op.method == "GET" or name == "logout" else _client(role, world),
                               op.method, path, op.body(world) if op.body else None)
            assert response.status_code in op.ok, f"{role} {op.method} {path}: {response.status_code}"


def _roles_checked(endpoint: Endpoint) -> int:
    """How many of the 7 roles the tests above check on each method of this endpoint."""
    if endpoint.kind == "open":
        return 2  # anonymous and token holder
    if endpoint.kind in ("customer-page", "api-list", "page-list", "api-own", "page-own"):
        return len(ROLES)
    if endpoint.kind in ("api-object", "page") and endpoint.obj:
        return len(ROLES)
    return len(ROLES) - 2  # no team-A object in the path: team B is just another team's staff


def test_matrix_size_is_printed_for_the_docs():
    patterns = url_patterns()
    ops = sum(len(e.ops) for e in MATRIX.values())
    cells = sum(len(e.ops) * _roles_checked(e) for e in MATRIX.values())
    foreign = sum(len(e.foreign) for e in MATRIX.values())
    print(f"\npermission matrix: {len(MATRIX)} URL patterns, {ops} endpoint-methods, {cells} (endpoint-method, role) "
          f"checks of 7 roles; {foreign} foreign-parent writes x 2 team-B roles")
    assert len(MATRIX) == len(patterns)
