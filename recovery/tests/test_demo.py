from io import StringIO

import pytest
from django.core.management import call_command

from recovery import selectors
from recovery.models import RecoveryCase, RuleBend

pytestmark = pytest.mark.django_db


def test_seed_demo_has_cases_in_every_state_bends_and_a_dumbest_rule_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = (RecoveryCase.objects.count(), RuleBend.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (RecoveryCase.objects.count(), RuleBend.objects.count()) == counts
    from accounts.models import Team, User

    admin = User.objects.get(username="admin")
    for team in Team.objects.all():
        statuses = set(RecoveryCase.objects.filter(team=team).values_list("status", flat=True))
        assert statuses == {"open", "fixed", "surprised", "closed"}, team
        bend_statuses = set(RuleBend.objects.filter(team=team).values_list("status", flat=True))
        assert bend_statuses == {"pending", "approved", "rejected"}, team
        top = selectors.rules_ranked(user=admin).filter(team=team).first()
        assert top.name == "No table changes after 20:00" if team.name == "Harbour Bistro" else top.name == "No refunds after 30 days"
        assert top.bend_count > selectors.rules_ranked(user=admin).filter(team=team)[1].bend_count
    assert RuleBend.objects.filter(auto_approved=True).exists()
    assert RecoveryCase.objects.filter(recovered_level__isnull=False).exists()


def test_the_demo_adds_up_cases_open_in_their_own_week_and_nothing_is_surprised_twice():
    from datetime import timedelta

    from django.utils import timezone

    from interactions.models import Interaction

    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    cases = list(RecoveryCase.objects.filter(follow_up_of__isnull=True).select_related("interaction"))
    # a case opens when its interaction was logged (or rated, a few hours later), live: not at seeding time
    replayed = [c for c in cases if c.interaction.created_at < now - timedelta(days=1)]
    # (or when the customer answered our rating request, up to two days later: opened by the answer)
    assert replayed and all(
        timedelta(0) <= c.opened_at - c.interaction.created_at <= timedelta(hours=4)
        or c.interaction.rating_requested_at is not None and c.opened_at >= c.interaction.rating_requested_at
        for c in replayed
    )
    assert len({c.fix_due for c in cases}) > len(cases) // 2, "due times differ"
    # cases opened more than two days ago were worked back then; none is left overdue from the history
    assert not RecoveryCase.objects.filter(opened_at__lt=now - timedelta(days=3), status__in=["open", "fixed"]).exists()
    # a surprise is a delivery, never an interaction of its own: no case opened by a surprise
    assert Interaction.objects.filter(summary__startswith="Recovery surprise").count() == 0
    assert RecoveryCase.objects.filter(surprise_delivery__isnull=False).count() == RecoveryCase.objects.exclude(surprised_at=None).count()


def test_the_demo_has_owners_notes_business_hours_a_follow_up_and_notifications():
    from accounts.models import Team
    from notifications.models import Notification
    from recovery.models import CaseEvent

    call_command("seed_demo", stdout=StringIO())
    bistro = Team.objects.get(name="Harbour Bistro")
    assert bistro.business_hours and bistro.holiday_country == "NL" and bistro.calendar is not None
    assert not RecoveryCase.objects.filter(owner__isnull=True, follow_up_of__isnull=True).exists(), "whoever logged it owns it"
    assert CaseEvent.objects.filter(kind="note").count() >= 4 and CaseEvent.objects.filter(kind="assigned").exists()
    follow_up = RecoveryCase.objects.filter(follow_up_of__isnull=False).first()
    assert follow_up is not None and follow_up.owner_id == follow_up.follow_up_of.owner_id
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"case.assigned", "case.follow_up", "bend.requested", "bend.decided", "case.breach"} <= kinds
    # Again: nothing new.
    counts = (RecoveryCase.objects.count(), Notification.objects.count(), CaseEvent.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (RecoveryCase.objects.count(), Notification.objects.count(), CaseEvent.objects.count()) == counts
