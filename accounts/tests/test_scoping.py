"""The one scoping rule, for querysets and for hand-written statements alike: the same rows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from accounts.selectors import scope_to_teams, scope_to_teams_sql
from accounts.tests.factories import AdminFactory, TeamFactory, UserFactory
from interactions.models import Customer
from interactions.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _ids_by_sql(user) -> set[int]:
    condition, params = scope_to_teams_sql(user, "c.team_id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.id FROM interactions_customer c WHERE {condition}", params)
        return {row[0] for row in cursor.fetchall()}


def test_the_statement_sees_the_rows_the_queryset_sees():
    mine, also_mine, theirs = TeamFactory(), TeamFactory(), TeamFactory()
    for team in (mine, also_mine, theirs):
        CustomerFactory(team=team)
        CustomerFactory(team=team)
    member = UserFactory(teams=[mine, also_mine])
    for user in (member, UserFactory(teams=[theirs]), UserFactory(), AdminFactory(), AnonymousUser()):
        expected = set(scope_to_teams(Customer.objects.all(), user).values_list("id", flat=True))
        fresh = type(user).objects.get(pk=user.pk) if user.pk else user  # the user's teams not read yet: a subquery
        assert _ids_by_sql(fresh) == expected, user
        assert _ids_by_sql(user) == expected, user  # read already (scope_to_teams kept them): a list
    assert len(_ids_by_sql(member)) == 4 and len(_ids_by_sql(AdminFactory())) == 6
