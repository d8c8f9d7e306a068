from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Team
from interactions.models import Interaction
from radar.selectors import radar_for
from radar.services import occasions_remind

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_makes_every_radar_panel_show_something_and_runs_twice():
    call_command("seed_demo", stdout=StringIO())
    count = Interaction.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Interaction.objects.count() == count
    for team in Team.objects.all():
        radar = radar_for(team=team)
        assert radar.drift and any(w.share > 0 for w in radar.drift), team
        assert radar.nothing_left.count >= 1
        assert {o.days_away for o in radar.occasions} >= {3, 9}
        assert any(o.gesture_name for o in radar.occasions)
        assert radar.ideas.proposed >= 4 and radar.ideas.accepted >= 1 and radar.ideas.declined >= 1 and radar.ideas.waiting >= 1
        assert radar.returns.gestures and radar.returns.recovered.customers >= 1 and radar.returns.never_failed.customers >= 1
    assert occasions_remind() >= 1  # Anna's personal contact hears about her birthday
