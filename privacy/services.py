"""A customer's personal data: all of it as JSON on request, and erasure on request.

Erasing removes what identifies the person — name, contact details, preferences, their comments and
the notes written about them, their dates — and revokes every link they were sent. Their interactions,
levels, cases and bends stay, under an anonymous customer, so the team's figures do not change.
Both are for the team's managers and admins, and both leave an audit entry.

Free text in the append-only audit tables (case events, level changes) stays as it was written.
"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_manages
from audit.services import audit_record
from interactions.models import Customer, Interaction, Occasion
from notifications.models import OutboundEmail
from recovery.models import RecoveryCase, RuleBend

from .announcements import customer_erased

ERASED_NOTE = "Erased with the customer's personal data."


def _require_manager(actor: User, customer: Customer) -> None:
    if not user_manages(actor, customer.team_id):
        raise PermissionDenied(_("Only the team's managers and admins handle a customer's personal data."))


def _iso(value):
    return value.isoformat() if value is not None else None


def customer_export(*, actor: User, customer: Customer) -> dict:
    """Everything stored about this customer, as JSON-ready data."""
    _require_manager(actor, customer)
    interactions = (
        Interaction.objects.filter(customer_id=customer.pk).prefetch_related("gestures").order_by("occurred_at", "id")
    )
    cases = RecoveryCase.objects.filter(customer_id=customer.pk).order_by("opened_at", "id")
    bends = RuleBend.objects.filter(customer_id=customer.pk).select_related("rule").order_by("requested_at", "id")
    data = {
        "exported_at": _iso(timezone.now()),
        "customer": {
            "id": customer.pk,
            "team": customer.team_id,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "preferred_channel": customer.preferred_channel,
            "preferences": customer.preferences,
            "personal_contact": customer.personal_contact_id,
            "special_dates": customer.special_dates,
            "language": customer.language,
            "contact_opt_out": customer.contact_opt_out,
            "contact_opt_out_at": _iso(customer.contact_opt_out_at),
            "rating_requested_at": _iso(customer.rating_requested_at),
            "created_at": _iso(customer.created_at),
        },
        "interactions": [
            {
                "id": i.pk, "occurred_at": _iso(i.occurred_at), "channel": i.channel, "summary": i.summary,
                "promise_kept": i.promise_kept, "issues": i.issues, "matched_preference": i.matched_preference,
                "gestures": sorted(g.name for g in i.gestures.all()), "level": i.level,
                "assessed_level": i.assessed_level, "customer_level": i.customer_level,
                "customer_comment": i.customer_comment, "rated_at": _iso(i.rated_at),
                "rating_requested_at": _iso(i.rating_requested_at),
                "occasion": {"kind": i.occasion_kind, "date": i.occasion_date.isoformat()} if i.occasion_date else None,
            }
            for i in interactions
        ],
        "recovery_cases": [
            {
                "id": c.pk, "interaction": c.interaction_id, "severity": c.severity, "status": c.status,
                "opened_at": _iso(c.opened_at), "fixed_at": _iso(c.fixed_at), "surprised_at": _iso(c.surprised_at),
                "closed_at": _iso(c.closed_at), "close_reason": c.close_reason, "recovered_level": c.recovered_level,
                "customer_message": c.customer_message,
            }
            for c in cases
        ],
        "rule_bends": [
            {
                "id": b.pk, "rule": b.rule.name, "case": b.case_id, "justification": b.justification, "cost": str(b.cost),
                "status": b.status, "requested_at": _iso(b.requested_at), "decided_at": _iso(b.decided_at),
                "decision_note": b.decision_note,
            }
            for b in bends
        ],
    }
    audit_record(actor=actor, action="customer.exported", subject=f"customer {customer.pk}", team_id=customer.team_id)
    return data


def _outbox_scrub(email: str) -> int:
    """Mails to this address, sent or waiting, keep no trace of them: emptied, and never sent."""
    rows = OutboundEmail.objects.annotate(to_text=Cast("to", TextField())).filter(to_text__contains=f'"{email}"')
    unsent = Q(sent_at__isnull=True, dead_at__isnull=True)
    return rows.update(
        to=[], subject=ERASED_NOTE[:300], text="", html="", last_error="", render="", render_args=None,
        dead_at=Case(When(unsent, then=Value(timezone.now())), default=F("dead_at")),
    )


def _dead_link() -> tuple[str, str]:
    """A nonce and a digest that no token hashes to: the old links stop working and none replaces them."""
    return secrets.token_hex(16), secrets.token_hex(32)


@transaction.atomic
def customer_erase(*, actor: User, customer: Customer) -> Customer:
    _require_manager(actor, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    mails = _outbox_scrub(customer.email) if customer.email else 0
    customer.name = _("Erased customer %(id)s") % {"id": customer.pk}
    customer.email = ""
    customer.phone = ""
    customer.preferred_channel = ""
    customer.preferences = ""
    customer.personal_contact = None
    customer.special_dates = []
    customer.rating_requested_at = customer.contact_opt_out_at = None
    if customer.unsubscribe_nonce:
        customer.unsubscribe_nonce, customer.unsubscribe_digest = _dead_link()
    customer.save(update_fields=[
        "name", "email", "phone", "preferred_channel", "preferences", "personal_contact", "special_dates",
        "rating_requested_at", "contact_opt_out_at", "unsubscribe_nonce", "unsubscribe_digest",
    ])

    Occasion.objects.filter(customer_id=customer.pk).delete()  # their dates are personal data
    interactions = list(Interaction.objects.filter(customer_id=customer.pk).only("pk"))
    for interaction in interactions:
        interaction.summary = ""
        interaction.customer_comment = ""
        interaction.occasion_kind, interaction.occasion_date = "", None
        interaction.feedback_nonce, interaction.feedback_digest = _dead_link()
    Interaction.objects.bulk_update(
        interactions, ["summary", "customer_comment", "occasion_kind", "occasion_date", "feedback_nonce", "feedback_digest"]
    )

    cases = list(RecoveryCase.objects.filter(customer_id=customer.pk).only("pk"))
    for case in cases:
        case.close_reason = ERASED_NOTE if case.closed_at else ""
        case.customer_message = ""
        case.status_nonce, case.status_digest = _dead_link()
        case.recovered_nonce, case.recovered_digest = _dead_link()
    RecoveryCase.objects.bulk_update(
        cases, ["close_reason", "customer_message", "status_nonce", "status_digest", "recovered_nonce", "recovered_digest"]
    )
    RuleBend.objects.filter(customer_id=customer.pk).update(justification=ERASED_NOTE, decision_note="")
    customer_erased.send(sender=Customer, customer=customer)
    audit_record(
        actor=actor, action="customer.erased", subject=f"customer {customer.pk}", team_id=customer.team_id,
        new=f"{len(interactions)} interactions, {len(cases)} cases kept anonymous, {mails} mails emptied",
    )
    return customer
