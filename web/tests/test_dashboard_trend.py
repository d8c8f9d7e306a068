"""The dashboard's level mix over a chosen period, by day or week, filtered by channel, person and
team through the URL: numbers checked against a hand-made history."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, TeamFactory, UserFactory
from interactions.levels import Level
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory

PERIOD = {"from": "2026-03-02", "to": "2026-03-15"}  # Monday to Sunday two weeks later; Amsterdam is UTC+1 then


@pytest.fixture
def history(db):
    """Six interactions of Harbour Bistro (Amsterdam) and one of Northwind (New York), at known moments."""
    bistro = TeamFactory(name="Harbour Bistro", timezone="Europe/Amsterdam")
    northwind = TeamFactory(name="Northwind Support", timezone="America/New_York")
    sam, joost = UserFactory(username="sam", teams=[bistro]), UserFactory(username="joost", teams=[bistro])
    leo = UserFactory(username="leo", teams=[northwind])
    anna, otto = CustomerFactory(team=bistro), CustomerFactory(team=northwind)

    def log(actor, customer, at, channel, kept, level):
        interaction = interaction_log(actor=actor, customer=customer, channel=channel, promise_kept=kept,
                                      occurred_at=datetime(*at, tzinfo=UTC))
        assert interaction.level == level  # the history is what the test says it is
        return interaction

    log(sam, anna, (2026, 3, 2, 9, 0), "phone", False, Level.CRIMINAL)
    log(sam, anna, (2026, 3, 2, 11, 0), "email", True, Level.EXPECTED)
    log(joost, anna, (2026, 3, 3, 23, 30), "phone", True, Level.EXPECTED)  # 00:30 on Wednesday in Amsterdam
    log(joost, anna, (2026, 3, 9, 8, 0), "phone", False, Level.CRIMINAL)
    log(sam, anna, (2026, 3, 15, 22, 59), "phone", True, Level.EXPECTED)  # 23:59 Sunday: inside
    log(sam, anna, (2026, 3, 15, 23, 30), "phone", True, Level.EXPECTED)  # 00:30 Monday the 16th: outside
    log(leo, otto, (2026, 3, 2, 15, 0), "phone", False, Level.CRIMINAL)  # another team
    return {"bistro": bistro, "northwind": northwind, "sam": sam, "joost": joost, "leo": leo}


ROW = re.compile(r'<tr data-start="([0-9-]+)"><th scope="row">[^<]*</th>((?:<td>[0-9]+</td>){6})<td>([0-9]+)</td>')


def buckets(html: str) -> dict:
    """The numbers table of the page: {first day: {level: count}} without the zeros; each row's total checked."""
    found = {}
    for start, cells, total in ROW.findall(html):
        counts = [int(n) for n in re.findall(r"[0-9]+", cells)]
        assert sum(counts) == int(total)
        found[start] = {level: n for level, n in enumerate(counts, start=1) if n}
    return found


