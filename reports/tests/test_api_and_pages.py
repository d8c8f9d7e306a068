"""The report as JSON, as a page with its chart, and as CSV: managers and admins, their own teams."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.tests.factories import ManagerFactory
from interactions.levels import Level
from interactions.tests.factories import CustomerFactory
from reports.chart import LEVEL_COLORS
from reports.exports import csv_safe
from reports.models import WeeklyReportSend

from . import factories as f
from .test_figures import local, week_of_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = "/api/reports/weekly/"


def test_a_manager_gets_the_figures_of_their_team(api_as, manager, team, week_of_data):  # noqa: F811
    response = api_as(manager).get(URL, {"team": team.id, "week": "2026-W45"})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 10 and data["share_desired_or_higher"] == 0.4
    assert data["recovery"]["opened"] == 4 and data["bends"]["asked"] == 5
    assert data["escalator"]["customers_with_omission"] == 2


def test_an_admin_gets_any_teams_report(api_as, admin_user, other_team):
    response = api_as(admin_user).get(URL, {"team": other_team.id, "week": "2026-W45"})
    assert response.status_code == 200 and response.json()["quiet"] is True


@pytest.mark.parametrize(
    "params, field",
    [
        ({"week": "2026-W45"}, "team"),
        ({"team": "x", "week": "2026-W45"}, "team"),
        ({"team": 999999, "week": "2026-W45"}, "team"),
        ({"team": "TEAM"}, "week"),
        ({"team": "TEAM", "week": "2026-45"}, "week"),
        ({"team": "TEAM", "week": "2025-W53"}, "week"),
        ({"team": "TEAM", "week": "2099-W01"}, "week"),
    ],
)
def test_bad_input_is_a_400_with_the_field(api_as, manager, team, params, field):
    params = {k: (team.id if v == "TEAM" else v) for k, v in params.items()}
    response = api_as(manager).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_frontline_get_403_other_teams_404_anonymous_401(api, api_as, frontline, manager, team, other_team):
    assert api_as(frontline).get(URL, {"team": team.id, "week": "2026-W45"}).status_code == 403
    assert api_as(manager).get(URL, {"team": other_team.id, "week": "2026-W45"}).status_code == 404
    assert api.get(URL, {"team": team.id, "week": "2026-W45"}).status_code == 401


def test_the_page_shows_the_figures_and_the_chart(client, manager, team, week_of_data, django_assert_max_num_queries):  # noqa: F811
    client.force_login(manager)
    # 19 for the page (the customer's voice: 2 of them), plus the first page of a session remembering
    # the team's time zone (web middleware).
    with django_assert_max_num_queries(22 + 9 + (connection.vendor == "sqlite")):  # + the radar section (9), + the bell's unread count
        response = client.get("/reports/weekly/", {"team": team.id, "week": "2026-W45"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="/reports/weekly/chart.png?team={team.id}&amp;week=2026-W45&amp;chart=level-trend"' in html
    assert "Birthday cake" in html and "40.00" in html
    chart = client.get("/reports/weekly/chart.png", {"team": team.id, "week": "2026-W45"})
    assert chart.status_code == 200 and chart["Content-Type"] == "image/png" and chart.content.startswith(b"\x89PNG")


def test_the_page_opens_on_the_last_full_week_and_refuses_frontline_and_bad_weeks(client, frontline, manager, team):
    client.force_login(manager)
    assert client.get("/reports/weekly/").status_code == 200
    assert client.get("/reports/weekly/", {"team": team.id, "week": "soon"}).status_code == 400
    assert client.get("/reports/weekly/chart.png", {"team": team.id, "week": "2099-W01"}).status_code == 400
    client.force_login(frontline)
    assert client.get("/reports/weekly/", {"team": team.id, "week": "2026-W45"}).status_code == 403
    assert client.get("/reports/weekly.csv", {"team": team.id, "week": "2026-W45"}).status_code == 403


def test_the_csv_has_every_figure_and_no_formula_cells(client, manager, team, week_of_data):  # noqa: F811
    client.force_login(manager)
    response = client.get("/reports/weekly.csv", {"team": team.id, "week": "2026-W45"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "figure", "2026-W45", "2026-W44"]
    assert ["levels", "Criminal", "1", "0"] in rows
    assert ["recovery", "fix SLA hit rate", "0.25", ""] in rows
    assert ["top bent rule", "'=HYPERLINK(evil)", "1", "0"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_could_run_as_formulas_are_quoted(value):
    assert csv_safe(value) == "'" + value


def test_chart_colours_match_the_stylesheet():
    from django.conf import settings

    css = (settings.BASE_DIR / "static/css/cxportal.css").read_text()
    for level, colour in LEVEL_COLORS.items():
        assert f"--l{level}: {colour};" in css


def test_the_command_refuses_bad_input_with_a_clear_message(team):
    with pytest.raises(CommandError, match="No team with id 999999"):
        call_command("send_weekly_reports", "--team", "999999")
    with pytest.raises(CommandError, match="takes a team id"):
        call_command("send_weekly_reports", "--team", "abc")
    with pytest.raises(CommandError, match="YYYY-Www"):
        call_command("send_weekly_reports", "--week", "2026/45")
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("send_weekly_reports", "--team", str(team.id), "--week", "2099-W01")


def test_the_command_dry_run_prints_the_figures_and_sends_nothing(team, manager, capsys, mailoutbox):
    f.interaction(team=team, customer=CustomerFactory(team=team), at=local(3), level=Level.CRIMINAL)
    call_command("send_weekly_reports", "--team", str(team.id), "--week", "2026-W45", "--dry-run")
    out = capsys.readouterr().out
    assert "Weekly level report: Team A, 2026-W45" in out and "Criminal: 1 / 0 / +1" in out
    assert mailoutbox == [] and not WeeklyReportSend.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_sends_once(team, manager, capsys, mailoutbox):
    ManagerFactory(teams=[team])
    call_command("send_weekly_reports", "--team", str(team.id), "--week", "2026-W45")
    call_command("send_weekly_reports", "--team", str(team.id), "--week", "2026-W45")
    out = capsys.readouterr().out
    assert "sent to 2 manager(s)" in out and "nothing sent (already sent)" in out
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_the_command_reports_an_smtp_outage_and_sends_on_the_next_run(team, manager, smtp_server, capsys):
    smtp_server.stop()
    with pytest.raises(CommandError, match="Sending failed for 1 team"):
        call_command("send_weekly_reports", "--team", str(team.id), "--week", "2026-W45")
    assert WeeklyReportSend.objects.get().status == "failed"
    smtp_server.start()
    call_command("send_weekly_reports", "--team", str(team.id), "--week", "2026-W45")
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [manager.email]
    assert WeeklyReportSend.objects.get().status == "sent"


def test_percentages_and_hours_are_rounded_not_cut():
    from reports.templatetags.report_format import known, percent

    assert (percent(0.6667), percent(None), known(29.96), known(4.666, 2)) == ("66.7%", "–", "30.0", "4.67")


def test_the_chart_view_names_each_sections_chart_and_refuses_an_unknown_one(client, manager, team, week_of_data):  # noqa: F811
    client.force_login(manager)
    query = {"team": team.id, "week": "2026-W45"}
    assert client.get("/reports/weekly/chart.png", {**query, "chart": "level-trend"}).content.startswith(b"\x89PNG")
    unknown = client.get("/reports/weekly/chart.png", {**query, "chart": "pie"})
    assert unknown.status_code == 400 and b"chart" in unknown.content
