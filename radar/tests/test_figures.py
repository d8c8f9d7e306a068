"""Each radar figure on a small hand-made history, with the expected numbers worked out here."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from interactions.models import GestureDrift
from interactions.tests.factories import CustomerFactory, GestureFactory
from radar.drift_watch import crossing_day, drift_watch, drifts_now, weekly_points
from radar.returns import Group, delight_returns, rate_difference
from radar.surprise import deliveries_to_expected, nothing_left

from .history import deliver, visit

T = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # "now" of every test here


@pytest.fixture
def utc_team(team):
    team.timezone = "UTC"
    team.drift_share = Decimal("0.5")
    team.drift_min_customers = 1
    team.save()
    return team


# --- Close to drifting -------------------------------------------------------------------------


def test_share_trend_projects_the_day_a_gesture_reaches_the_drift_share(utc_team):
    """20 customers served at every weekly point; the card reaches one more of them each week.

    Shares at the 8 points, oldest first: 0/20, 1/20, ..., 7/20 = 0.35 now; the line rises
    0.05 a week, so it needs (0.50 - 0.35) / 0.05 = 3 weeks = 21 days: 9 December 2026.
    """
    customers = [CustomerFactory(team=utc_team) for _ in range(20)]
    for c in customers:
        visit(c, T - timedelta(days=60))  # inside every point's 90 days: [p - 90 d, p] for p down to T - 49 d
    card, flat, drifted = (GestureFactory(team=utc_team, name=n) for n in ("Card", "Flat", "Drifted"))
    points = weekly_points(T)
    for j in range(1, 8):
        deliver(customers[j], card, points[j] - timedelta(hours=1))  # counted from point j on
    for c in customers[:2]:
        deliver(c, flat, T - timedelta(days=70))  # 2 of 20 at every point: not rising
    GestureDrift.objects.create(gesture=drifted, effective_from=T - timedelta(days=10), offset=-1)

    watch = {w.name: w for w in drift_watch(team=utc_team, at=T)}

    assert [round(s, 4) for s in watch["Card"].trend] == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35]
    assert (watch["Card"].reached, watch["Card"].served) == (7, 20)
    assert watch["Card"].per_week == pytest.approx(0.05)
    assert watch["Card"].crossing == date(2026, 12, 9)
    assert watch["Card"].close
    assert not drifts_now(watch["Card"], utc_team)  # 0.35 < 0.5: the drift job leaves it tonight
    assert watch["Flat"].crossing is None and not watch["Flat"].close  # 0.10 and flat: not at this pace
    assert watch["Drifted"].drifted_on == date(2026, 11, 8) and watch["Drifted"].crossing is None
    assert [w.name for w in drift_watch(team=utc_team, at=T)] == ["Card", "Flat", "Drifted"]


def test_a_gesture_at_the_drift_share_crosses_today_and_the_rule_agrees(utc_team):
    a, b = CustomerFactory(team=utc_team), CustomerFactory(team=utc_team)
    g = GestureFactory(team=utc_team, name="Half")
    visit(a, T - timedelta(days=1), gestures=[g])
    visit(b, T - timedelta(days=1))
    (watch,) = drift_watch(team=utc_team, at=T)
    assert watch.share == 0.5 and watch.crossing == date(2026, 11, 18)
    assert drifts_now(watch, utc_team)  # scoring.drifts: 1 of 2 >= 0.5, 2 served >= 1
    utc_team.drift_min_customers = 3
    assert not drifts_now(watch, utc_team)


def test_far_crossing_is_not_at_this_pace():
    slope, day = crossing_day(shares=[0.0, 0.001], drift_share=0.5, today=date(2026, 1, 1))
    assert slope == pytest.approx(0.001) and day is None  # 499 weeks away


# --- Nothing left to surprise them ---------------------------------------------------------------


def test_deliveries_to_expected_follow_the_escalator():
    assert deliveries_to_expected(5) == 3  # 5, 4, 3
    assert deliveries_to_expected(6) == 4  # 6, 5, 4, 3
    assert deliveries_to_expected(4) == 2  # a drifted Surprising: 4, 3


def test_customers_with_every_gesture_at_expected_or_below_and_when_one_can_surprise_again(utc_team):
    """Window 365 days. Drink (Surprising: Expected from its 3rd delivery) and Chef (Unbelievable: from its 4th).

    Xavi: Drink 4 times (T-300, -200, -100, -10), Chef 4 times (T-350, -50, -40, -30): both at or
    below Expected. Drink's 3rd newest (T-200) leaves the window at T+165; Chef's 4th newest
    (T-350) at T+15: from 3 December 2026 Chef can surprise him again.
    Yara: Drink 3, Chef 3 (Chef stands at Desired): not listed. Zoe: Drink only: not listed.
    """
    drink = GestureFactory(team=utc_team, name="Drink", base_level=5)
    chef = GestureFactory(team=utc_team, name="Chef", base_level=6)
    GestureFactory(team=utc_team, name="Retired", active=False)  # inactive gestures are not expected
    xavi, yara, zoe = (CustomerFactory(team=utc_team, name=n) for n in ("Xavi", "Yara", "Zoe"))
    for days in (300, 200, 100, 10):
        deliver(xavi, drink, T - timedelta(days=days))
    for days in (350, 50, 40, 30):
        deliver(xavi, chef, T - timedelta(days=days))
    deliver(xavi, chef, T - timedelta(days=400))  # outside the window: does not count
    for days in (90, 60, 30):
        deliver(yara, drink, T - timedelta(days=days))
        deliver(yara, chef, T - timedelta(days=days + 1))
    for days in (90, 60, 30):
        deliver(zoe, drink, T - timedelta(days=days))

    figures = nothing_left(team=utc_team, at=T)
    assert figures.count == 1 and figures.gestures == 2
    assert [(c.name, c.surprise_again_on) for c in figures.customers] == [("Xavi", date(2026, 12, 3))]

    # Chef drifts to Surprising (rule 6): from its 3rd delivery it is Expected, so Yara has nothing left
    # either; her Chef's 3rd newest (T-91) leaves at T+274, her Drink's 3rd newest (T-90) at T+275.
    GestureDrift.objects.create(gesture=chef, effective_from=T - timedelta(days=500), offset=-1)
    figures = nothing_left(team=utc_team, at=T)
    assert figures.count == 2
    # Xavi: Chef now needs 3: its 3rd newest is T-40, leaving at T+325; Drink leaves at T+165.
    assert [(c.name, c.surprise_again_on) for c in figures.customers] == [
        ("Xavi", (T + timedelta(days=165)).date()),
        ("Yara", (T + timedelta(days=274)).date()),
    ]


def test_nothing_left_lists_only_its_own_team(utc_team, other_team):
    mine = GestureFactory(team=utc_team, base_level=5)
    theirs = GestureFactory(team=other_team, base_level=5)
    me, them = CustomerFactory(team=utc_team), CustomerFactory(team=other_team)
    for days in (3, 2, 1):
        deliver(me, mine, T - timedelta(days=days))
        deliver(them, theirs, T - timedelta(days=days))
    assert [c.customer_id for c in nothing_left(team=utc_team, at=T).customers] == [me.id]
    assert [c.customer_id for c in nothing_left(team=other_team, at=T).customers] == [them.id]


# --- What delight returns ------------------------------------------------------------------------


def test_return_rate_and_next_level_per_gesture_against_the_others(utc_team):
    """The cohort is [T-270 d, T-90 d). Ann, Bob, Cas and Dee got the cake at T-200 d; Ann came back
    at T-150 d (Surprising, 5), Bob at T-140 d (Expected, 3), Cas only at T-50 d (110 days later: not
    within 90), Dee never. Eli, Fay and Gus were served at T-200 d without it; Eli came back at
    T-180 d (Desired, 4).

    Cake: 4 customers, 2 back = 0.50, next level (5 + 3) / 2 = 4.0; cost 4 x 8.00 = 32.00.
    Others: served in the cohort 7, minus the cake's 4 = 3; 1 back = 0.33; next level 4.0.
    Four against three customers is far too few to tell.
    """
    cake = GestureFactory(team=utc_team, name="Cake", cost=Decimal("8.00"))
    ann, bob, cas, dee, eli, fay, gus = (CustomerFactory(team=utc_team, name=n) for n in ("Ann", "Bob", "Cas", "Dee", "Eli", "Fay", "Gus"))
    for c in (ann, bob, cas, dee):
        visit(c, T - timedelta(days=200), gestures=[cake])
    visit(ann, T - timedelta(days=150), level=5)
    visit(ann, T - timedelta(days=120), level=2)  # not the next one: the first after counts
    visit(bob, T - timedelta(days=140), level=3)
    visit(cas, T - timedelta(days=50), level=6)
    for c in (eli, fay, gus):
        visit(c, T - timedelta(days=200))
    visit(eli, T - timedelta(days=180), level=4)
    visit(CustomerFactory(team=utc_team), T - timedelta(days=30), gestures=[cake])  # after the cohort: not counted

    returns = delight_returns(team=utc_team, at=T)
    (row,) = returns.gestures
    assert (row.deliveries, row.cost) == (4, Decimal("32.00"))
    assert (row.reached.customers, row.reached.returned, row.reached.rate, row.reached.mean_next_level) == (4, 2, 0.5, 4.0)
    assert (row.others.customers, row.others.returned, row.others.mean_next_level) == (3, 1, 4.0)
    assert row.others.rate == pytest.approx(1 / 3)
    assert not row.difference.meaningful
    assert row.difference.low < 0 < row.difference.high
    assert row.difference.words.startswith("Too few customers to tell")


def test_confidence_interval_wording_flips_at_fifty_customers_each():
    """60% against 40% of returning customers: with 45 in each group the 95% interval for the
    difference (Newcombe) still reaches below zero (-0.6 to 38.4 points); with 50 in each it does not
    (0.5 to 37.5 points): from there the difference means something."""
    small = rate_difference(Group(45, 27, 0, 0), Group(45, 18, 0, 0), subject="Customers who got it")
    large = rate_difference(Group(50, 30, 0, 0), Group(50, 20, 0, 0), subject="Customers who got it")
    assert not small.meaningful and small.words.startswith("Too few customers to tell")
    assert small.low == pytest.approx(-0.0057, abs=1e-4)
    assert large.meaningful and large.low == pytest.approx(0.0046, abs=1e-4)
    assert large.words == "Customers who got it came back more often: 0.5 to 37.5 points more (95% confidence)."
    fewer = rate_difference(Group(50, 20, 0, 0), Group(50, 30, 0, 0), subject="They")
    assert fewer.meaningful and fewer.words == "They came back less often: 0.5 to 37.5 points fewer (95% confidence)."
    assert rate_difference(Group(0, 0, 0, 0), Group(5, 1, 0, 0), subject="x").words == "Nobody to compare yet."


def test_the_weekly_report_carries_the_radar_section(utc_team, frontline):
    """Week 2026-W47 (16 to 22 November, UTC) seen on 25 November: the card of the drift test is close
    to drifting as of the week's end, one idea was proposed in the week and is waiting."""
    from radar.models import Idea
    from reports.exports import report_csv
    from reports.figures import report_as_json, weekly_report
    from reports.weeks import IsoWeek

    week_end = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    customers = [CustomerFactory(team=utc_team) for _ in range(20)]
    for c in customers:
        visit(c, week_end - timedelta(days=60))
    card = GestureFactory(team=utc_team, name="Card")
    for j, point in enumerate(weekly_points(week_end)):
        if j:
            deliver(customers[j], card, point - timedelta(hours=1))
    Idea.objects.create(team=utc_team, kind="gesture", title="Polaroid", story="s", proposed_by=frontline, proposed_at=week_end - timedelta(days=2))
    Idea.objects.create(team=utc_team, kind="gesture", title="Older", story="s", proposed_by=frontline, proposed_at=week_end - timedelta(days=20))

    report = weekly_report(utc_team, IsoWeek(2026, 47), now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    radar = report_as_json(report)["radar"]
    assert radar["close_to_drifting"] == [{"gesture": card.id, "name": "Card", "share": 0.35, "crossing": "2026-12-14"}]
    assert radar["nothing_left"] == 0
    assert radar["ideas"] == {"proposed": 1, "accepted": 0, "declined": 0, "waiting": 2}
    assert "radar" in [s.section.key for s in report.shown_sections]
    assert "close to drifting,Card,0.35,2026-12-14" in report_csv(report)


def test_returns_of_recoveries_and_of_customers_who_never_failed_at_the_edges(utc_team):
    """The cohort is [T-270 d, T-90 d); back means another interaction within 90 days after the
    moment, exactly 90 days included; of two interactions at one instant the first logged counts,
    and one at the very instant of the moment is not "after" it.

    Hal: T-200 with the cake (Expected), then two at T-150 logged Surprising (5) then Expected (3): back, next 5.
    Ivy: T-180 twice at the same instant (3, then 6), then T-90 exactly 90 days later (Desired, 4):
         back, next 4; a Basic interaction at T-400 (within the year before T-90) means she failed.
    Jon: T-250, then T-159 (91 days: not back); the cake delivered without an interaction at T-240,
         81 days before T-159: for the cake he came back, with a 5.
    Kim: T-210 Criminal (she failed), T-120 Desired: back (exactly 90 days), next 4. Her first case
         closed recovered at Surprising at T-200 (T-120 is 80 days later: back, 4); her second, at
         T-150, does not count again.
    Lea: T-100 only (never back); her case closed recovered only at Expected: not in the paradox.

    Everyone: Hal, Ivy, Jon, Kim, Lea = 5, back 3 (Hal, Ivy, Kim), next levels 5 + 4 + 4 = 13 over 3.
    Never failed: Hal, Jon, Lea = 3, back 1, next 5. Cake reached: Hal and Jon = 2, both back, 5 + 5.
    Cake's others: everyone minus Hal and Jon at their first interactions (Hal back with 5, Jon not):
    5 - 2 = 3 customers, 3 - 1 = 2 back, 13 - 5 = 8 over 2. Recovered: Kim alone, back, 4.
    """
    from interactions import links
    from recovery.models import RecoveryCase

    cake = GestureFactory(team=utc_team, name="Cake", cost=Decimal("2.50"))
    hal, ivy, jon, kim, lea = (CustomerFactory(team=utc_team, name=n) for n in ("Hal", "Ivy", "Jon", "Kim", "Lea"))
    visit(hal, T - timedelta(days=200), gestures=[cake])
    visit(hal, T - timedelta(days=150), level=5)
    visit(hal, T - timedelta(days=150), level=3)
    visit(ivy, T - timedelta(days=400), level=2)
    visit(ivy, T - timedelta(days=180), level=3)
    visit(ivy, T - timedelta(days=180), level=6)
    visit(ivy, T - timedelta(days=90), level=4)
    visit(jon, T - timedelta(days=250))
    visit(jon, T - timedelta(days=159), level=5)
    deliver(jon, cake, T - timedelta(days=240))
    visit(kim, T - timedelta(days=210), level=1)
    visit(kim, T - timedelta(days=120), level=4)
    visit(lea, T - timedelta(days=100))

    def case(customer, closed_days, level):
        (s_nonce, s_digest), (r_nonce, r_digest) = links.new_link(purpose="status"), links.new_link(purpose="recovered")
        closed = T - timedelta(days=closed_days)
        RecoveryCase.objects.create(
            customer=customer, team=utc_team, severity=1, status="closed", opened_at=closed - timedelta(days=1),
            fix_due=closed, closed_at=closed, recovered_level=level, recovered_rated_at=closed,
            status_nonce=s_nonce, status_digest=s_digest, recovered_nonce=r_nonce, recovered_digest=r_digest,
        )

    case(kim, 200, 5)
    case(kim, 150, 4)
    case(lea, 100, 3)

    returns = delight_returns(team=utc_team, at=T)
    assert returns.never_failed == Group(3, 1, 5, 1)
    assert returns.recovered == Group(1, 1, 4, 1)
    (row,) = returns.gestures
    assert (row.deliveries, row.cost) == (2, Decimal("5.00"))
    assert row.reached == Group(2, 2, 10, 2)
    assert row.others == Group(3, 2, 8, 2)
