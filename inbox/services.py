"""The inbox: a customer's email becomes a conversation waiting to be assessed in the team's inbox;
ticking its facts logs it as an interaction (scored, and a case when it was Criminal or Basic).

Mail comes from a provider's inbound webhook (django-anymail) or from `fetch_email` (IMAP); both end
in `inbox_receive`. The team is the one whose inbox address the mail was sent to; the customer is
the team's customer with the sender's address (a new customer when there is none); a reply (by
In-Reply-To or References) joins its conversation. The same Message-ID is never imported twice.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import StateConflict
from accounts.models import Team, User
from accounts.selectors import user_is_member
from audit.services import audit_record
from interactions.models import Customer, Interaction
from interactions.services import EARLIEST_OCCURRED_AT, interaction_log

from .mail import ReadMail, mail_read
from .models import InboxItem, InboxMessage

logger = logging.getLogger(__name__)
SUMMARY_MAX = 5000


def _teams_for(mail: ReadMail, recipients: list[str]) -> list[Team]:
    addresses = {a.strip().lower() for a in [*recipients, *mail.recipients] if a}
    if not addresses:
        return []
    return list(Team.objects.filter(inbox_address__in=addresses).order_by("id"))


def _sent_at(mail: ReadMail, now: datetime) -> datetime:
    """The Date header when it is believable, else the time it arrived."""
    sent = mail.sent_at
    if sent is None or sent > now or sent < EARLIEST_OCCURRED_AT:
        return now
    return sent


def _customer_for(team: Team, mail: ReadMail) -> Customer:
    customer = (
        Customer.objects.filter(team=team).annotate(email_lower=Lower("email")).filter(email_lower=mail.from_address)
        .order_by("id").first()
    )
    if customer is not None:
        return customer
    name = mail.from_name or mail.from_address.split("@")[0]
    customer = Customer(team=team, name=name[:200], email=mail.from_address, preferred_channel="email")
    customer.full_clean()
    customer.save()
    audit_record(actor=None, action="customer.created", subject=f"customer {customer.pk} (from the inbox)", team_id=team.id)
    return customer


def inbox_receive(*, raw, source: str, recipients: list[str] | None = None) -> list[InboxMessage]:
    """File one inbound email in the inbox of each team it was addressed to; returns the messages
    stored (none: no team's address, no sender address, or already imported)."""
    mail = mail_read(raw, max_body_chars=settings.INBOX_MAX_BODY_CHARS)
    if not mail.from_address:
        logger.info("inbox: mail %s has no sender address; skipped", mail.message_id)
        return []
    teams = _teams_for(mail, recipients or [])
    if not teams:
        logger.info("inbox: mail %s is addressed to no team's inbox address; skipped", mail.message_id)
        return []
    stored = []
    for team in teams:
        try:
            with transaction.atomic():
                message = _file(team, mail, source)
        except IntegrityError:  # the same Message-ID arrived at the same moment by another path
            message = None
        except ValidationError as exc:  # a sender address no customer can have: skipped, never retried forever
            logger.info("inbox: mail %s from %r skipped: %s", mail.message_id, mail.from_address, exc)
            message = None
        if message is not None:
            stored.append(message)
    return stored


def _file(team: Team, mail: ReadMail, source: str) -> InboxMessage | None:
    if InboxMessage.objects.filter(team=team, message_id=mail.message_id).exists():
        return None
    now = timezone.now()
    sent_at = _sent_at(mail, now)
    thread_ids = [*mail.in_reply_to, *reversed(mail.references)]
    earlier = (
        InboxMessage.objects.filter(team=team, message_id__in=thread_ids).select_related("item").order_by("-id").first()
        if thread_ids else None
    )
    item = None
    if earlier is not None:
        item = InboxItem.objects.select_for_update().get(pk=earlier.item_id)
        if item.status != InboxItem.Status.WAITING:
            # Already assessed (or dismissed): the reply is news, a new conversation that follows it.
            item = InboxItem.objects.create(
                team=team, customer=item.customer, subject=mail.subject, last_message_at=sent_at, follows=item
            )
    if item is None:
        item = InboxItem.objects.create(team=team, customer=_customer_for(team, mail), subject=mail.subject, last_message_at=sent_at)
    elif sent_at > item.last_message_at:
        item.last_message_at = sent_at
        item.save(update_fields=["last_message_at"])
    return InboxMessage.objects.create(
        item=item, team=team, message_id=mail.message_id, in_reply_to=mail.in_reply_to, references=mail.references,
        from_address=mail.from_address, from_name=mail.from_name, subject=mail.subject, sent_at=sent_at,
        body=mail.body, body_truncated=mail.body_truncated, from_html=mail.from_html, attachments=mail.attachments,
        attachment_count=mail.attachment_count, source=source[:30],
    )


def _item_locked(*, actor: User, item: InboxItem) -> InboxItem:
    if not user_is_member(actor, item.team_id):
        raise PermissionDenied(_("You can only work your own teams' inbox."))
    item = InboxItem.objects.select_for_update(of=("self",)).select_related("customer", "team").get(pk=item.pk)
    if item.status != InboxItem.Status.WAITING:
        raise StateConflict(_("This mail was already %(status)s.") % {"status": item.get_status_display().lower()}, code="inbox_decided")
    return item


def inbox_summary(item: InboxItem) -> str:
    """What the interaction's summary says by default: the subject and the first message's text."""
    first = item.messages.order_by("sent_at", "id").first()
    text = "\n\n".join(filter(None, [item.subject, first.body if first else ""]))
    return text[:SUMMARY_MAX]


@transaction.atomic
def inbox_assess(
    *, actor: User, item: InboxItem, promise_kept: bool, issues=(), matched_preference: bool = False, gestures=(),
    summary: str | None = None, channel: str = "email",
) -> Interaction:
    """Tick the facts of a waiting mail: it is logged as an interaction (at the time the first mail was
    sent), scored by the rubric, a case opens when it is Criminal or Basic. Once: then 409."""
    item = _item_locked(actor=actor, item=item)
    first = item.messages.order_by("sent_at", "id").first()
    interaction = interaction_log(
        actor=actor, customer=item.customer_id, channel=channel,
        occurred_at=first.sent_at if first else item.created_at,
        summary=(summary if summary is not None else inbox_summary(item))[:SUMMARY_MAX],
        promise_kept=promise_kept, issues=issues, matched_preference=matched_preference, gestures=gestures,
    )
    item.status = InboxItem.Status.ASSESSED
    item.interaction = interaction
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "interaction", "decided_by", "decided_at"])
    audit_record(actor=actor, action="inbox.assessed", subject=f"inbox {item.pk}", new=f"interaction {interaction.pk}", team_id=item.team_id)
    return interaction


