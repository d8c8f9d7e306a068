"""How the pages draw figures the apps' selectors count: geometry only, no queries."""

from dataclasses import dataclass

from interactions.levels import Level
from interactions.selectors import LevelMix

BAR_STEP = 30  # px between the chart's bars
BAR_SPACE = 170  # px the longest bar takes


@dataclass(frozen=True)
class LevelChart:
    """A level mix (interactions.selectors.LevelMix) as a bar per level, longest bar the most."""

    mix: LevelMix

    @property
    def total(self) -> int:
        return self.mix.total

    @property
    def desired_or_higher_share(self) -> int:
        return self.mix.desired_or_higher_share

    @property
    def rows(self) -> list[dict]:
        counts = self.mix.counts
        top = max(counts.values(), default=0) or 1
        total = self.total or 1
        return [
            {
                "level": level,
                "y": index * BAR_STEP,
                "bar": round(BAR_SPACE * counts.get(level, 0) / top),
                "label": level.label,
                "count": counts.get(level, 0),
                "share": round(100 * counts.get(level, 0) / total),
                "width": round(100 * counts.get(level, 0) / top, 1),
            }
            for index, level in enumerate(Level)
        ]

    @property
    def chart_height(self) -> int:
        return BAR_STEP * len(Level)


TREND_HEIGHT = 160  # px the tallest day or week takes
TREND_WIDTH = 720  # px the bars share
TREND_LEFT, TREND_BOTTOM = 36, 22  # px for the scale on the left and the dates below


@dataclass(frozen=True)
class TrendChart:
    """A level trend (reports.trends.LevelTrend) as one stacked bar per day or week, Criminal at the
    bottom; every few bars a date below, the tallest total on the scale."""

    trend: object

    @property
    def top(self) -> int:
        return max((b.total for b in self.trend.buckets), default=0)

    @property
    def step(self) -> float:
        return TREND_WIDTH / max(1, len(self.trend.buckets))

    @property
    def width(self) -> int:
        return TREND_LEFT + TREND_WIDTH

    @property
    def height(self) -> int:
        return TREND_HEIGHT + TREND_BOTTOM + 8

    @property
    def baseline(self) -> int:
        return TREND_HEIGHT + 8

    @property
    def bars(self) -> list[dict]:
        top, step = self.top or 1, self.step
        label_every = max(1, round(len(self.trend.buckets) / 8))
        bars = []
        for index, bucket in enumerate(self.trend.buckets):
            y = self.baseline
            segments = []
            for level in Level:
                n = bucket.counts.get(level, 0)
                if not n:
                    continue
                height = TREND_HEIGHT * n / top
                y -= height
                segments.append({"level": int(level), "label": level.label, "count": n, "y": round(y, 1), "height": round(height, 1)})
            bars.append({
                "bucket": bucket, "x": round(TREND_LEFT + index * step + step * 0.15, 1), "width": round(step * 0.7, 1),
                "segments": segments, "label": index % label_every == 0, "label_x": round(TREND_LEFT + index * step, 1),
            })
        return bars
