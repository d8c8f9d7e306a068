from io import StringIO

import pytest
from django.core.management import call_command

from inbox.models import InboxItem, InboxMessage


@pytest.mark.django_db
def test_seed_demo_has_a_few_inbox_mails_waiting_and_runs_twice():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert InboxMessage.objects.count() == 4
    items = InboxItem.objects.filter(status="waiting")
    assert items.count() == 3 and max(i.messages.count() for i in items) == 2
    assert items.first().team.inbox_address == "support@northwind.example"
