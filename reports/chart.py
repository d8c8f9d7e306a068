"""The 8-week trend as stacked bars of levels per week, drawn with matplotlib's Agg backend to PNG bytes."""

import io
import threading

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers; set before anything imports pyplot

from django.utils import translation  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from interactions.levels import Level  # noqa: E402

from .sections.base import TREND_WEEKS  # noqa: E402
from .sections.levels import TrendWeek  # noqa: E402

# The level colours of static/css/cxportal.css (--l1 ... --l6); a test keeps them in step.
LEVEL_COLORS = {1: "#a4161a", 2: "#b45309", 3: "#4a5562", 4: "#1e6b32", 5: "#0b5cad", 6: "#6b21a8"}

# Building the figure's artists costs as much as drawing it: each thread keeps one figure per
# language and only moves the bars, labels and title for the next report.
_local = threading.local()


class _TrendFigure:
    def __init__(self):
        self.figure = Figure(figsize=(7.2, 3.2), dpi=90)
        FigureCanvasAgg(self.figure)
        self.axes = axes = self.figure.add_subplot()
        positions = list(range(TREND_WEEKS))
        self.bars = {}
        for level in Level:
            self.bars[level.value] = axes.bar(
                positions, [0] * TREND_WEEKS, color=LEVEL_COLORS[level.value], label=str(level.label), width=0.7
            )
        axes.set_xticks(positions, [""] * TREND_WEEKS)
        axes.set_ylabel(_("Interactions"))
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.get_major_locator().set_params(integer=True)
        self.empty = axes.text(
            0.5, 0.5, _("No interactions in these weeks"), ha="center", va="center", transform=axes.transAxes
        )
        handles, names = axes.get_legend_handles_labels()
        axes.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        # Fixed margins instead of tight_layout(), which would draw the figure twice.
        self.figure.subplots_adjust(left=0.08, right=0.80, top=0.9, bottom=0.1)

    def render(self, trend: list[TrendWeek]) -> bytes:
        bottoms = [0] * TREND_WEEKS
        for level in Level:
            heights = [t.counts[level.value - 1] for t in trend]
            for rect, bottom, height in zip(self.bars[level.value], bottoms, heights):
                rect.set_y(bottom)
                rect.set_height(height)
            bottoms = [b + h for b, h in zip(bottoms, heights)]
        self.axes.set_xticklabels([t.week.split("-")[1] for t in trend])
        self.axes.set_title(
            _("Levels per week, %(first)s to %(last)s") % {"first": trend[0].week, "last": trend[-1].week},
            fontsize=10,
        )
        top = max(bottoms)
        self.axes.set_ylim(0, top * 1.05 if top else 1)
        self.empty.set_visible(not top)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 6})
        return buffer.getvalue()


def trend_chart_png(trend: list[TrendWeek]) -> bytes:
    """Stacked bars (Criminal at the bottom) of the number of interactions per level, one bar per week."""
    figures = getattr(_local, "figures", None)
    if figures is None:
        figures = _local.figures = {}
    language = translation.get_language() or "en"
    if language not in figures:
        figures[language] = _TrendFigure()
    return figures[language].render(trend)
