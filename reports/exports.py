"""The report as CSV rows, every cell guarded against formula injection."""

import csv
import io

from django.utils.translation import gettext as _

from interactions.levels import Level

from .figures import WeeklyReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must not run a team's, rule's or customer's name as a formula: prefix a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_rows(report: WeeklyReport) -> list[list]:
    r, b, e = report.recovery, report.bends, report.escalator
    week, prev = str(report.week), str(report.week.previous())
    rows = [
        [_("section"), _("figure"), week, prev],
        ["team", _("team"), report.team_name, ""],
        ["levels", _("total"), report.total, report.previous_total],
    ]
    rows += [["levels", str(row.label), row.count, row.previous] for row in report.levels]
    rows += [
        ["levels", _("share at Desired or higher"), report.share_desired_or_higher, report.previous_share_desired_or_higher],
        ["levels", _("customers served"), report.customers_served, ""],
        ["levels", _("rated by customers"), report.rated_by_customers, ""],
    ]
    rows += [["trend " + t.week, str(label), n, ""] for t in report.trend for label, n in zip(_level_labels(), t.counts)]
    rows += [
        ["recovery", _("cases opened"), r.opened, ""],
        ["recovery", _("cases opened, Criminal"), r.opened_criminal, ""],
        ["recovery", _("cases opened, Basic"), r.opened_basic, ""],
        ["recovery", _("cases fixed"), r.fixed, ""],
        ["recovery", _("median hours to fix"), r.median_hours_to_fix, ""],
        ["recovery", _("fix SLA counted"), r.sla_counted, ""],
        ["recovery", _("fix SLA met"), r.sla_met, ""],
        ["recovery", _("fix SLA hit rate"), r.sla_hit_rate, ""],
        ["recovery", _("cases closed"), r.closed, ""],
        ["recovery", _("closed with a surprise"), r.closed_with_surprise, ""],
        ["recovery", _("surprise rate"), r.surprise_rate, ""],
        ["recovery", _("recovered level ratings"), r.recovered_rated, ""],
        ["recovery", _("recovered level average"), r.recovered_average, ""],
        ["recovery", _("recovered at Desired or higher"), r.recovered_desired_or_higher, ""],
        ["bends", _("asked"), b.asked, ""],
        ["bends", _("approved"), b.approved, ""],
        ["bends", _("approved automatically"), b.auto_approved, ""],
        ["bends", _("rejected"), b.rejected, ""],
        ["bends", _("still pending"), b.still_pending, ""],
        ["bends", _("cost approved"), b.cost_approved, ""],
    ]
    rows += [["top bent rule", t.name, t.asked, t.approved] for t in b.top_rules]
    rows += [["gesture lost a level", d.name, str(d.old_label), str(d.new_label)] for d in e.drifted]
    rows += [
        ["escalator", _("interactions with an omitted gesture"), e.interactions_with_omission, ""],
        ["escalator", _("customers with an omitted gesture"), e.customers_with_omission, ""],
    ]
    rows += [["omitted gesture", o.customer_name, o.times, ", ".join(o.gestures)] for o in e.omissions]
    return rows


def _level_labels():
    return [level.label for level in Level]


def report_csv(report: WeeklyReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in report_rows(report):
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
