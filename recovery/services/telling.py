"""The mails and notices a case sends: written to the outbox (and the bell) in the caller's
transaction, sent after commit. The customer's in their language (`customer_email_enqueue`); the
staff's in theirs, with times in their time zone (`staff_notify`)."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_timezone
from interactions.customer_mail import customer_email_enqueue, customer_email_enqueue_to_render, customer_email_render
from interactions.levels import CUSTOMER_CHOICES
from interactions.models import Customer, Interaction
from notifications.services import RenderedEmail, staff_notify

from ..models import RecoveryCase
from .links import case_recovered_url, case_status_url


def case_page_url(case_id: int) -> str:
    return f"{settings.SITE_URL}{reverse('web:case-detail', args=[case_id])}"


def local_time(at: datetime) -> str:
    """A time as the recipient reads it (email_staff activates their time zone), zone named."""
    local = timezone.localtime(at)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


CASE_OPENED = "recovery.case_opened"  # the apology's renderer, registered with the outbox (RecoveryConfig.ready)


def email_case_opened(case: RecoveryCase) -> None:
    """The apology with the status link, at once: quiet hours never delay an apology. Its outbox row
    is written now, in the case's transaction, and rendered by the sender (`case_opened_render`):
    a fifth of the logs open a case, and the request skips the three templates."""
    # The logging service's customer when there is one: no query to find it again.
    customer = case.interaction.customer if case.interaction_id and Interaction.customer.is_cached(case.interaction) else None
    if customer is None:
        customer = Customer.objects.only("email").get(pk=case.customer_id)
    customer_email_enqueue_to_render(
        customer=customer, dedupe_key=f"case-{case.pk}-opened", render=CASE_OPENED, args={"case": case.pk},
    )


def case_opened_render(args: dict) -> RenderedEmail:
    case = RecoveryCase.objects.select_related("customer__team").get(pk=args["case"])
    return customer_email_render(
        customer=case.customer, template="email/case_opened", context={"case": case, "status_url": case_status_url(case)}
    )


def email_case_fixed(case: RecoveryCase) -> None:
    customer_email_enqueue(
        customer=case.customer, dedupe_key=f"case-{case.pk}-fixed", template="email/case_fixed",
        context={"case": case, "status_url": case_status_url(case), "message": case.customer_message},
    )


def email_recovered_link(case_id: int) -> None:
    """The recovered-level question: a question, so it waits for the end of the team's quiet hours."""
    case = RecoveryCase.objects.select_related("team", "customer__team").get(pk=case_id)
    url = case_recovered_url(case)
    choices = [{"level": int(level), "words": words, "url": f"{url}?level={int(level)}"} for level, words in CUSTOMER_CHOICES]
    customer_email_enqueue(
        customer=case.customer, dedupe_key=f"case-{case.pk}-recovered-link", template="email/case_recovered",
        context={"case": case, "rate_url": url, "choices": choices}, not_before=case.team.quiet_hours_over(timezone.now()),
    )


def tell_assigned(case: RecoveryCase, owner: User, actor: User | None, *, key: str) -> None:
    customer = case.customer
    url = case_page_url(case.pk)

    def render():
        what, due = case.deadline
        title = _("Case #%(id)s for %(customer)s is yours") % {"id": case.pk, "customer": customer.name}
        text = _("%(who)s gave you recovery case #%(id)s (%(severity)s) for %(customer)s. Due: %(due)s.\n\nOpen it: %(url)s\n") % {
            "who": actor.get_username() if actor else _("The system"), "id": case.pk, "severity": case.get_severity_display(),
            "customer": customer.name, "due": local_time(due) if due else "—", "url": url,
        }
        return title, text

    staff_notify(users=[owner], kind="case.assigned", dedupe_key=f"case-{case.pk}-assigned-{key}",
                 render=render, timezone_of=user_timezone, url=url)
