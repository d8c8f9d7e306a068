from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, a header row, at most 5 MB and 10,000 rows."))
    dry_run = forms.BooleanField(label=_("Only check the file, import nothing"), required=False)
