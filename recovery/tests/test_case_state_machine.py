"""Random sequences of logging, rating and case actions by every role keep the recovery invariants:
one case per Criminal/Basic interaction, one event per transition, closed is final."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts.tests.factories import AdminFactory, ManagerFactory, TeamFactory, UserFactory
from core.errors import StateConflict
from interactions.models import Interaction
from interactions.services import interaction_log, interaction_rate
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import CaseEvent, RecoveryCase
from recovery.services import steps

ROLES = ["frontline", "manager", "admin", "outsider"]
ACTIONS = ["fix", "surprise", "close", "close_with_reason"]
NEXT = {("open", "fix"): "fixed", ("fixed", "surprise"): "surprised", ("surprised", "close"): "closed",
        ("surprised", "close_with_reason"): "closed"}


def expected_outcome(role: str, status: str, action: str) -> str:
    """What the product promises: the new status, or the kind of refusal."""
    if role == "outsider":
        return "forbidden"
    if (status, action) in NEXT:
        return NEXT[(status, action)]
    if action.startswith("close") and status in ("open", "fixed"):
        if role == "frontline":
            return "forbidden"
        return "closed" if action == "close_with_reason" else "invalid"
    return "conflict"


class RecoveryMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        team, other = TeamFactory(), TeamFactory()
        self.users = {
            "frontline": UserFactory(teams=[team]),
            "manager": ManagerFactory(teams=[team]),
            "admin": AdminFactory(),
            "outsider": ManagerFactory(teams=[other]),
        }
        self.customers = [CustomerFactory(team=team) for _ in range(2)]
        self.gesture = GestureFactory(team=team)
        self.status = {}  # case id -> status the model expects
        self.transitions = {}  # case id -> successful transitions

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @rule(customer=st.integers(0, 1), facts=st.sampled_from(["criminal", "basic", "expected"]))
    def log_interaction(self, customer, facts):
        interaction = interaction_log(
            actor=self.users["frontline"], customer=self.customers[customer], channel="phone",
            promise_kept=facts != "criminal", issues=["late"] if facts == "basic" else [],
        )
        self._track(interaction)

    @rule(level=st.integers(1, 6), pick=st.integers(0, 10_000))
    def customer_rates(self, level, pick):
        unrated = list(Interaction.objects.filter(customer_level__isnull=True).order_by("id"))
        if not unrated:
            return
        interaction = interaction_rate(interaction=unrated[pick % len(unrated)], level=level)
        self._track(interaction)

    def _track(self, interaction):
        case = RecoveryCase.objects.filter(interaction=interaction).first()
        if case is not None and case.pk not in self.status:
            self.status[case.pk] = "open"
            self.transitions[case.pk] = 0

    @precondition(lambda self: self.status)
    @rule(role=st.sampled_from(ROLES), action=st.sampled_from(ACTIONS), pick=st.integers(0, 10_000))
    def act(self, role, action, pick):
        case_id = sorted(self.status)[pick % len(self.status)]
        case = RecoveryCase.objects.get(pk=case_id)
        actor = self.users[role]
        expected = expected_outcome(role, self.status[case_id], action)
        try:
            if action == "fix":
                steps.case_fix(actor=actor, case=case, note="n")
            elif action == "surprise":
                steps.case_surprise(actor=actor, case=case, gesture=self.gesture, note="n")
            else:
                steps.case_close(actor=actor, case=case, note="n", reason="because" if action == "close_with_reason" else "")
            outcome = RecoveryCase.objects.get(pk=case_id).status
        except PermissionDenied:
            outcome = "forbidden"
        except ValidationError:
            outcome = "invalid"
        except StateConflict:
            outcome = "conflict"
        assert outcome == expected, (role, self.status[case_id], action)
        if outcome in ("fixed", "surprised", "closed"):
            self.status[case_id] = outcome
            self.transitions[case_id] += 1

    @invariant()
    def one_case_per_recovery_interaction(self):
        for interaction in Interaction.objects.filter(level__in=[1, 2]):
            assert RecoveryCase.objects.filter(interaction=interaction).count() == 1
        # the surprise interactions are Expected or better, so every case is some interaction's own
        assert RecoveryCase.objects.count() == len(self.status)

    @invariant()
    def events_count_equals_transitions(self):
        for case_id, n in self.transitions.items():
            events = CaseEvent.objects.filter(case_id=case_id)
            assert events.filter(kind="opened").count() == 1
            assert events.exclude(kind="opened").count() == n

    @invariant()
    def closed_is_final_and_statuses_match(self):
        for case in RecoveryCase.objects.filter(pk__in=self.status):
            assert case.status == self.status[case.pk]
            if case.status == "closed":
                assert case.closed_at is not None


@pytest.mark.django_db
def test_random_recovery_sequences_keep_the_invariants():
    run_state_machine_as_test(
        RecoveryMachine,
        settings=settings(max_examples=30, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)),
    )
