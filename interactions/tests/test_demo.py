from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from interactions.models import Customer, Gesture, GestureDelivery, Interaction

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_shows_every_level_the_escalator_and_an_omission_and_runs_twice():
    call_command("seed_demo", stdout=StringIO())
    counts = (Customer.objects.count(), Gesture.objects.count(), Interaction.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Customer.objects.count(), Gesture.objects.count(), Interaction.objects.count()) == counts
    for team_id in Interaction.objects.values_list("team_id", flat=True).distinct():
        levels = set(Interaction.objects.filter(team_id=team_id).values_list("level", flat=True))
        assert levels == {1, 2, 3, 4, 5, 6}
        omitted = Interaction.objects.filter(team_id=team_id).exclude(omitted_gestures=[])
        assert set(omitted.values_list("assessed_level", flat=True)) >= {1, 2}
        repeated = GestureDelivery.objects.filter(customer__team_id=team_id).values("customer", "gesture").annotate(n=Count("id"))
        assert max(row["n"] for row in repeated) >= 4  # the escalator visibly at work
    assert Interaction.objects.filter(customer_level__isnull=False).exists()
