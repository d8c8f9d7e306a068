from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .weeks import IsoWeek


class WeeklyReportQuery(forms.Form):
    """`?team=<id>&week=<YYYY-Www>` of the report's API, page, chart and CSV."""

    team = forms.IntegerField(label=_("Team"), min_value=1, error_messages={"required": _("Give the team's id.")})
    week = forms.CharField(label=_("Week"), max_length=16, error_messages={"required": _("Give the week as YYYY-Www.")})

    def clean_team(self):
        team = Team.objects.filter(pk=self.cleaned_data["team"]).first()
        if team is None:
            raise forms.ValidationError(_("No team with id %(id)s."), params={"id": self.cleaned_data["team"]}, code="unknown")
        return team

    def clean_week(self):
        return IsoWeek.parse(self.cleaned_data["week"])
