"""The 8-week trend as stacked bars of levels per week, drawn with matplotlib's Agg backend to PNG bytes."""

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers; set before anything imports pyplot

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from interactions.levels import Level  # noqa: E402

from .figures import WeeklyReport  # noqa: E402

# The level colours of static/css/cxportal.css (--l1 ... --l6); a test keeps them in step.
LEVEL_COLORS = {1: "#a4161a", 2: "#b45309", 3: "#4a5562", 4: "#1e6b32", 5: "#0b5cad", 6: "#6b21a8"}


def trend_chart_png(report: WeeklyReport) -> bytes:
    """Stacked bars (Criminal at the bottom) of the number of interactions per level, one bar per week."""
    # A Figure without pyplot: no global state, safe in threads, and cheaper to build.
    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [t.week.split("-")[1] for t in report.trend]
    positions = range(len(report.trend))
    bottoms = [0] * len(report.trend)
    for level in Level:
        heights = [t.counts[level.value - 1] for t in report.trend]
        axes.bar(positions, heights, bottom=bottoms, color=LEVEL_COLORS[level.value], label=str(level.label), width=0.7)
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    axes.set_xticks(list(positions), labels)
    axes.set_ylabel(_("Interactions"))
    axes.set_title(_("Levels per week, %(first)s to %(last)s") % {"first": report.trend[0].week, "last": report.trend[-1].week}, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if not any(bottoms):
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, _("No interactions in these weeks"), ha="center", va="center", transform=axes.transAxes)
    handles, names = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
