from io import StringIO

import pytest
from django.core.management import call_command

from interactions.models import Customer, Interaction
from notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_the_demo_has_sent_requests_ratings_with_comments_and_one_opted_out_customer_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    asked = Interaction.objects.filter(rating_requested_at__isnull=False)
    counts = (asked.count(), OutboundEmail.objects.filter(dedupe_key__startswith="rating-request-").count())
    assert counts[0] > 20 and counts[0] == counts[1]
    assert asked.filter(customer_level__isnull=False).exclude(customer_comment="").count() >= 10
    assert set(asked.filter(customer_level__isnull=False).values_list("customer_level", flat=True)) >= {1, 2, 4, 5}
    assert Customer.objects.filter(contact_opt_out=True).count() == 2  # one per demo team
    assert "rating requests sent" in out.getvalue()
    call_command("seed_demo", stdout=StringIO())
    assert asked.count() == counts[0]
    assert Customer.objects.filter(contact_opt_out=True).count() == 2
