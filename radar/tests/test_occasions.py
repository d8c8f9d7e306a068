"""Occasions: special dates and noted occasions in the next 14 days, across the turn of the year, each
with a gesture the customer never had; the personal contact's reminder three days before."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from interactions import services as interaction_services
from interactions.models import Occasion
from interactions.occasions import falls_on, next_date
from interactions.tests.factories import GestureFactory
from notifications.services import emails_send_pending
from radar.occasions import occasions_upcoming
from radar.services import occasions_remind

from .history import deliver

CHRISTMAS = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def utc_team(team):
    team.timezone = "UTC"
    team.save()
    return team


def _customer(actor, team, name, dates, **fields):
    return interaction_services.customer_create(actor=actor, team=team, name=name, special_dates=dates, **fields)


def test_the_next_14_days_run_across_the_turn_of_the_year(utc_team, frontline):
    """From 25 December 2026 the window is 25 December to 8 January 2027 (today and 14 days on).

    Anna's birthday 01-05 falls on 5 January 2027 (11 days away); Bram's 01-08 on the 14th day;
    Cleo's 01-09 is one day too far; Dirk's 12-24 was yesterday. Eva noted a 25th wedding
    anniversary for 3 January 2027 on a visit; the same kind noted for 3 January 2026 is past.
    """
    cake = GestureFactory(team=utc_team, name="Birthday cake", description="A small cake with a candle", base_level=6)
    GestureFactory(team=utc_team, name="Chef's table", base_level=6)
    card = GestureFactory(team=utc_team, name="Anniversary card", base_level=5)
    anna = _customer(frontline, utc_team, "Anna", [{"label": "Birthday", "date": "01-05"}])
    bram = _customer(frontline, utc_team, "Bram", [{"label": "Birthday", "date": "1990-01-08"}])
    _customer(frontline, utc_team, "Cleo", [{"label": "Birthday", "date": "01-09"}])
    _customer(frontline, utc_team, "Dirk", [{"label": "Birthday", "date": "12-24"}])
    eva = _customer(frontline, utc_team, "Eva", [])
    interaction_services.interaction_log(
        actor=frontline, customer=eva, channel="phone", occurred_at=CHRISTMAS - timedelta(days=30),
        occasion={"kind": "anniversary", "date": date(2027, 1, 3)},
    )
    interaction_services.interaction_log(
        actor=frontline, customer=eva, channel="phone", occurred_at=CHRISTMAS - timedelta(days=29),
        occasion={"kind": "anniversary", "date": date(2026, 1, 3)},
    )
    deliver(bram, cake, CHRISTMAS - timedelta(days=500))  # Bram had the cake once, long ago: never again "never had"

    found = occasions_upcoming(team_ids=[utc_team.id], at=CHRISTMAS, tz=UTC)

    assert [(o.customer_name, o.on, o.days_away) for o in found] == [
        ("Eva", date(2027, 1, 3), 9),
        ("Anna", date(2027, 1, 5), 11),
        ("Bram", date(2027, 1, 8), 14),
    ]
    eva_o, anna_o, bram_o = found
    assert (anna_o.gesture_name, anna_o.gesture_fits) == ("Birthday cake", True)  # never had, and fits the birthday
    assert (bram_o.gesture_name, bram_o.gesture_fits) == ("Chef's table", False)  # had the cake: the best other
    assert (eva_o.kind, eva_o.gesture_name, eva_o.gesture_fits) == ("anniversary", card.name, True)
    assert anna_o.customer_id == anna.id


def test_a_yearly_29_february_is_kept_on_28_february_in_a_common_year():
    assert next_date(month=2, day=29, year=None, today=date(2027, 2, 20)) == date(2027, 2, 28)
    assert next_date(month=2, day=29, year=None, today=date(2028, 2, 20)) == date(2028, 2, 29)
    assert next_date(month=1, day=3, year=2026, today=date(2026, 12, 25)) is None  # a one-off of a past year


def test_changing_special_dates_replaces_their_occasions(utc_team, frontline):
    anna = _customer(frontline, utc_team, "Anna", [{"label": "Birthday", "date": "01-05"}])
    interaction_services.customer_update(actor=frontline, customer=anna, changes={"special_dates": [{"label": "Anniversary", "date": "06-14"}]})
    assert list(Occasion.objects.filter(customer=anna).values_list("kind", "month", "day", "year")) == [("anniversary", 6, 14, None)]
    assert Occasion.objects.filter(falls_on(date(2027, 6, 14)), customer=anna).exists()


def test_the_personal_contact_is_reminded_three_days_before_once(utc_team, frontline, smtp_server):
    """Anna's birthday is 28 December: on the 25th, three days before, Fiona (her personal contact) is
    emailed, with a gesture Anna never had. Running the job again the same day sends nothing new;
    Bram's birthday four days away is not due yet, and Cleo has no personal contact."""
    frontline.email = "fiona@example.com"
    frontline.save()
    GestureFactory(team=utc_team, name="Birthday cake", base_level=6)
    _customer(frontline, utc_team, "Anna", [{"label": "Birthday", "date": "12-28"}], personal_contact=frontline)
    _customer(frontline, utc_team, "Bram", [{"label": "Birthday", "date": "12-29"}], personal_contact=frontline)
    _customer(frontline, utc_team, "Cleo", [{"label": "Birthday", "date": "12-28"}])
    UserFactory(username="nobody", teams=[utc_team])

    assert occasions_remind(at=CHRISTMAS) == 1
    assert occasions_remind(at=CHRISTMAS + timedelta(hours=1)) == 0
    assert emails_send_pending() == 1
    (message,) = smtp_server.messages
    assert message["To"] == "fiona@example.com"
    assert message["Subject"] == "Anna: Birthday on 2026-12-28"
    body = message.get_payload(decode=True).decode()
    assert "In 3 days it is Anna's Birthday (2026-12-28)." in body
    assert "A gesture they have never had: Birthday cake." in body


def test_a_noted_occasion_makes_the_recovery_recommendation_prefer_a_fitting_gesture(utc_team, frontline):
    from django.utils import timezone

    from recovery.selectors import gestures_recommended

    GestureFactory(team=utc_team, name="Champagne", base_level=6)
    card = GestureFactory(team=utc_team, name="Anniversary card", description="Signed by the team", base_level=5)
    eva = _customer(frontline, utc_team, "Eva", [])
    interaction_services.interaction_log(
        actor=frontline, customer=eva, channel="phone", summary="Booking for their 25th",
        occasion={"kind": "anniversary", "date": timezone.localtime(timezone.now(), utc_team.tz).date() + timedelta(days=6)},
    )
    case = interaction_services.interaction_log(actor=frontline, customer=eva, channel="phone", promise_kept=False).recovery_case
    first = gestures_recommended(case=case)[0]
    assert first.gesture == card and first.fit == 2 and "Anniversary is coming up" in first.why
