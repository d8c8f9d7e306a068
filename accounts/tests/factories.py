import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Team, User

PASSWORD = "correct-horse-battery-9"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    timezone = "Europe/Amsterdam"
    # No quiet hours, so a test's mail goes out whatever the hour it runs at; the quiet-hours tests
    # set them and the clock (voice/tests).
    quiet_hours_start = datetime.time(0, 0)
    quiet_hours_end = datetime.time(0, 0)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = User.Role.FRONTLINE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class ManagerFactory(UserFactory):
    role = User.Role.MANAGER
    approval_limit = 100


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True
