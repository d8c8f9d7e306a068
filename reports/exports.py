"""The report as CSV rows, every cell guarded against formula injection."""

import csv
import io

from django.utils.translation import gettext as _

from .figures import WeeklyReport
from .sections import SECTIONS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must not run a team's, rule's or customer's name as a formula: prefix a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_rows(report: WeeklyReport) -> list[list]:
    rows = [
        [_("section"), _("figure"), str(report.week), str(report.week.previous())],
        ["team", _("team"), report.team_name, ""],
    ]
    for section in SECTIONS:
        rows += section.csv_rows(report.figures[section.key])
    return rows


def report_csv(report: WeeklyReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in report_rows(report):
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
