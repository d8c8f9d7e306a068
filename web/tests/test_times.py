"""Times shown to staff: in the viewer's time zone, with the zone named where the teams they see differ."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import AdminFactory, TeamFactory, UserFactory
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory

MOMENT = datetime(2026, 6, 1, 14, 39, tzinfo=UTC)  # 16:39 in Amsterdam (summer time), 10:39 in New York


@pytest.fixture
def amsterdam(db):
    team = TeamFactory(name="Harbour Bistro", timezone="Europe/Amsterdam")
    customer = CustomerFactory(team=team, name="Anna de Vries")
    actor = UserFactory(teams=[team])
    interaction_log(actor=actor, customer=customer, channel="phone", occurred_at=MOMENT)
    return team, customer


def _history(client, user, customer):
    client.force_login(user)
    return client.get(f"/customers/{customer.pk}/").content.decode()


def test_a_team_member_reads_the_team_time_without_a_label(client, amsterdam):
    team, customer = amsterdam
    html = _history(client, UserFactory(teams=[team]), customer)
    assert '1 Jun 2026, 16:39</time>' in html
    assert "<abbr" not in html


def test_an_admin_reads_utc_with_the_zone_named(client, amsterdam):
    _, customer = amsterdam
    html = _history(client, AdminFactory(), customer)
    assert '1 Jun 2026, 14:39 <abbr title="UTC">UTC</abbr></time>' in html
    assert "16:39" not in html


def test_a_person_in_teams_on_two_continents_sees_the_zone_named(client, amsterdam):
    team, customer = amsterdam
    # Their first team by name is in Amsterdam: times read in Amsterdam time, named, since the other team is not.
    both = UserFactory(teams=[team, TeamFactory(name="Northwind Support", timezone="America/New_York")])
    html = _history(client, both, customer)
    assert '1 Jun 2026, 16:39 <abbr title="Europe/Amsterdam">CEST</abbr></time>' in html


def test_the_datetime_attribute_is_the_same_moment(client, amsterdam):
    team, customer = amsterdam
    html = _history(client, UserFactory(teams=[team]), customer)
    start = html.index('<time datetime="', html.index("History")) + len('<time datetime="')
    shown = datetime.fromisoformat(html[start:html.index('"', start)])
    assert shown == MOMENT and shown.utcoffset() == timedelta(hours=2)
