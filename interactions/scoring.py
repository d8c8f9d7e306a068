"""The six-level rubric, as pure functions (no ORM): every rule and every number the rules use.

The levels (Ron Kaufman):

1 Criminal      the service promise was broken; legitimate minimum expectations violated
2 Basic         the promise was kept, but the experience was poor: late, inaccurate then
                fixed, impolite, unexplained, the customer had to chase
3 Expected      we did what we said, the normal way
4 Desired       served the way this customer prefers (their channel, cadence, format)
5 Surprising    something unexpected that they liked
6 Unbelievable  blown away

The rules, each evaluated as of the interaction's occurred_at (docs/levels.md explains them):

1. promise not kept -> Criminal.
2. otherwise any issue -> Basic.
3. otherwise Expected, or Desired when the customer's preference was matched.
4. Gestures lift the level only when step 3 was reached. The k-th delivery of a gesture to the
   same customer inside the familiarity window is perceived at base - (k - 1), never below
   Basic (the escalator). The level is the highest of step 3 and every perceived level.
5. A recurring gesture received n >= 1 times in the window has a standing base - (n - 1), never
   below Basic. When that standing is Expected or Basic and an interaction on one of the channels
   where the gesture is offered omits it, the level is capped at standing - 1 ("if you don't do
   it, you're a criminal"). An email omits no bread basket.
6. Org-wide drift: a gesture that reached at least `drift_share` of a team's served customers
   over the last DRIFT_PERIOD (with at least `drift_min_customers` served) drops its *effective*
   base level by DRIFT_STEP from that day on, never below DRIFT_FLOOR. Callers pass the effective
   base level in force at occurred_at (interactions.rubric works it out from the drift timeline).
The customer's own rating, when given, is the interaction's level.

Every assessment carries its reason (`Reason`): which rule decided the level, and with what
gesture and count; interactions.reasons puts it in words.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from .levels import Level

CRIMINAL, BASIC, EXPECTED, DESIRED = Level.CRIMINAL.value, Level.BASIC.value, Level.EXPECTED.value, Level.DESIRED.value
LOWEST, HIGHEST = CRIMINAL, Level.UNBELIEVABLE.value

# Rule 6's numbers (the share and the minimum of served customers are team settings).
DRIFT_PERIOD = timedelta(days=90)  # "over the last 90 days"
DRIFT_STEP = -1  # a drifting gesture drops one level ...
DRIFT_FLOOR = EXPECTED  # ... and a gesture is never expected below Expected: it never becomes a duty of Basic


@dataclass(frozen=True, slots=True)
class GestureFacts:
    """One team gesture as this customer meets it at the interaction's time."""

    gesture_id: int
    base_level: int  # effective base level in force at occurred_at (drift applied)
    recurring: bool  # recurring and active: what the omission rule looks at
    prior_deliveries: int  # deliveries to this customer inside the window, before occurred_at
    channels: frozenset = frozenset()  # where it is offered: omission counts only there
    name: str = ""  # for the reason


