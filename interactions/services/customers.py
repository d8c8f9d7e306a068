"""Customers: adding, changing and removing them, and their special dates as yearly occasions."""

import re
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import user_is_member
from audit.services import audit_changes, audit_record
from core.errors import StateConflict

from ..models import Customer, Interaction, Occasion
from ..occasions import kind_for_label, special_date_month_day

SPECIAL_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")


def _check_customer(customer: Customer) -> None:
    """What full_clean cannot see: the personal contact serves this team; special dates are dates."""
    errors = {}
    contact = customer.personal_contact
    if contact is not None and not (contact.is_admin or contact.teams.filter(pk=customer.team_id).exists()):
        errors["personal_contact"] = [_("The personal contact must be a member of the customer's team.")]
    dates = customer.special_dates
    if not isinstance(dates, list) or len(dates) > 20:
        errors["special_dates"] = [_("A list of at most 20 dates.")]
    else:
        for entry in dates:
            ok = isinstance(entry, dict) and set(entry) <= {"label", "date"} and isinstance(entry.get("label"), str)
            ok = ok and 0 < len(entry["label"]) <= 80 and isinstance(entry.get("date"), str)
            match = SPECIAL_DATE.match(entry["date"]) if ok else None
            if match:
                year, month, day = int(match[1] or 2000), int(match[2]), int(match[3])  # 2000 allows 29 Feb
                try:
                    datetime(year, month, day)
                except ValueError:
                    match = None
            if not match:
                errors["special_dates"] = [_('Each date is {"label": "...", "date": "MM-DD" or "YYYY-MM-DD"}.')]
                break
    if errors:
        raise ValidationError(errors)


def special_dates_sync(*, customer: Customer) -> None:
    """The customer's special dates as yearly Occasion rows (what the radar reads), replacing the old ones."""
    Occasion.objects.filter(customer_id=customer.pk, interaction__isnull=True).delete()
    rows = []
    for entry in customer.special_dates or []:
        found = special_date_month_day(entry.get("date", ""))
        if found:
            label = str(entry.get("label", ""))[:80]
            rows.append(Occasion(team_id=customer.team_id, customer_id=customer.pk, kind=kind_for_label(label), label=label, month=found[0], day=found[1]))
    Occasion.objects.bulk_create(rows)


@transaction.atomic
def customer_create(*, actor: User, team: Team, **fields) -> Customer:
    if not user_is_member(actor, team.id):
        raise PermissionDenied(_("You can only add customers to your own teams."))
    customer = Customer(team=team, **fields)
    customer.full_clean()
    _check_customer(customer)
    customer.save()
    special_dates_sync(customer=customer)
    audit_record(actor=actor, action="customer.created", subject=f"customer {customer.pk}", team_id=team.id)
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, changes: dict) -> Customer:
    if not user_is_member(actor, customer.team_id):
        raise PermissionDenied(_("You can only change your own teams' customers."))
    changes.pop("team", None)  # a customer never moves team: their history stays where it was served
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {field: getattr(customer, field) for field in changes}
    for field, value in changes.items():
        setattr(customer, field, value)
    if "contact_opt_out" in changes and changes["contact_opt_out"] != before["contact_opt_out"]:
        customer.contact_opt_out_at = timezone.now() if customer.contact_opt_out else None
    customer.full_clean()
    _check_customer(customer)
    customer.save()
    if "special_dates" in changes:
        special_dates_sync(customer=customer)
    audit_changes(  # which fields, not their values: personal data stays out of the trail
        actor=actor, kind="customer", subject=f"customer {customer.pk}", before=before,
        after={field: getattr(customer, field) for field in changes}, team_id=customer.team_id, values=False,
    )
    return customer


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    """Only a customer without history can go: interactions, cases and bends keep theirs."""
    if not user_is_member(actor, customer.team_id):
        raise PermissionDenied(_("You can only remove your own teams' customers."))
    if Interaction.objects.filter(customer_id=customer.pk).exists():
        raise StateConflict(_("This customer has interactions; their history stays."), code="customer_has_history")
    customer_id, team_id = customer.pk, customer.team_id
    try:
        with transaction.atomic():
            customer.delete()
    except ProtectedError as exc:
        raise StateConflict(_("This customer is referred to by cases or rule bends."), code="customer_has_history") from exc
    audit_record(actor=actor, action="customer.deleted", subject=f"customer {customer_id}", team_id=team_id)
