"""The rubric's facts, as pure functions over a customer's delivery timeline and the drift timeline.

`scoring.assess` needs, for one interaction, each gesture's effective base level in force at its
occurred_at (the drift timeline) and how often this customer received it inside the familiarity
window before that moment (the delivery timeline). Logging one interaction and re-scoring a
million both work them out here, from rows that SQL only fetches, so the two cannot disagree.

Times are integer microseconds since the epoch (`micros`): exact, cheap to compare, and what both
databases hand over for a million rows faster than timestamps.
"""

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import scoring

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_US = 86_400_000_000
NO_JSON_LIST = "[]"


def micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def json_list(text: str | None) -> list:
    return [] if not text or text == NO_JSON_LIST else json.loads(text)


@dataclass(frozen=True, slots=True)
class GestureRule:
    """A team's gesture as the rubric reads it."""

    gesture_id: int
    name: str
    base_level: int  # as set by the manager, before drift
    recurring: bool  # recurring and active: what the omission rule looks at
    active: bool
    channels: frozenset
    order: int  # the team's gesture order (name): the reason names the first gesture that decided
    base_undrifted: int  # its effective base level before any drift (scoring.effective_base_level(base, 0))


@dataclass(frozen=True, slots=True)
class TeamRules:
    window_us: int
    gestures: dict  # gesture id -> GestureRule
    recurring: tuple  # the recurring (and active) ones, in order


def drift_timelines(drifts: Iterable[tuple]) -> dict[int, tuple[list, list]]:
    """gesture id -> (effective_from µs ascending, offsets), from (gesture_id, effective_from µs, offset) rows."""
    timelines: dict[int, tuple[list, list]] = {}
    for gesture_id, effective_from, offset in sorted(drifts):
        froms, offsets = timelines.setdefault(gesture_id, ([], []))
        froms.append(effective_from)
        offsets.append(offset)
    return timelines


def offset_in_force(timeline: tuple[list, list] | None, at: int) -> int:
    """Rule 6: the drift offset of the latest change effective at or before `at` (0 before any)."""
    if timeline is None:
        return 0
    i = bisect_right(timeline[0], at) - 1
    return timeline[1][i] if i >= 0 else 0


def deliveries_in_window(times: Sequence[int] | None, at: int, window_us: int) -> int:
    """Deliveries with at - window <= delivered_at < at, from the customer's sorted delivery times."""
    if not times:
        return 0
    return bisect_left(times, at) - bisect_left(times, at - window_us)