# Reason codes: which rule decided the level.
PROMISE_BROKEN, ISSUES, AS_EXPECTED, PREFERENCE, GESTURE, OMISSION = (
    "promise_broken", "issues", "expected", "desired", "gesture", "omission",
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an interaction got its level: the rule, and the gesture and count it turned on."""

    code: str
    gesture_id: int | None = None  # AS_EXPECTED / PREFERENCE: a recurring gesture expected elsewhere, not offered here
    name: str = ""
    count: int = 0  # GESTURE: which delivery this was (1 = first); OMISSION: how often it was received before
    issues: tuple[str, ...] = ()

    def encode(self) -> str:
        """The stored form (Interaction.reason): compact JSON, equal text for equal reasons."""
        return json.dumps([self.code, self.gesture_id, self.name, self.count, list(self.issues)], ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> "Reason | None":
        if not text:
            return None
        code, gesture_id, name, count, issues = json.loads(text)
        return cls(code, gesture_id, name, count, tuple(issues))


@dataclass(frozen=True, slots=True)
class Assessment:
    level: int
    omitted: tuple[int, ...] = field(default=())  # recurring gestures whose omission counts here (sorted)
    reason: Reason = Reason(AS_EXPECTED)


def perceived_level(base_level: int, delivery_number: int) -> int:
    """The k-th delivery (k >= 1) of a gesture is perceived at base - (k - 1), never below Basic."""
    return max(BASIC, base_level - (delivery_number - 1))


def standing(base_level: int, deliveries: int) -> int | None:
    """Where a gesture stands for a customer who got it `deliveries` times in the window.

    None when never received (it still lands at its full base level); otherwise the level the
    last delivery was perceived at: base - (n - 1), never below Basic.
    """
    if deliveries <= 0:
        return None
    return perceived_level(base_level, deliveries)


def next_delivery_level(base_level: int, deliveries: int) -> int:
    """What the next delivery would be perceived at: shown next to each gesture when logging."""
    return perceived_level(base_level, deliveries + 1)


def omission_cap(base_level: int, deliveries: int) -> int | None:
    """The cap an omitted recurring gesture puts on the level, or None when it does not."""
    current = standing(base_level, deliveries)
    if current is not None and current <= EXPECTED:
        return current - 1
    return None


def omission_counts(gesture: GestureFacts, channel: str) -> bool:
    """Rule 5 looks only at recurring gestures offered on the interaction's channel."""
    return gesture.recurring and channel in gesture.channels


def base_assessment(*, promise_kept: bool, issues: Iterable[str], matched_preference: bool) -> int:
    """Steps 1-3: the level before gestures and omissions."""
    if not promise_kept:
        return CRIMINAL
    if any(True for _ in issues):
        return BASIC
    return DESIRED if matched_preference else EXPECTED


def assess(
    *,
    promise_kept: bool,
    issues: Iterable[str],
    matched_preference: bool,
    delivered: Iterable[GestureFacts],
    recurring_not_delivered: Iterable[GestureFacts] = (),
    channel: str,
) -> Assessment:
    """The assessed level of one interaction on `channel` (rules 1-5; rule 6 comes in through base_level)."""
    issues = tuple(issues)
    level = base_assessment(promise_kept=promise_kept, issues=issues, matched_preference=matched_preference)
    if level == CRIMINAL:
        reason = Reason(PROMISE_BROKEN)
    elif level == BASIC:
        reason = Reason(ISSUES, issues=issues)
    else:
        reason = Reason(PREFERENCE if level == DESIRED else AS_EXPECTED)
    if level >= EXPECTED:
        for g in delivered:
            lifted = perceived_level(g.base_level, g.prior_deliveries + 1)
            if lifted > level:
                level = lifted
                reason = Reason(GESTURE, g.gesture_id, g.name, g.prior_deliveries + 1)
    omitted = []
    for g in recurring_not_delivered:
        cap = omission_cap(g.base_level, g.prior_deliveries)
        if cap is None:
            continue
        if not omission_counts(g, channel):
            if reason.code in (AS_EXPECTED, PREFERENCE) and reason.gesture_id is None:
                # expected elsewhere, not offered here: the reason says it was not missed
                reason = Reason(reason.code, g.gesture_id, g.name, g.prior_deliveries)
            continue
        omitted.append(g.gesture_id)
        if cap < level:
            level = cap
            reason = Reason(OMISSION, g.gesture_id, g.name, g.prior_deliveries)
    return Assessment(level=max(LOWEST, min(HIGHEST, level)), omitted=tuple(sorted(omitted)), reason=reason)


def final_level(assessed_level: int, customer_level: int | None) -> int:
    """The customer's own rating, when given, is the interaction's level."""
    return customer_level if customer_level is not None else assessed_level


def effective_base_level(base_level: int, offset: int) -> int:
    """Drift lowers a gesture's base level by `offset` (<= 0); never below DRIFT_FLOOR."""
    return max(DRIFT_FLOOR, base_level + offset)


def drifts(*, customers_reached: int, customers_served: int, drift_share: float, drift_min_customers: int) -> bool:
    """Rule 6: a gesture reaching at least drift_share of at least drift_min_customers served drifts down."""
    if customers_served < drift_min_customers or customers_served == 0:
        return False
    return customers_reached / customers_served >= drift_share
