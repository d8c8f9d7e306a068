from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType


class SubscriptionForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500, help_text=_("Where the events are posted; https in production."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple)

    def add_service_errors(self, exc) -> None:
        for field, errors in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)