@transaction.atomic
def inbox_dismiss(*, actor: User, item: InboxItem, reason: str = "") -> InboxItem:
    """Not a customer matter (spam, an auto-reply): out of the inbox, never scored. Who and why are kept."""
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most 300 characters.")]})
    item = _item_locked(actor=actor, item=item)
    item.status = InboxItem.Status.DISMISSED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.dismiss_reason = reason
    item.save(update_fields=["status", "decided_by", "decided_at", "dismiss_reason"])
    audit_record(actor=actor, action="inbox.dismissed", subject=f"inbox {item.pk}", new=reason, team_id=item.team_id)
    return item


ERASED = "Erased with the customer's personal data."


def inbox_erase_customer(*, customer_id: int) -> int:
    """A customer's erasure reaches their mail: bodies, names, addresses and subjects emptied, the
    attachments' names dropped (the Message-IDs stay, so the same mail is not imported again).
    A waiting conversation is dismissed: there is nothing left to assess."""
    items = InboxItem.objects.filter(customer_id=customer_id)
    count = InboxMessage.objects.filter(item__in=items).update(
        body="", from_name="", from_address="erased@invalid", subject="", attachments=[], in_reply_to=[], references=[]
    )
    items.filter(status=InboxItem.Status.WAITING).update(status=InboxItem.Status.DISMISSED, dismiss_reason=ERASED, decided_at=timezone.now())
    items.update(subject="")
    return count
