"""Who listens: a team's active subscriptions and their events, kept in the cache.

Every logged interaction asks whether its team has subscribers (for `interaction.logged`, and for
`case.opened` when it opens a case); almost always the answer is the same as the last time. So the
answer is kept in the shared cache (Redis in production), one entry per team, and a database
look-up is made only when the entry is missing.

Invalidation is by a short-lived marker instead of a delete, so that a reader racing with a change
can never put the old answer back:

- every write of a subscription (the services, the admin, a team's deletion cascading; a save of
  only `failing_since` changes nobody's events and is left out) replaces the team's entry with the
  marker, at once and again when its transaction commits;
- while the marker is there (`CHANGED_HOLD`), readers ask the database and keep nothing;
- a reader stores a new entry only with `cache.add`, which never overwrites the marker.

A reader that read the database before the change committed can then only try to store its
answer while the marker stands (the hold is far longer than a database read), and fails. An entry
lives `KEEP` at most, the last guard should the cache miss a marker (the cache server down while
a change commits). When the cache cannot be reached, the database answers.
"""

import logging

from django.core.cache import cache
from django.db import transaction

from .models import WebhookSubscription

logger = logging.getLogger(__name__)

KEEP = 300  # seconds an entry is trusted at most
CHANGED_HOLD = 60  # seconds after a change during which nothing is cached for the team
CHANGED = "changed"  # the marker
# Writes of these fields alone leave the team's listeners as they were.
NOT_ABOUT_LISTENING = {"failing_since"}


def _key(team_id: int) -> str:
    return f"webhooks:subscribers:{team_id}"


def team_subscriptions(team_id: int) -> list[tuple[int, list[str]]]:
    """The team's active subscriptions as (id, events), from the cache when it has them."""
    key = _key(team_id)
    try:
        kept = cache.get(key)
    except Exception as exc:  # noqa: BLE001  (no cache: the database answers)
        logger.warning("webhooks: the cache did not answer, asking the database: %s", exc)
        kept = CHANGED
    if isinstance(kept, list):
        return kept
    rows = [
        (pk, list(events))
        for pk, events in WebhookSubscription.objects.filter(team_id=team_id, active=True).order_by("id").values_list("id", "events")
    ]
    if kept is None:  # no entry and no marker: keep this answer (never over a marker)
        try:
            cache.add(key, rows, KEEP)
        except Exception:  # noqa: BLE001, S110  (a full or absent cache only costs a look-up next time)
            pass
    return rows


def team_subscribers(team_id: int, event_type: str) -> list[int]:
    """The ids of the team's active subscriptions that hear `event_type`."""
    return [pk for pk, events in team_subscriptions(team_id) if event_type in events]


def _mark_changed(team_id: int) -> None:
    try:
        cache.set(_key(team_id), CHANGED, CHANGED_HOLD)
    except Exception as exc:  # noqa: BLE001  (the entry runs out after KEEP seconds at most)
        logger.warning("webhooks: could not mark team %s's subscribers as changed: %s", team_id, exc)


def team_subscriptions_changed(team_id: int) -> None:
    """A subscription of the team changed: forget the team's entry now and when the change commits."""
    _mark_changed(team_id)
    transaction.on_commit(lambda: _mark_changed(team_id))


def on_subscription_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= NOT_ABOUT_LISTENING:
        return
    team_subscriptions_changed(instance.team_id)


def on_subscription_deleted(sender, instance, **kwargs) -> None:
    team_subscriptions_changed(instance.team_id)
