"""core.db: rows inserted in one lean statement (a dedupe key, a child row), the transaction going on."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import insert_unless_present
from notifications.models import OutboundEmail


@pytest.mark.django_db
def test_the_first_row_is_inserted_the_twin_is_not_and_the_transaction_goes_on():
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            first = OutboundEmail(to=["a@example.com"], subject="S", text="T", dedupe_key="k-1")
            assert insert_unless_present(first) is True
            twin = OutboundEmail(to=["b@example.com"], subject="other", text="other", dedupe_key="k-1")
            assert insert_unless_present(twin) is False
        assert len(captured) == 2  # one statement each: no savepoint
        assert twin.pk is None and twin._state.adding
        # No error was raised inside the transaction: it can still write and read.
        OutboundEmail.objects.create(to=["c@example.com"], subject="S", text="T", dedupe_key="k-2")
    saved = OutboundEmail.objects.get(dedupe_key="k-1")
    assert saved.pk == first.pk and saved.to == ["a@example.com"] and saved.subject == "S"
    assert saved.created_at is not None and saved.attempts == 0  # auto_now_add and defaults, as save() makes them
    assert not first._state.adding and OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_rows_without_a_key_never_conflict():
    assert insert_unless_present(OutboundEmail(to=["a@example.com"], subject="S", text="T"))
    assert insert_unless_present(OutboundEmail(to=["a@example.com"], subject="S", text="T"))
    assert OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_lean_insert_writes_the_row_create_would_write():
    from accounts.tests.factories import TeamFactory
    from core.db import insert_row
    from interactions.models import Interaction
    from interactions.tests.factories import CustomerFactory

    customer = CustomerFactory(team=TeamFactory())
    fields = {"team": customer.team, "customer": customer, "channel": "phone", "occurred_at": timezone.now(),
              "issues": ["late"], "assessed_level": 3, "level": 3, "feedback_nonce": "n", "feedback_digest": "lean"}
    with CaptureQueriesContext(connection) as captured:
        lean = insert_row(Interaction(**fields))
    assert len(captured) == 1
    created = Interaction.objects.create(**{**fields, "feedback_digest": "created"})
    assert lean.pk and not lean._state.adding and lean.created_at is not None
    saved, reference = Interaction.objects.get(pk=lean.pk), Interaction.objects.get(pk=created.pk)
    skip = {"id", "created_at", "feedback_digest"}
    for field in Interaction._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(saved, field.attname) == getattr(reference, field.attname), field.name
    assert saved.created_at == lean.created_at  # auto_now_add, as save() sets it
    assert saved.occasion_kind == "" and saved.omitted_gestures == [] and saved.promise_kept is True  # the defaults


@pytest.mark.django_db
def test_a_row_and_its_child_go_in_one_statement_on_postgresql():
    from accounts.tests.factories import TeamFactory
    from core.db import insert_row_with_child
    from interactions.models import Interaction, LevelChange
    from interactions.tests.factories import CustomerFactory

    customer = CustomerFactory(team=TeamFactory())
    interaction = Interaction(team=customer.team, customer=customer, channel="email", occurred_at=timezone.now(),
                              assessed_level=2, level=2, feedback_nonce="n", feedback_digest="d")
    change = LevelChange(new_level=2, cause=LevelChange.Cause.LOGGED, reason="Basic")
    with CaptureQueriesContext(connection) as captured:
        insert_row_with_child(interaction, change, link="interaction")
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)
    assert change.interaction is interaction and change.interaction_id == interaction.pk
    saved = LevelChange.objects.get(pk=change.pk)
    assert (saved.interaction_id, saved.old_level, saved.new_level, saved.reason) == (interaction.pk, None, 2, "Basic")
    assert saved.changed_at == change.changed_at and Interaction.objects.get(pk=interaction.pk).level == 2


@pytest.mark.django_db
def test_the_row_reader_builds_the_instances_the_orm_builds():
    import datetime
    from decimal import Decimal

    from accounts.models import Team
    from accounts.tests.factories import TeamFactory
    from core.db import RowReader
    from interactions.models import Customer
    from interactions.tests.factories import CustomerFactory

    team = TeamFactory(say_yes_threshold=Decimal("12.50"), quiet_hours_start=datetime.time(22, 0),
                       rating_request_channels=["email"], business_hours="mon-fri 09:00-17:00")
    customer = CustomerFactory(team=team, special_dates=[{"kind": "birthday", "date": "1990-05-01"}],
                               contact_opt_out=True, contact_opt_out_at=timezone.now())
    reader = RowReader(Customer, Team)
    sql = (f"SELECT {reader.columns(Customer, 'c')}, {reader.columns(Team, 't')} "
           "FROM interactions_customer c JOIN accounts_team t ON t.id = c.team_id WHERE c.id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer.pk])
        read_customer, read_team = reader.instances(cursor.fetchone(), connection)
    orm_customer = Customer.objects.select_related("team").get(pk=customer.pk)
    for read, orm in ((read_customer, orm_customer), (read_team, orm_customer.team)):
        assert type(read) is type(orm) and not read._state.adding
        for field in type(orm)._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
            assert type(getattr(read, field.attname)) is type(getattr(orm, field.attname)), field.name
