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
