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
