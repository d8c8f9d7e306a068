from celery import shared_task

from .models import Team


@shared_task(name="accounts.roundtrip", acks_late=True)
def roundtrip(team_id: int) -> str:
    """Worker → database round trip, used to check the wiring: returns the team's name."""
    return Team.objects.get(pk=team_id).name
