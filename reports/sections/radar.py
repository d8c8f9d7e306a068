"""The radar in the week: gestures close to drifting, customers with nothing left to surprise them,
and the team's ideas (the delight radar's own figures, radar.selectors, as of the week's end)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from radar.drift_watch import drift_watch
from radar.selectors import IdeaCounts, idea_counts
from radar.surprise import nothing_left

from .base import ReportScope, Section


@dataclass
class CloseGesture:
    gesture_id: int
    name: str
    share: float
    crossing: date


@dataclass
class RadarFigures:
    close: list[CloseGesture] = field(default_factory=list)
    nothing_left: int = 0
    ideas: IdeaCounts = IdeaCounts(0, 0, 0, 0)


class RadarSection(Section):
    key = "radar"

    def figures(self, scope: ReportScope) -> RadarFigures:
        at = min(scope.end, scope.now)  # a week still running: as of now
        return RadarFigures(
            close=[
                CloseGesture(w.gesture_id, w.name, round(w.share, 4), w.crossing)
                for w in drift_watch(team=scope.team, at=at) if w.close
            ],
            nothing_left=nothing_left(team=scope.team, at=at, limit=1).count,
            ideas=idea_counts(team_id=scope.team.id, since=scope.start, until=scope.end),
        )

    def shown(self, r: RadarFigures, *, quiet: bool) -> bool:
        return not quiet or bool(r.close or r.nothing_left or r.ideas.proposed)

    def as_json(self, r: RadarFigures) -> dict:
        return {
            "close_to_drifting": [
                {"gesture": c.gesture_id, "name": c.name, "share": c.share, "crossing": c.crossing.isoformat()} for c in r.close
            ],
            "nothing_left": r.nothing_left,
            "ideas": {"proposed": r.ideas.proposed, "accepted": r.ideas.accepted, "declined": r.ideas.declined, "waiting": r.ideas.waiting},
        }

    def csv_rows(self, r: RadarFigures) -> list[list]:
        rows = [["close to drifting", c.name, c.share, c.crossing.isoformat()] for c in r.close]
        return rows + [
            ["radar", _("customers with nothing left to surprise them"), r.nothing_left, ""],
            ["radar", _("ideas proposed"), r.ideas.proposed, ""],
            ["radar", _("ideas accepted"), r.ideas.accepted, ""],
            ["radar", _("ideas declined"), r.ideas.declined, ""],
        ]


SECTION = RadarSection()
