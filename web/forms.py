"""Forms of the staff pages. They only shape input; the services decide and refuse."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import USER_LANGUAGE_CHOICES, Team
from core.money import MoneyFormField
from core.validators import refuse_control_characters
from interactions.levels import Channel, Issue
from interactions.models import Gesture, OccasionKind


def _shape_fields(form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.setdefault("rows", 3)
        elif isinstance(field, forms.CharField) and refuse_control_characters not in field.validators:
            field.validators.append(refuse_control_characters)  # a one-line field holds one line


class StaffForm(forms.Form):
    """Labels without a trailing colon, short text areas, one-line fields without control characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _shape_fields(self)


class StaffModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _shape_fields(self)


class InteractionFactsForm(StaffForm):
    """What logging and correcting share: the team's gestures to choose from, and a time not in the future."""

    def __init__(self, *args, gestures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gestures"].choices = [(g.id, g.name) for g in gestures]

    def clean_occurred_at(self):
        at = self.cleaned_data.get("occurred_at")
        if at is not None and at > timezone.now():
            raise forms.ValidationError(_("An interaction cannot happen in the future."))
        return at


class LogInteractionForm(InteractionFactsForm):
    # One per rendering of the form: a second submit of the same form logs nothing new.
    nonce = forms.RegexField(r"^[A-Za-z0-9_-]{16,64}$", required=False, widget=forms.HiddenInput)
    customer = forms.IntegerField(label=_("Customer"), required=False)
    new_customer_name = forms.CharField(label=_("New customer's name"), max_length=200, required=False)
    new_customer_email = forms.EmailField(label=_("New customer's email"), required=False)
    new_customer_team = forms.IntegerField(label=_("Team"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    promise_kept = forms.BooleanField(label=_("Promise kept"), required=False)
    issues = forms.MultipleChoiceField(
        label=_("Issues"), choices=Issue.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    matched_preference = forms.BooleanField(label=_("Matched their preference"), required=False)
    gestures = forms.TypedMultipleChoiceField(label=_("Gestures"), coerce=int, required=False, choices=())
    summary = forms.CharField(label=_("Summary"), max_length=5000, required=False, widget=forms.Textarea)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now; fill in for a call logged after the fact."),
    )
    occasion_kind = forms.ChoiceField(label=_("Occasion"), choices=[("", "—"), *OccasionKind.choices], required=False)
    occasion_date = forms.DateField(label=_("occasion date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if bool(data.get("occasion_kind")) != bool(data.get("occasion_date")):
            self.add_error("occasion_date", _("An occasion needs its kind and its date."))
        if not data.get("customer") and not data.get("new_customer_name"):
            self.add_error("customer", _("Choose a customer, or type a new customer's name."))
        return data


class InteractionCorrectForm(InteractionFactsForm):
    """The facts of a logged interaction, to correct them (the same controls as logging)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    promise_kept = forms.BooleanField(label=_("Promise kept"), required=False)
    issues = forms.MultipleChoiceField(label=_("Issues"), choices=Issue.choices, required=False, widget=forms.CheckboxSelectMultiple)
    matched_preference = forms.BooleanField(label=_("Matched their preference"), required=False)
    gestures = forms.TypedMultipleChoiceField(
        label=_("Gestures"), coerce=int, required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("Summary"), max_length=5000, required=False, widget=forms.Textarea)
    note = forms.CharField(label=_("Why the correction"), max_length=500, required=False)



class CaseFixForm(StaffForm):
    note = forms.CharField(label=_("What was fixed"), max_length=4000, widget=forms.Textarea)
    customer_message = forms.CharField(
        label=_("Message to the customer (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent by email with the news that it is fixed, and shown on their status page. The note above stays internal."),
    )


class CaseSurpriseForm(StaffForm):
    gesture = forms.TypedChoiceField(label=_("Surprise gesture"), coerce=int, choices=())
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea)

    def __init__(self, *args, gestures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gesture"].choices = [("", _("Choose a gesture"))] + [(g.id, g.name) for g in gestures]


class CaseCloseForm(StaffForm):
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea)
    reason = forms.CharField(
        label=_("Reason for closing without a surprise"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason
        if not needs_reason:
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if self.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Write why the case closes without a surprise."))
        return data


class BendRequestForm(StaffForm):
    rule = forms.TypedChoiceField(label=_("Rule to bend"), coerce=int, choices=())
    justification = forms.CharField(label=_("Why bend it"), max_length=4000, widget=forms.Textarea)
    cost = MoneyFormField(label=_("Cost"), initial=Decimal("0"))
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("Choose a rule"))] + [(r.id, r.name) for r in rules]


class CaseAssignForm(StaffForm):
    owner = forms.ChoiceField(label=_("Owner"), choices=())

    def __init__(self, *args, members=(), me=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.me = me
        choices = [("", _("Choose someone in the team"))] + [(str(u.pk), u.get_full_name() or u.get_username()) for u in members]
        if me is not None:
            choices.append(("me", _("Me")))
        self.fields["owner"].choices = choices

    def clean_owner(self):
        owner = self.cleaned_data["owner"]
        return self.me.pk if owner == "me" else int(owner)


class CaseNoteForm(StaffForm):
    note = forms.CharField(label=_("Internal note"), max_length=4000, widget=forms.Textarea,
                           help_text=_("For the team only: the customer never sees it."))


class CaseBoardFilterForm(StaffForm):
    """The board's filters, in the URL (?owner=me&severity=1...): a filtered board can be bookmarked and shared."""

    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=())
    status = forms.ChoiceField(label=_("State"), required=False, choices=())
    severity = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None, choices=())
    overdue = forms.ChoiceField(label=_("Due"), required=False, choices=[("", _("Any")), ("true", _("Overdue")), ("false", _("On time"))])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices])

    def __init__(self, *args, members=(), statuses=(), severities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody yet"))] + [
            (str(u.pk), u.get_full_name() or u.get_username()) for u in members
        ]
        self.fields["status"].choices = [("", _("Any")), *statuses]
        self.fields["severity"].choices = [("", _("Any")), *severities]


class BendDecisionForm(StaffForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=4000, required=False)


def _channels_field():
    return forms.MultipleChoiceField(
        label=_("Offered on"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leaving out a recurring gesture counts only on these channels: an email omits no bread basket."),
    )


class GestureForm(StaffModelForm):
    channels = _channels_field()

    class Meta:
        model = Gesture
        fields = ["name", "description", "base_level", "recurring", "channels", "cost", "active"]
        field_classes = {"cost": MoneyFormField}


class TeamChoiceMixin:
    """A team field listing the teams the user manages (hidden choice when there is only one)."""

    def add_team_field(self, teams):
        self.fields["team"] = forms.TypedChoiceField(label=_("Team"), coerce=int, choices=[(t.id, t.name) for t in teams])
        self.teams = {t.id: t for t in teams}


class GestureCreateForm(TeamChoiceMixin, StaffModelForm):
    channels = _channels_field()

    class Meta:
        model = Gesture
        fields = ["name", "description", "base_level", "recurring", "channels", "cost"]
        field_classes = {"cost": MoneyFormField}

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_field(teams)


class RuleForm(TeamChoiceMixin, StaffForm):
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False, widget=forms.Textarea)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_team_field(teams)


class TeamSettingsForm(StaffModelForm):
    rating_request_channels = forms.MultipleChoiceField(
        label=_("Ask for a rating after"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Channels whose interactions are followed by a rating request by email. None: no requests."),
    )

    class Meta:
        model = Team
        fields = Team.TUNED_SETTINGS
        widgets = {"quiet_hours_start": forms.TimeInput(attrs={"type": "time"}), "quiet_hours_end": forms.TimeInput(attrs={"type": "time"})}
        field_classes = {"say_yes_threshold": MoneyFormField}


class InboxAssessForm(InteractionFactsForm):
    """The facts of a customer's mail: the log form's controls (the customer and time come from the mail)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    promise_kept = forms.BooleanField(label=_("Promise kept"), required=False, initial=True)
    issues = forms.MultipleChoiceField(label=_("Issues"), choices=Issue.choices, required=False, widget=forms.CheckboxSelectMultiple)
    matched_preference = forms.BooleanField(label=_("Matched their preference"), required=False)
    gestures = forms.TypedMultipleChoiceField(
        label=_("Gestures"), coerce=int, required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("Summary"), max_length=5000, required=False, widget=forms.Textarea)


class InboxDismissForm(StaffForm):
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


class ProfileForm(StaffForm):
    language = forms.ChoiceField(label=_("Language"), choices=USER_LANGUAGE_CHOICES, required=False)


class CustomerSearchForm(StaffForm):
    q = forms.CharField(label=_("Search customers"), max_length=100, required=False)


__all__ = [
    "BendDecisionForm",
    "CaseAssignForm",
    "CaseBoardFilterForm",
    "CaseNoteForm",
    "BendRequestForm",
    "CaseCloseForm",
    "CaseFixForm",
    "CaseSurpriseForm",
    "CustomerSearchForm",
    "GestureCreateForm",
    "GestureForm",
    "InboxAssessForm",
    "InboxDismissForm",
    "InteractionCorrectForm",
    "LogInteractionForm",
    "ProfileForm",
    "RuleForm",
    "TeamSettingsForm",
]
