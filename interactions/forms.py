from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from .levels import Level


class FeedbackForm(forms.Form):
    """The customer's own rating: one of the six levels, and a comment if they like."""

    level = forms.TypedChoiceField(
        label=_("How was it for you?"),
        choices=Level.choices,
        coerce=int,
        error_messages={"required": _("Choose one of the six answers."), "invalid_choice": _("Choose one of the six answers.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[ProhibitNullCharactersValidator()],
    )


class CommentForm(forms.Form):
    """After the rating: the customer's words, if they want to add any."""

    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[ProhibitNullCharactersValidator()],
        error_messages={"required": _("Write a few words, or just close this page.")},
    )
