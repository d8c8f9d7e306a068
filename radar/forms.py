from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from recovery.models import Rule

from .models import Idea


class IdeaForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Idea.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    rule = forms.ModelChoiceField(label=_("Rule (for a dumb rule)"), queryset=Rule.objects.none(), required=False)
    story = forms.CharField(label=_("The story behind it"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, teams, rules, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        first = teams.first()
        if first is not None:
            self.fields["team"].initial = first.pk
        self.fields["rule"].queryset = rules


class IdeaDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
