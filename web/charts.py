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
