"""Reading a CSV file and checking each row, before anything is written. No ORM here except the
look-ups the row checks need (which customers and gestures exist), passed in by the service."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import LANGUAGE_CHOICES
from interactions.levels import Channel, Issue

from .models import ImportKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
TRUE, FALSE = {"true", "yes", "y", "1", "ja", "waar"}, {"false", "no", "n", "0", "nee", "onwaar"}
LIST_SEPARATOR = ";"


@dataclass
class RowError:
    row: int  # the line in the file (the header is line 1)
    field: str
    messages: list[str]


@dataclass
class Table:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class YesNoField(forms.CharField):
    def __init__(self, *, default: bool | None = None, **kwargs):
        self.default_value = default
        super().__init__(required=default is None, **kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").strip().lower()
        if not text and self.default_value is not None:
            return self.default_value
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValidationError(_("Write true or false."))


class ListField(forms.CharField):
    """Values separated by semicolons: "late;chased"."""

    def clean(self, value):
        text = super().clean(value) or ""
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


class CustomerRow(forms.Form):
    external_id = forms.CharField(max_length=100)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    preferred_channel = forms.ChoiceField(choices=[("", "—"), *Channel.choices], required=False)
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class InteractionRow(forms.Form):
    external_id = forms.CharField(max_length=100)
    customer = forms.CharField(max_length=100, help_text=gettext_lazy("the external id of an imported customer"))
    channel = forms.ChoiceField(choices=Channel.choices)
    occurred_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"])
    summary = forms.CharField(max_length=5000, required=False)
    promise_kept = YesNoField()
    issues = ListField(required=False)
    matched_preference = YesNoField(default=False)
    gestures = ListField(required=False)

    def clean_issues(self):
        issues = self.cleaned_data["issues"]
        unknown = [i for i in issues if i not in Issue.values]
        if unknown:
            raise ValidationError(_("Unknown issue(s): %(issues)s. Choose from: %(known)s.") % {
                "issues": ", ".join(unknown), "known": ", ".join(Issue.values)})
        return issues


FORMS = {ImportKind.CUSTOMERS: CustomerRow, ImportKind.INTERACTIONS: InteractionRow}
REQUIRED_COLUMNS = {
    ImportKind.CUSTOMERS: ["external_id", "name"],
    ImportKind.INTERACTIONS: ["external_id", "customer", "channel", "occurred_at", "promise_kept"],
}


def columns_of(kind: str) -> list[str]:
    return list(FORMS[kind].base_fields)


def table_read(*, kind: str, data: bytes, tz) -> Table:
    """Every row checked on its own: a cleaned dict per good row, the errors of every bad one."""
    table = Table()
    if len(data) > MAX_BYTES:
        table.errors.append(RowError(0, "file", [_("The file is larger than 5 MB: split it.")]))
        return table
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        table.errors.append(RowError(0, "file", [_("The file is not UTF-8 text: save it as CSV UTF-8.")]))
        return table
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
    if missing:
        table.errors.append(RowError(1, "file", [_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}]))
        return table
    reader.fieldnames = header
    form_class = FORMS[kind]
    try:
        for raw in reader:
            line = reader.line_num
            if len(table.rows) + len(table.errors) >= MAX_ROWS:
                table.errors.append(RowError(line, "file", [_("At most %(n)d rows per file: split it.") % {"n": MAX_ROWS}]))
                break
            values = {k: (v or "").strip() for k, v in raw.items() if k is not None and k in form_class.base_fields}
            if not any(values.values()):
                continue  # a blank line
            form = form_class(values)
            with timezone.override(tz):  # a time without a zone is the team's local time
                valid = form.is_valid()
            if valid:
                table.rows.append((line, form.cleaned_data))
            else:
                for name, messages in form.errors.items():
                    table.errors.append(RowError(line, name, list(messages)))
    except csv.Error as exc:
        table.errors.append(RowError(reader.line_num, "file", [_("This is not valid CSV: %(error)s") % {"error": exc}]))
    return table


def occurred_order(row: dict) -> tuple[datetime, str]:
    return row["occurred_at"], row["external_id"]
