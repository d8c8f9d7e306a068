"""The escalator in the week: gestures that lost a level, and customers who missed a gesture they expect."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from interactions import scoring
from interactions.levels import Level
from interactions.models import Gesture, GestureDrift, Interaction

from .base import ReportScope, Section

OMISSION_CUSTOMERS = 20


@dataclass
class DriftedGesture:
    gesture_id: int
    name: str
    effective_from: datetime
    old_level: int
    new_level: int

    @property
    def old_label(self):
        return Level(self.old_level).label

    @property
    def new_label(self):
        return Level(self.new_level).label


@dataclass
class Omission:
    customer_id: int
    customer_name: str
    times: int
    gestures: list[str]


@dataclass
class EscalatorFigures:
    drifted: list[DriftedGesture] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)
    interactions_with_omission: int = 0
    customers_with_omission: int = 0


class EscalatorSection(Section):
    key = "escalator"

    def figures(self, scope: ReportScope) -> EscalatorFigures:
        drifts = (
            GestureDrift.objects.filter(gesture__team=scope.team, effective_from__gte=scope.start, effective_from__lt=scope.end)
            .select_related("gesture")
            .order_by("effective_from", "gesture__name")
        )
        drifted = [
            DriftedGesture(
                gesture_id=d.gesture_id,
                name=d.gesture.name,
                effective_from=d.effective_from,
                old_level=scoring.effective_base_level(d.gesture.base_level, d.previous_offset),
                new_level=scoring.effective_base_level(d.gesture.base_level, d.offset),
            )
            for d in drifts
        ]
        omitted = Interaction.objects.filter(
            team=scope.team, occurred_at__gte=scope.start, occurred_at__lt=scope.end
        ).exclude(omitted_gestures=[])
        counts = omitted.aggregate(interactions=Count("id"), customers=Count("customer", distinct=True))
        figures = EscalatorFigures(
            drifted=drifted, interactions_with_omission=counts["interactions"], customers_with_omission=counts["customers"]
        )
        if counts["interactions"]:
            figures.omissions = _omissions(scope, omitted)
        return figures

    def shown(self, e: EscalatorFigures, *, quiet: bool) -> bool:
        return not quiet or bool(e.drifted or e.interactions_with_omission)

    def as_json(self, e: EscalatorFigures) -> dict:
        return {
            "drifted_gestures": [
                {
                    "gesture": d.gesture_id,
                    "name": d.name,
                    "effective_from": d.effective_from.isoformat(),
                    "old_level": d.old_level,
                    "old_label": str(d.old_label),
                    "new_level": d.new_level,
                    "new_label": str(d.new_label),
                }
                for d in e.drifted
            ],
            "interactions_with_omission": e.interactions_with_omission,
            "customers_with_omission": e.customers_with_omission,
            "omissions": [
                {"customer": o.customer_id, "name": o.customer_name, "times": o.times, "gestures": o.gestures}
                for o in e.omissions
            ],
        }

    def csv_rows(self, e: EscalatorFigures) -> list[list]:
        rows = [["gesture lost a level", d.name, str(d.old_label), str(d.new_label)] for d in e.drifted]
        rows += [
            ["escalator", _("interactions with an omitted gesture"), e.interactions_with_omission, ""],
            ["escalator", _("customers with an omitted gesture"), e.customers_with_omission, ""],
        ]
        return rows + [["omitted gesture", o.customer_name, o.times, ", ".join(o.gestures)] for o in e.omissions]


def _omissions(scope: ReportScope, omitted) -> list[Omission]:
    """The customers who missed an expected gesture most often, with the gestures they missed."""
    top = list(
        omitted.values("customer_id", "customer__name")
        .annotate(times=Count("id"))
        .order_by("-times", "customer__name", "customer_id")[:OMISSION_CUSTOMERS]
    )
    gesture_ids: dict[int, set[int]] = {row["customer_id"]: set() for row in top}
    for customer_id, ids in omitted.filter(customer_id__in=gesture_ids).values_list("customer_id", "omitted_gestures"):
        gesture_ids[customer_id].update(int(i) for i in ids)
    names = dict(Gesture.objects.filter(team=scope.team, id__in=set().union(*gesture_ids.values())).values_list("id", "name"))
    return [
        Omission(
            customer_id=row["customer_id"],
            customer_name=row["customer__name"],
            times=row["times"],
            gestures=sorted(names.get(i, f"#{i}") for i in gesture_ids[row["customer_id"]]),
        )
        for row in top
    ]


SECTION = EscalatorSection()
