import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import TeamSettingChange
from accounts.services import team_update_settings
from audit.tables import AUDIT_TABLES
from interactions.models import LevelChange
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from recovery.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")


def _refused(operation):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            operation()


def test_the_database_refuses_to_rewrite_or_delete_audit_rows(frontline, manager, team):
    interaction = interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="phone", promise_kept=False)
    team_update_settings(actor=manager, team=team, changes={"sla_basic_fix_hours": 8})
    level_change = LevelChange.objects.get(interaction=interaction)
    event = CaseEvent.objects.get(case__interaction=interaction)
    setting = TeamSettingChange.objects.get(team=team)

    _refused(lambda: LevelChange.objects.filter(pk=level_change.pk).update(new_level=6))
    _refused(lambda: LevelChange.objects.filter(pk=level_change.pk).delete())
    _refused(lambda: CaseEvent.objects.filter(pk=event.pk).update(note="rewritten"))
    _refused(lambda: CaseEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: TeamSettingChange.objects.filter(pk=setting.pk).update(new_value="1"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%%_append_only'")
        assert {row[0] for row in cursor.fetchall()} == set(AUDIT_TABLES)

    level_change.refresh_from_db()
    event.refresh_from_db()
    assert level_change.new_level == 1 and event.note.startswith("Opened")


def test_appending_audit_rows_still_works(frontline, team):
    customer = CustomerFactory(team=team)
    interaction_log(actor=frontline, customer=customer, channel="email", promise_kept=False)
    interaction_log(actor=frontline, customer=customer, channel="email", issues=["late"])
    assert LevelChange.objects.filter(interaction__customer=customer).count() == 2