def _trend(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard"), {**PERIOD, **params})
    assert response.status_code == 200, response.content.decode()[-2000:]
    return response, buckets(response.content.decode())


def test_by_day_in_the_viewers_time_zone(client, history):
    response, days = _trend(client, history["sam"], by="day")
    assert len(days) == 14
    assert days["2026-03-02"] == {1: 1, 3: 1}
    assert days["2026-03-03"] == {}
    assert days["2026-03-04"] == {3: 1}  # 23:30 UTC on Tuesday is Wednesday in Amsterdam
    assert days["2026-03-09"] == {1: 1}
    assert days["2026-03-15"] == {3: 1}  # the 23:30 UTC one is Monday the 16th, after the period
    assert sum(sum(d.values()) for d in days.values()) == 5
    html = response.content.decode()
    row = html[html.index('data-start="2026-03-02"'):]
    assert row[:row.index("</tr>")].endswith("<td>2</td><td>0%</td>")  # total 2, none at Desired or higher


def test_by_week_from_monday(client, history):
    _, weeks = _trend(client, history["sam"], by="week")
    assert weeks == {"2026-03-02": {1: 1, 3: 2}, "2026-03-09": {1: 1, 3: 1}}


def test_a_long_period_is_by_week_unless_asked(client, history):
    _, weeks = _trend(client, history["sam"], **{"from": "2026-01-05", "to": "2026-03-29"})
    assert len(weeks) == 12 and weeks["2026-03-02"] == {1: 1, 3: 2}


def test_channel_and_person_filters(client, history):
    _, phone = _trend(client, history["sam"], by="week", channel="phone")
    assert phone == {"2026-03-02": {1: 1, 3: 1}, "2026-03-09": {1: 1, 3: 1}}
    _, joost = _trend(client, history["sam"], by="week", person=history["joost"].pk)
    assert joost == {"2026-03-02": {3: 1}, "2026-03-09": {1: 1}}
    _, both = _trend(client, history["sam"], by="week", person=history["joost"].pk, channel="email")
    assert both == {"2026-03-02": {}, "2026-03-09": {}}


def test_a_person_or_team_outside_the_viewers_teams_counts_nothing(client, history):
    _, leo = _trend(client, history["sam"], by="week", person=history["leo"].pk)
    assert leo == {"2026-03-02": {}, "2026-03-09": {}}
    _, northwind = _trend(client, history["sam"], by="week", team=history["northwind"].pk)
    assert northwind == {"2026-03-02": {}, "2026-03-09": {}}


def test_an_admin_filters_by_team(client, history):
    admin = AdminFactory()
    response, everyone = _trend(client, admin, by="week")  # the admin reads UTC: the 23:30 one stays on Tuesday, and the Sunday-night one counts
    assert everyone["2026-03-02"] == {1: 2, 3: 2} and everyone["2026-03-09"] == {1: 1, 3: 2}
    assert 'name="team"' in response.content.decode()  # several teams: the team filter is offered
    _, northwind = _trend(client, admin, by="week", team=history["northwind"].pk)
    assert northwind == {"2026-03-02": {1: 1}, "2026-03-09": {}}


def test_the_filters_stay_in_the_url_and_the_form(client, history):
    response, _ = _trend(client, history["sam"], by="day", channel="email", person=history["joost"].pk)
    html = response.content.decode()
    assert 'value="2026-03-02"' in html and 'value="2026-03-15"' in html
    assert '<option value="email" selected>' in html and f'<option value="{history["joost"].pk}" selected>' in html
    assert '<option value="day" selected>' in html


@pytest.mark.parametrize("params, field_message", [
    ({"from": "2026-13-01"}, "Enter a valid date."),
    ({"from": "2026-03-20", "to": "2026-03-01"}, "The period starts after it ends."),
    ({"from": "2024-01-01", "to": "2026-03-01"}, "Choose a period of at most 366 days."),
    ({"by": "month"}, "Select a valid choice."),
    ({"channel": "pigeon"}, "Select a valid choice."),
    ({"person": "abc"}, "Enter a whole number."),
    ({"team": "99999999999999"}, "Ensure this value is less than or equal to"),
])
def test_bad_filters_are_a_400_with_the_message(client, history, params, field_message):
    client.force_login(history["sam"])
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 400
    assert field_message in response.content.decode()


def test_the_query_count_stays_flat_as_history_grows(client, history, django_assert_max_num_queries):
    client.force_login(history["sam"])
    params = {**PERIOD, "by": "day", "channel": "phone", "person": history["sam"].pk}
    client.get(reverse("dashboard"), params)  # the session learns the time zone
    customer = CustomerFactory(team=history["bistro"])

    def grow(days):  # each new interaction also changes what the cached panels show: they render afresh
        for day in days:
            interaction_log(actor=history["sam"], customer=customer, channel="phone", promise_kept=True,
                            occurred_at=datetime(2026, 3, day, 12, 0, tzinfo=UTC))

    grow([2])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("dashboard"), params)
    grow(range(3, 16))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("dashboard"), params)
    assert sum(sum(day.values()) for day in buckets(response.content.decode()).values()) == 2 + 14  # sam on the phone: 2 Mar and 15 Mar, then one a day
