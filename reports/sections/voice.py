"""The customer's voice in the week: ratings asked and given, how often and by how much the customer's
level differs from ours, and up to five comments in their own words, lowest first."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, F, Func, IntegerField, Q
from django.utils.translation import gettext as _

from interactions.levels import customer_words
from interactions.models import Interaction

from .base import ReportScope, Section, share

COMMENTS_SHOWN = 5


class _Abs(Func):
    function = "ABS"
    output_field = IntegerField()


@dataclass
class Comment:
    interaction_id: int
    level: int
    words: str
    comment: str
    rated_at: datetime


@dataclass
class VoiceFigures:
    asked: int = 0
    rated: int = 0
    rated_after_asking: int = 0
    differs: int = 0
    customer_higher: int = 0
    customer_lower: int = 0
    average_difference: float | None = None  # mean of |theirs - ours| over the week's ratings
    average_signed_difference: float | None = None  # mean of theirs - ours: below 0, they saw it worse
    comments: list[Comment] = field(default_factory=list)

    @property
    def differ_share(self) -> float | None:
        return share(self.differs, self.rated)


class VoiceSection(Section):
    key = "voice"

    def figures(self, scope: ReportScope) -> VoiceFigures:
        asked, rated = scope.within("rating_requested_at"), scope.within("rated_at")
        rows = Interaction.objects.filter(team=scope.team).filter(asked | rated)
        gap = F("customer_level") - F("assessed_level")
        figures = rows.aggregate(
            asked=Count("id", filter=asked),
            rated=Count("id", filter=rated),
            rated_after_asking=Count("id", filter=rated & Q(rating_requested_at__isnull=False)),
            differs=Count("id", filter=rated & ~Q(customer_level=F("assessed_level"))),
            customer_higher=Count("id", filter=rated & Q(customer_level__gt=F("assessed_level"))),
            customer_lower=Count("id", filter=rated & Q(customer_level__lt=F("assessed_level"))),
            average_difference=Avg(_Abs(gap), filter=rated),
            average_signed_difference=Avg(gap, filter=rated),
        )
        for key in ("average_difference", "average_signed_difference"):
            figures[key] = round(float(figures[key]), 2) if figures[key] is not None else None
        said = (
            Interaction.objects.filter(team=scope.team).filter(rated).exclude(customer_comment="")
            .order_by("customer_level", "-rated_at", "-id")
            .values_list("id", "customer_level", "customer_comment", "rated_at")[:COMMENTS_SHOWN]
        )
        figures["comments"] = [
            Comment(interaction_id=i, level=level, words=customer_words(level), comment=text, rated_at=at) for i, level, text, at in said
        ]
        return VoiceFigures(**figures)

    def shown(self, v: VoiceFigures, *, quiet: bool) -> bool:
        return not quiet or bool(v.asked or v.rated)

    def as_json(self, v: VoiceFigures) -> dict:
        return {
            "asked": v.asked,
            "rated": v.rated,
            "rated_after_asking": v.rated_after_asking,
            "differs": v.differs,
            "differ_share": v.differ_share,
            "customer_higher": v.customer_higher,
            "customer_lower": v.customer_lower,
            "average_difference": v.average_difference,
            "average_signed_difference": v.average_signed_difference,
            "comments": [
                {"interaction": c.interaction_id, "customer_level": c.level, "words": c.words, "comment": c.comment,
                 "rated_at": c.rated_at.isoformat()}
                for c in v.comments
            ],
        }

    def csv_rows(self, v: VoiceFigures) -> list[list]:
        rows = [
            ["voice", _("ratings asked"), v.asked, ""],
            ["voice", _("ratings given"), v.rated, ""],
            ["voice", _("given after our request"), v.rated_after_asking, ""],
            ["voice", _("their level differs from ours"), v.differs, ""],
            ["voice", _("they rated higher"), v.customer_higher, ""],
            ["voice", _("they rated lower"), v.customer_lower, ""],
            ["voice", _("average difference (levels)"), "" if v.average_difference is None else v.average_difference, ""],
        ]
        return rows + [["in their words", c.words, c.comment, c.level] for c in v.comments]


SECTION = VoiceSection()
