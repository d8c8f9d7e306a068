"""The radar's chart: each gesture's share of served customers at the 8 weekly points against the
drift share, drawn like the weekly report's chart (matplotlib's Agg backend to PNG bytes)."""

import io
import threading

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers; set before anything imports pyplot

from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .drift_watch import TREND_WEEKS, GestureWatch

SHOWN = 6  # the gestures closest to drifting; more lines would be unreadable
COLORS = ["#0b5cad", "#6b21a8", "#1e6b32", "#b45309", "#4a5562", "#a4161a"]

# Building the figure's artists costs as much as drawing it (as for the weekly report's chart): each
# thread keeps one figure per language and only moves the lines, their names and the drift line.
_local = threading.local()


class _DriftFigure:
    def __init__(self):
        self.figure = Figure(figsize=(7.2, 3.2), dpi=90)
        FigureCanvasAgg(self.figure)
        self.axes = axes = self.figure.add_subplot()
        self.weeks = weeks = list(range(-(TREND_WEEKS - 1), 1))
        self.lines = [
            axes.plot(weeks, [0] * TREND_WEEKS, marker="o", markersize=3, color=color)[0] for color in COLORS[:SHOWN]
        ]
        self.drift = axes.axhline(0, color="#a4161a", linestyle="--", linewidth=1, label=_("Drift share"))
        axes.set_xticks(weeks, [_("now") if w == 0 else str(w) for w in weeks])
        axes.set_xlabel(_("Weeks"))
        axes.set_ylabel(_("Served customers reached, in percent (90 days)"))
        axes.set_ylim(0, 100)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_title(_("Gestures closest to drifting"), fontsize=10)
        self.empty = axes.text(
            0.5, 0.5, _("No active gesture that has not drifted"), ha="center", va="center", transform=axes.transAxes
        )
        # Fixed margins instead of tight_layout(), which would draw the figure twice.
        self.figure.subplots_adjust(left=0.09, right=0.74, top=0.9, bottom=0.16)

    def render(self, watches: list[GestureWatch], drift_share: float) -> bytes:
        shown = [w for w in watches if w.drifted_on is None][:SHOWN]
        for k, line in enumerate(self.lines):
            if k < len(shown):
                line.set_ydata([s * 100 for s in shown[k].trend])
                line.set_label(shown[k].name)
            line.set_visible(k < len(shown))
        self.drift.set_ydata([drift_share * 100, drift_share * 100])
        self.empty.set_visible(not shown)
        legend = self.axes.get_legend()
        if legend is not None:
            legend.remove()
        self.axes.legend(
            [*self.lines[: len(shown)], self.drift], [*(w.name for w in shown), self.drift.get_label()],
            loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False,
        )
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 6})
        return buffer.getvalue()


def drift_chart_png(watches: list[GestureWatch], drift_share: float) -> bytes:
    figures = getattr(_local, "figures", None)
    if figures is None:
        figures = _local.figures = {}
    language = translation.get_language() or "en"
    if language not in figures:
        figures[language] = _DriftFigure()
    return figures[language].render(watches, drift_share)
