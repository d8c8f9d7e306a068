import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import TeamFactory
from interactions.models import Customer, Gesture


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    team = factory.SubFactory(TeamFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    preferred_channel = "email"


class GestureFactory(DjangoModelFactory):
    class Meta:
        model = Gesture

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Gesture {n}")
    base_level = 5
    recurring = False
    cost = 5
    # A recurring gesture is offered on the phone and in person unless a test says otherwise.
    channels = factory.LazyAttribute(lambda g: ["phone", "in_person"] if g.recurring else [])


def bulk_history(*, customer, count: int, gestures=(), start=None, step=None, level: int = 3):
    """`count` past interactions of one customer, created in bulk (no rubric: they are history to count).

    Each carries a delivery of every gesture in `gestures`.
    """
    from datetime import timedelta

    from django.utils import timezone

    from interactions import links
    from interactions.models import GestureDelivery, Interaction

    step = step or timedelta(minutes=30)
    start = start or timezone.now() - step * (count + 1)
    rows = []
    for i in range(count):
        nonce, digest = links.new_link(purpose="feedback")
        rows.append(
            Interaction(
                team_id=customer.team_id, customer=customer, channel="phone", occurred_at=start + step * i,
                assessed_level=level, level=level, feedback_nonce=nonce, feedback_digest=digest,
            )
        )
    Interaction.objects.bulk_create(rows, batch_size=500)
    GestureDelivery.objects.bulk_create(
        (
            GestureDelivery(interaction=row, gesture=g, customer=customer, delivered_at=row.occurred_at)
            for row in rows
            for g in gestures
        ),
        batch_size=1000,
    )
    return rows
