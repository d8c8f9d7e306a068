"""core.db.insert_unless_present: one statement for a row with a dedupe key, and the transaction goes on."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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
