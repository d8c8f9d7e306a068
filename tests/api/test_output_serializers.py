"""The hand-written output serializers answer exactly what DRF's generic walk over the same
declared fields answers: same keys in the same order, same values, same JSON bytes, in another
time zone and language too. The lists write rows by hand for speed (docs/performance.md); this
is what keeps them honest when a field is added or changed."""

import json
from datetime import timedelta

import pytest
from django.db.models import Count, F
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from interactions import links, selectors, services
from interactions.api.serializers import InteractionOutputSerializer
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery import selectors as recovery_selectors
from recovery.api.serializers import CaseOutputSerializer
from recovery.models import RecoveryCase
from recovery.services import steps as recovery_steps

pytestmark = pytest.mark.django_db


def _generic(serializer, instance) -> dict:
    return serializers.ModelSerializer.to_representation(serializer, instance)


def _same(fast: dict, generic: dict):
    assert list(fast.items()) == list(generic.items())
    assert JSONRenderer().render(fast) == JSONRenderer().render(generic)
    assert [type(v) for v in fast.values()] == [type(v) for v in generic.values()]


@pytest.fixture
def history(team, frontline, manager):
    """Interactions of every shape: gestures, issues, omissions, a rating, cases in every state."""
    customer = CustomerFactory(team=team)
    gestures = [GestureFactory(team=team, base_level=5 + i % 2, recurring=i == 0) for i in range(3)]
    start = timezone.now() - timedelta(days=20)
    logged = []
    for i in range(12):
        logged.append(
            services.interaction_log(
                actor=frontline, customer=customer, channel=["phone", "email", "in_person"][i % 3],
                summary=f"Visit {i} — “quoted” <b>", promise_kept=i % 4 != 0, issues=["late"] if i % 5 == 1 else [],
                matched_preference=i % 2 == 0, gestures=[g.id for g in gestures[: i % 4]],
                occurred_at=start + timedelta(days=i),
            )
        )
    services.interaction_rate(interaction=logged[2], level=6, comment="lovely")
    cases = list(RecoveryCase.objects.filter(team=team).order_by("id"))
    assert len(cases) >= 3
    recovery_steps.case_fix(actor=frontline, case=cases[0])
    recovery_steps.case_fix(actor=frontline, case=cases[1])
    recovery_steps.case_surprise(actor=frontline, case=cases[1], gesture=gestures[1].id)
    recovery_steps.case_close(actor=frontline, case=cases[1], note="done")
    recovery_steps.case_recovered_rate(case=cases[1], level=5)
    recovery_steps.case_close(actor=manager, case=cases[2], reason="customer moved away")
    RecoveryCase.objects.filter(pk=cases[2].pk).update(escalated_at=timezone.now() - timedelta(hours=1))
    return logged


@pytest.mark.parametrize("zone, language", [("UTC", "en"), ("Europe/Amsterdam", "nl"), ("America/St_Johns", "en")])
def test_interaction_rows_equal_drfs_generic_answer(history, frontline, zone, language):
    rows = list(selectors.interaction_list(user=frontline).order_by("-id"))
    with timezone.override(zone), translation.override(language):
        fast = InteractionOutputSerializer(rows, many=True).data
        one = InteractionOutputSerializer()
        generic = [_generic(one, row) for row in rows]
    assert len(fast) == len(generic) == 12  # twelve logged; the surprise is a delivery, not an interaction
    for f, g in zip(fast, generic):
        _same(f, g)
    assert any(row["gestures"] for row in fast) and any(row["recovery_case"] for row in fast)
    assert any(row["customer_level"] == 6 for row in fast) and any(row["omitted_gestures"] for row in fast)
    assert list(fast[0]) == InteractionOutputSerializer.Meta.fields


def test_the_logged_interaction_equals_drfs_generic_answer(history):
    """The create response: levels may be enum members and the gesture ids come from the service."""
    logged = history[-1]
    _same(InteractionOutputSerializer(logged).data, _generic(InteractionOutputSerializer(), logged))


def test_gestures_come_with_the_list_query_or_in_one_more(history, frontline, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        rows = InteractionOutputSerializer(selectors.interaction_list(user=frontline).order_by("id"), many=True).data
    plain = (
        Interaction.objects.annotate(n=Count("deliveries"), recovery_case_id=F("recovery_case__id"))
        .filter(n__gte=2)
        .first()
    )
    with django_assert_max_num_queries(1):
        one = InteractionOutputSerializer(plain).data
    expected = sorted(d.gesture_id for d in plain.deliveries.all())
    assert len(expected) >= 2 and one["gestures"] == expected
    assert next(row for row in rows if row["id"] == plain.id)["gestures"] == expected


@pytest.mark.parametrize("zone, language", [("UTC", "en"), ("Asia/Kolkata", "nl")])
def test_case_rows_equal_drfs_generic_answer(history, frontline, zone, language):
    cases = list(recovery_selectors.case_list(user=frontline).order_by("id"))
    statuses = {case.status for case in cases}
    assert {"open", "closed"} <= statuses
    now = timezone.now()
    with timezone.override(zone), translation.override(language):
        fast = CaseOutputSerializer(cases, many=True, context={"now": now}).data
        one = CaseOutputSerializer(context={"now": now})
        generic = [_generic(one, case) for case in cases]
    for f, g in zip(fast, generic):
        _same(f, g)
    assert any(row["recovered_url"] for row in fast) and any(row["recovered_level"] == 5 for row in fast)
    assert list(fast[0]) == CaseOutputSerializer.Meta.fields


def test_link_tokens_are_djangos_salted_hmac(settings):
    from django.utils.crypto import salted_hmac

    for secret in (settings.SECRET_KEY, "another-secret-key-for-this-test-0123456789-abcdefghij"):
        settings.SECRET_KEY = secret
        for purpose in ("feedback", "status", "recovered"):
            nonce = links.new_nonce()
            expected = salted_hmac(f"cxportal.link.{purpose}", nonce, algorithm="sha256").hexdigest()[:32]
            assert links.link_token(purpose=purpose, nonce=nonce) == expected


def test_json_of_a_page_is_plain_json(history, frontline):
    rows = list(selectors.interaction_list(user=frontline).order_by("-id"))
    body = JSONRenderer().render(InteractionOutputSerializer(rows, many=True).data)
    assert json.loads(body)[0]["id"] == rows[0].id
