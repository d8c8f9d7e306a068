"""Demo rules, cases and bends for `seed_demo` (idempotent)."""


def seed_recovery(*, teams, users, stdout=None):
    return None
