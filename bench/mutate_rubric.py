"""One-token changes to the rubric (interactions/scoring.py), each of which must fail a test.

    DATABASE_URL=… .venv/bin/python bench/mutate_rubric.py

Applies each mutation in turn, runs the rubric's tests, restores the file, and lists the mutations
that no test caught ("survivors"). Exit status 1 when any survives. The figures go in
docs/levels.md ("How the rules are pinned").
"""

import pathlib
import subprocess  # nosec B404 - runs pytest on this checkout
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCORING = ROOT / "interactions" / "scoring.py"
# The rubric's pure tests (no database, seconds per mutation); the database examples in
# test_rubric_rules.py and test_levels_you_can_trust.py catch most of these again.
TESTS = [
    "interactions/tests/test_rubric_pins.py",
    "interactions/tests/test_scoring_properties.py",
    "-k", "not one_customers_history",
]
MUTATIONS = [
    ("DRIFT_FLOOR = EXPECTED", "DRIFT_FLOOR = BASIC"),
    ("DRIFT_STEP = -1", "DRIFT_STEP = -2"),
    ("DRIFT_PERIOD = timedelta(days=90)", "DRIFT_PERIOD = timedelta(days=91)"),
    ("return max(BASIC, base_level - (delivery_number - 1))", "return max(CRIMINAL, base_level - (delivery_number - 1))"),
    ("return max(BASIC, base_level - (delivery_number - 1))", "return max(BASIC, base_level - delivery_number)"),
    ("if deliveries <= 0:", "if deliveries < 0:"),
    ("return perceived_level(base_level, deliveries + 1)", "return perceived_level(base_level, deliveries)"),
    ("if current is not None and current <= EXPECTED:", "if current is not None and current < EXPECTED:"),
    ("if current is not None and current <= EXPECTED:", "if current is not None and current <= DESIRED:"),
    ("        return current - 1", "        return current"),
    ("return gesture.recurring and channel in gesture.channels", "return gesture.recurring"),
    ("return gesture.recurring and channel in gesture.channels", "return channel in gesture.channels"),
    ("    if not promise_kept:\n        return CRIMINAL", "    if not promise_kept:\n        return BASIC"),
    ("        return BASIC\n    return DESIRED", "        return CRIMINAL\n    return DESIRED"),
    ("return DESIRED if matched_preference else EXPECTED", "return EXPECTED if matched_preference else EXPECTED"),
    ("    if level >= EXPECTED:", "    if level >= BASIC:"),
    ("            if lifted > level:", "            if lifted >= level:"),
    ("            if cap < level:", "            if cap <= level:"),
    ("lifted = perceived_level(g.base_level, g.prior_deliveries + 1)", "lifted = perceived_level(g.base_level, g.prior_deliveries)"),
    ("cap = omission_cap(g.base_level, g.prior_deliveries)", "cap = omission_cap(g.base_level, g.prior_deliveries + 1)"),
    ("return customer_level if customer_level is not None else assessed_level", "return assessed_level"),
    ("return max(DRIFT_FLOOR, base_level + offset)", "return max(DRIFT_FLOOR, base_level - offset)"),
    ("if customers_served < drift_min_customers or", "if customers_served <= drift_min_customers or"),
    ("return customers_reached / customers_served >= drift_share", "return customers_reached / customers_served > drift_share"),
    ("reason = Reason(GESTURE, g.gesture_id, g.name, g.prior_deliveries + 1)", "reason = Reason(GESTURE, g.gesture_id, g.name, g.prior_deliveries)"),
    ("reason = Reason(OMISSION, g.gesture_id, g.name, g.prior_deliveries)", "reason = Reason(OMISSION, g.gesture_id, g.name, g.prior_deliveries + 1)"),
]


def main() -> int:
    original = SCORING.read_text()
    survivors = []
    try:
        for n, (old, new) in enumerate(MUTATIONS, 1):
            assert old in original, old
            SCORING.write_text(original.replace(old, new, 1))
            result = subprocess.run(  # nosec B603
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *TESTS],
                cwd=ROOT, capture_output=True, text=True,
            )
            caught = result.returncode != 0
            print(f"{n:2d}/{len(MUTATIONS)} {'caught ' if caught else 'SURVIVED'}  {old.strip()!r} -> {new.strip()!r}", flush=True)
            if not caught:
                survivors.append((old, new))
    finally:
        SCORING.write_text(original)
    print(f"{len(MUTATIONS) - len(survivors)} of {len(MUTATIONS)} one-token changes caught; {len(survivors)} survived.")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
