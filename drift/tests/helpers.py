"""What the drift tests share: logging through the real service, and the per-row reference."""

from interactions import scoring, services
from interactions.models import Interaction, LevelChange
from interactions.selectors import rubric_facts


def log(actor, customer, **facts):
    facts.setdefault("channel", "phone")
    return services.interaction_log(actor=actor, customer=customer, **facts)


def reference_levels() -> dict[int, tuple[int, int, list[int], str]]:
    """Every interaction's (assessed, level, omitted, reason) as logging computes it (rubric_facts, one
    row at a time): the set-based job must agree with it exactly."""
    out = {}
    for i in Interaction.objects.select_related("team").prefetch_related("deliveries").order_by("id"):
        facts = rubric_facts(team=i.team, customer_id=i.customer_id, at=i.occurred_at)
        a = facts.assess(
            channel=i.channel, promise_kept=i.promise_kept, issues=i.issues, matched_preference=i.matched_preference,
            gestures=[d.gesture_id for d in i.deliveries.all()],
        )
        out[i.id] = (a.level, scoring.final_level(a.level, i.customer_level), list(a.omitted), a.reason.encode())
    return out


def stored_levels() -> dict[int, tuple[int, int, list[int], str]]:
    return {
        pk: (assessed, level, list(omitted), reason)
        for pk, assessed, level, omitted, reason in Interaction.objects.order_by("id").values_list(
            "id", "assessed_level", "level", "omitted_gestures", "reason"
        )
    }


def rescore_history(run=None):
    qs = LevelChange.objects.filter(cause=LevelChange.Cause.RESCORE)
    if run is not None:
        qs = qs.filter(job_run=run)
    return list(qs.order_by("interaction_id").values_list("interaction_id", "old_level", "new_level"))
