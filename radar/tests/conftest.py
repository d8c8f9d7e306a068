import pytest
from django.test import Client

from recovery.models import Rule


@pytest.fixture
def client_as(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def rule(team):
    return Rule.objects.create(team=team, name="No substitutions")


@pytest.fixture
def other_rule(other_team):
    return Rule.objects.create(team=other_team, name="No refunds")
