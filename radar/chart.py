"""The radar's chart: each gesture's share of served customers at the 8 weekly points against the
drift share, drawn like the weekly report's chart (matplotlib's Agg backend to PNG bytes)."""

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers; set before anything imports pyplot

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .drift_watch import TREND_WEEKS, GestureWatch  # noqa: E402

SHOWN = 6  # the gestures closest to drifting; more lines would be unreadable
COLORS = ["#0b5cad", "#6b21a8", "#1e6b32", "#b45309", "#4a5562", "#a4161a"]


def drift_chart_png(watches: list[GestureWatch], drift_share: float) -> bytes:
    figure = Figure(figsize=(7.2, 3.2), dpi=90)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    weeks = list(range(-(TREND_WEEKS - 1), 1))
    shown = [w for w in watches if w.drifted_on is None][:SHOWN]
    for watch, color in zip(shown, COLORS):
        axes.plot(weeks, [s * 100 for s in watch.trend], marker="o", markersize=3, color=color, label=watch.name)
    axes.axhline(drift_share * 100, color="#a4161a", linestyle="--", linewidth=1, label=_("Drift share"))
    axes.set_xticks(weeks, [_("now") if w == 0 else str(w) for w in weeks])
    axes.set_xlabel(_("Weeks"))
    axes.set_ylabel(_("Served customers reached, in percent (90 days)"))
    axes.set_ylim(0, 100)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(_("Gestures closest to drifting"), fontsize=10)
    if not shown:
        axes.text(0.5, 0.5, _("No active gesture that has not drifted"), ha="center", va="center", transform=axes.transAxes)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.09, right=0.74, top=0.9, bottom=0.16)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 6})
    return buffer.getvalue()