class Rubric:
    """The teams' gestures, windows and drift timelines, and the facts and assessments made from them.

    Built from plain rows (see `from_rows`); facts and assessments are interned, so a history in
    which most interactions look alike is assessed once per distinct input.
    """

    def __init__(self, *, windows: dict[int, int], gestures: Iterable[tuple], drifts: Iterable[tuple]):
        """windows: team id -> familiarity window in days; gestures: (id, team_id, name, base_level,
        recurring, active, channels_json); drifts: (gesture_id, effective_from_us, offset)."""
        by_team: dict[int, list] = {team_id: [] for team_id in windows}
        for gid, team_id, name, base, recurring, active, channels in gestures:
            by_team.setdefault(team_id, []).append((name, gid, base, bool(recurring), bool(active), channels))
        self.rules: dict[int, TeamRules] = {}
        for team_id, rows in by_team.items():
            rows.sort()
            rules = {
                gid: GestureRule(
                    gid, name, base, recurring and active, active, frozenset(_channels(channels)), i,
                    scoring.effective_base_level(base, 0),
                )
                for i, (name, gid, base, recurring, active, channels) in enumerate(rows)
            }
            self.rules[team_id] = TeamRules(
                window_us=windows.get(team_id, 0) * DAY_US,
                gestures=rules,
                recurring=tuple(r for r in rules.values() if r.recurring),
            )
        self.timelines = drift_timelines(drifts)
        self._facts: dict[tuple, scoring.GestureFacts] = {}
        self._assessments: dict[tuple, scoring.Assessment] = {}

    # Rule 6: which effective base level is in force at a moment.
    def effective_base(self, rule: GestureRule, at: int) -> int:
        return scoring.effective_base_level(rule.base_level, offset_in_force(self.timelines.get(rule.gesture_id), at))

    def facts(self, rule: GestureRule, at: int, prior: int) -> scoring.GestureFacts:
        """The interned GestureFacts for this gesture at `at` with `prior` deliveries in the window."""
        base = self.effective_base(rule, at) if rule.gesture_id in self.timelines else rule.base_undrifted
        key = (rule.gesture_id, base, prior)
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = scoring.GestureFacts(
                gesture_id=rule.gesture_id, base_level=base, recurring=rule.recurring, prior_deliveries=prior,
                channels=rule.channels, name=rule.name,
            )
        return facts

    def gesture_facts(self, team: TeamRules, at: int, times: dict, given) -> tuple[tuple, tuple]:
        """The delivered gestures' facts (in the team's order) and the recurring ones not delivered.

        times: gesture id -> this customer's delivery times of that gesture, sorted (µs).
        """
        window = team.window_us
        facts = self.facts
        if not given:
            delivered = ()
        elif len(given) == 1:
            rule = team.gestures.get(given[0])
            delivered = () if rule is None else (facts(rule, at, deliveries_in_window(times.get(rule.gesture_id), at, window)),)
        else:
            delivered = tuple(
                facts(rule, at, deliveries_in_window(times.get(rule.gesture_id), at, window))
                for rule in sorted((team.gestures[g] for g in given if g in team.gestures), key=lambda r: r.order)
            )
        # The recurring gestures not given here that the customer received inside the window: only
        # those have a standing, so only those can be missed (one never received omits nothing).
        others = []
        for rule in team.recurring:
            gesture_times = times.get(rule.gesture_id)
            if gesture_times and rule.gesture_id not in given:
                prior = deliveries_in_window(gesture_times, at, window)
                if prior:
                    others.append(facts(rule, at, prior))
        return delivered, tuple(others)

    def assess(self, team_id: int, at: int, channel: str, promise_kept: bool, issues, matched_preference: bool, given, times: dict):
        """scoring.assess for one interaction and its reason encoded: (Assessment, str). `issues` is a
        list or its JSON text; `given` the gesture ids delivered in it (a sequence); `times` this
        customer's delivery times by gesture (see gesture_facts). Positional: it runs once per row."""
        delivered, others = self.gesture_facts(self.rules[team_id], at, times, given)
        issues_key = issues if issues.__class__ is str else json.dumps(list(issues))
        key = (promise_kept, issues_key, matched_preference, channel, *map(id, delivered), None, *map(id, others))
        found = self._assessments.get(key)
        if found is None:
            assessment = scoring.assess(
                promise_kept=promise_kept,
                issues=json_list(issues) if issues.__class__ is str else issues,
                matched_preference=matched_preference,
                delivered=delivered,
                recurring_not_delivered=others,
                channel=channel,
            )
            found = self._assessments[key] = (assessment, assessment.reason.encode())
        return found


def _channels(value) -> list:
    if isinstance(value, str):
        return json_list(value)
    return list(value or ())


@dataclass(slots=True)
class Rescored:
    """One interaction whose stored assessment differs from what the rubric says now."""

    interaction_id: int
    customer_id: int
    team_id: int
    assessed_level: int
    level: int
    omitted: list
    old_level: int
    customer_level: int | None
    reason: str  # Reason.encode()


# The columns `assess_history` reads, in order.
HISTORY_FIELDS = (
    "id", "customer_id", "team_id", "at_us", "channel", "promise_kept", "issues_json", "matched_preference",
    "assessed_level", "customer_level", "level", "omitted_json", "reason",
)


def assess_history(rubric: Rubric, rows: Iterable[tuple], deliveries: Iterable[tuple]) -> list[Rescored]:
    """Assess every interaction row (HISTORY_FIELDS) as of its occurred_at; return those that differ.

    `deliveries`: (interaction_id or None, customer_id, gesture_id, delivered_at µs) ordered by
    customer, gesture and time: every delivery these customers received, in interactions or not
    (a recovery surprise is a delivery without an interaction).
    """
    times: dict[int, dict[int, list]] = {}  # customer -> gesture -> delivery times
    delivered: dict[int, list[int]] = {}
    for interaction_id, customer_id, gesture_id, delivered_at in deliveries:
        times.setdefault(customer_id, {}).setdefault(gesture_id, []).append(delivered_at)
        if interaction_id is not None:
            delivered.setdefault(interaction_id, []).append(gesture_id)
    assess, final_level, none, no_times = rubric.assess, scoring.final_level, (), {}
    changes = []
    for iid, cid, tid, at, channel, promise_kept, issues, matched, assessed, customer_level, level, omitted, reason in rows:
        a, new_reason = assess(
            tid, at, channel, promise_kept, issues or NO_JSON_LIST, matched, delivered.get(iid, none), times.get(cid, no_times)
        )
        new_level = final_level(a.level, customer_level)
        if (
            a.level == assessed
            and new_level == level
            and new_reason == reason
            and ((not a.omitted and omitted == NO_JSON_LIST) or list(a.omitted) == json_list(omitted))
        ):
            continue
        changes.append(Rescored(iid, cid, tid, a.level, new_level, list(a.omitted), level, customer_level, new_reason))
    return changes
