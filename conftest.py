"""Fixtures every app's tests share: teams, people in each role, API clients that log in for real."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, ManagerFactory, TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def frontline(team):
    return UserFactory(username="fiona", teams=[team])


@pytest.fixture
def manager(team):
    return ManagerFactory(username="manny", teams=[team], approval_limit=100)


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="ada")


@pytest.fixture
def other_frontline(other_team):
    return UserFactory(username="otto", teams=[other_team])


@pytest.fixture
def other_manager(other_team):
    return ManagerFactory(username="olga", teams=[other_team])


@pytest.fixture
def api():
    """An anonymous API client; `api_as(user)` gives one logged in with a real token."""
    return APIClient()


@pytest.fixture
def api_as(db):
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = user
        return client

    return make
