"""Hand-made histories: interactions and deliveries written as rows at exact moments (no rubric:
the radar counts what happened, so the levels are set by hand where a figure reads them)."""

from interactions import links
from interactions.models import GestureDelivery, Interaction


def visit(customer, at, *, gestures=(), level=3, channel="phone", logged_by=None, customer_level=None):
    nonce, digest = links.new_link(purpose="feedback")
    interaction = Interaction.objects.create(
        team_id=customer.team_id, customer=customer, channel=channel, occurred_at=at, assessed_level=level, level=level,
        customer_level=customer_level, feedback_nonce=nonce, feedback_digest=digest, logged_by=logged_by,
    )
    for g in gestures:
        GestureDelivery.objects.create(interaction=interaction, gesture=g, customer=customer, delivered_at=at)
    return interaction


def deliver(customer, gesture, at):
    """A delivery without an interaction (as a recovery surprise is)."""
    return GestureDelivery.objects.create(interaction=None, gesture=gesture, customer=customer, delivered_at=at)
