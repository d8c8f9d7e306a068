"""The six-level rubric, as pure functions (no ORM). The one place each rule lives.

The levels (Ron Kaufman):

1 Criminal      the service promise was broken; legitimate minimum expectations violated
2 Basic         the promise was kept, but the experience was poor: late, inaccurate then
                fixed, impolite, unexplained, the customer had to chase
3 Expected      we did what we said, the normal way
4 Desired       served the way this customer prefers (their channel, cadence, format)
5 Surprising    something unexpected that they liked
6 Unbelievable  blown away

Rules (PRODUCT.md "Default rubric"), each evaluated as of the interaction's occurred_at:

1. promise not kept -> Criminal.
2. otherwise any issue -> Basic.
3. otherwise Expected, or Desired when the customer's preference was matched.
4. Gestures lift the level only when step 3 was reached. The k-th delivery of a gesture to the
   same customer inside the familiarity window is perceived at base - (k - 1), never below
   Basic (the escalator). The level is the highest of step 3 and every perceived level.
5. A recurring gesture received n >= 1 times in the window has a standing base - (n - 1), never
   below Basic. When that standing is Expected or Basic and the interaction omits it, the level
   is capped at standing - 1 ("if you don't do it, you're a criminal").
6. Org-wide drift lowers a gesture's *effective* base level from a date on; callers pass the
   effective base level in force at occurred_at (see GestureDrift).
The customer's own rating, when given, is the interaction's level.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from .levels import Level

CRIMINAL, BASIC, EXPECTED, DESIRED = Level.CRIMINAL.value, Level.BASIC.value, Level.EXPECTED.value, Level.DESIRED.value
LOWEST, HIGHEST = CRIMINAL, Level.UNBELIEVABLE.value


@dataclass(frozen=True, slots=True)
class GestureFacts:
    """One team gesture as this customer meets it at the interaction's time."""

    gesture_id: int
    base_level: int  # effective base level in force at occurred_at (drift applied)
    recurring: bool
    prior_deliveries: int  # deliveries to this customer inside the window, before occurred_at


@dataclass(frozen=True, slots=True)
class Assessment:
    level: int
    omitted: tuple[int, ...] = field(default=())  # recurring gestures whose omission capped the level
    reason: str = ""


def perceived_level(base_level: int, delivery_number: int) -> int:
    """The k-th delivery (k >= 1) of a gesture is perceived at base - (k - 1), never below Basic."""
    return max(BASIC, base_level - (delivery_number - 1))


def standing(base_level: int, deliveries: int) -> int | None:
    """Where a gesture stands for a customer who got it `deliveries` times in the window.

    None when never received (it still lands at its full base level); otherwise the level the
    next delivery would have been perceived at last time: base - (n - 1), never below Basic.
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
) -> Assessment:
    """The assessed level of one interaction (rules 1-5; rule 6 comes in through base_level)."""
    issues = tuple(issues)
    level = base_assessment(promise_kept=promise_kept, issues=issues, matched_preference=matched_preference)
    reason = "promise broken" if level == CRIMINAL else ("issues: " + ", ".join(issues) if level == BASIC else "")
    if level >= EXPECTED:
        for g in delivered:
            lifted = perceived_level(g.base_level, g.prior_deliveries + 1)
            if lifted > level:
                level = lifted
                reason = f"gesture {g.gesture_id}, delivery {g.prior_deliveries + 1}"
    omitted = []
    for g in recurring_not_delivered:
        if not g.recurring:
            continue
        cap = omission_cap(g.base_level, g.prior_deliveries)
        if cap is not None:
            omitted.append(g.gesture_id)
            if cap < level:
                level = cap
                reason = f"omitted recurring gesture {g.gesture_id}"
    return Assessment(level=max(LOWEST, min(HIGHEST, level)), omitted=tuple(sorted(omitted)), reason=reason)


def final_level(assessed_level: int, customer_level: int | None) -> int:
    """The customer's own rating, when given, is the interaction's level."""
    return customer_level if customer_level is not None else assessed_level


def effective_base_level(base_level: int, offset: int) -> int:
    """Drift lowers a gesture's base level by `offset` (<= 0); never below Expected."""
    return max(EXPECTED, base_level + offset)


def drifts(*, customers_reached: int, customers_served: int, drift_share: float, drift_min_customers: int) -> bool:
    """Rule 6: a gesture reaching at least drift_share of at least drift_min_customers served drifts down."""
    if customers_served < drift_min_customers or customers_served == 0:
        return False
    return customers_reached / customers_served >= drift_share
