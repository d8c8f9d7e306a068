"""Rule bends in the week: asked, decided, their cost, and the rules bent most (the dumb-rule candidates)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from recovery.models import RuleBend

from .base import ReportScope, Section

TOP_RULES = 5


@dataclass
class TopRule:
    rule_id: int
    name: str
    asked: int
    approved: int


@dataclass
class BendFigures:
    asked: int = 0
    approved: int = 0
    auto_approved: int = 0
    rejected: int = 0
    still_pending: int = 0
    cost_approved: Decimal = Decimal("0.00")
    top_rules: list[TopRule] = field(default_factory=list)


class BendsSection(Section):
    key = "bends"

    def figures(self, scope: ReportScope) -> BendFigures:
        asked = scope.within("requested_at")
        decided = scope.within("decided_at")
        approved = decided & Q(status=RuleBend.Status.APPROVED)
        figures = (
            RuleBend.objects.filter(team=scope.team)
            .filter(asked | decided)
            .aggregate(
                asked=Count("id", filter=asked),
                approved=Count("id", filter=approved),
                auto_approved=Count("id", filter=approved & Q(auto_approved=True)),
                rejected=Count("id", filter=decided & Q(status=RuleBend.Status.REJECTED)),
                still_pending=Count("id", filter=asked & Q(status=RuleBend.Status.PENDING)),
                cost_approved=Sum("cost", filter=approved),
            )
        )
        # Two places whatever the database (SQLite's SUM of a decimal drops them).
        figures["cost_approved"] = (figures["cost_approved"] or Decimal("0")).quantize(Decimal("0.01"))
        top = (
            RuleBend.objects.filter(team=scope.team)
            .filter(asked)
            .values("rule_id", "rule__name")
            .annotate(n=Count("id"), n_approved=Count("id", filter=Q(status=RuleBend.Status.APPROVED)))
            .order_by("-n", "rule__name")[:TOP_RULES]
        )
        figures["top_rules"] = [
            TopRule(rule_id=r["rule_id"], name=r["rule__name"], asked=r["n"], approved=r["n_approved"]) for r in top
        ]
        return BendFigures(**figures)

    def shown(self, b: BendFigures, *, quiet: bool) -> bool:
        return not quiet or bool(b.asked or b.approved or b.rejected)

    def as_json(self, b: BendFigures) -> dict:
        return {
            "asked": b.asked,
            "approved": b.approved,
            "auto_approved": b.auto_approved,
            "rejected": b.rejected,
            "still_pending": b.still_pending,
            "cost_approved": str(b.cost_approved),
            "top_rules": [{"rule": t.rule_id, "name": t.name, "asked": t.asked, "approved": t.approved} for t in b.top_rules],
        }

    def csv_rows(self, b: BendFigures) -> list[list]:
        rows = [
            ["bends", _("asked"), b.asked, ""],
            ["bends", _("approved"), b.approved, ""],
            ["bends", _("approved automatically"), b.auto_approved, ""],
            ["bends", _("rejected"), b.rejected, ""],
            ["bends", _("still pending"), b.still_pending, ""],
            ["bends", _("cost approved"), b.cost_approved, ""],
        ]
        return rows + [["top bent rule", t.name, t.asked, t.approved] for t in b.top_rules]


SECTION = BendsSection()
