"""Demo inbox for `seed_demo` (idempotent: each mail has its Message-ID): Northwind Support receives
mail at support@northwind.example, and a few customers' mails wait to be assessed, one of them a
thread of two, one in HTML with attachments, one from a sender nobody knew yet."""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from interactions.models import Customer

from .models import InboxItem
from .services import inbox_receive

ADDRESS = "support@northwind.example"


def _mail(*, sender, subject, body, message_id, hours_ago, in_reply_to=None, html=None, attachments=()):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@demo.cxportal>"
    message["Date"] = format_datetime(timezone.now() - timedelta(hours=hours_ago))
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = f"<{in_reply_to}@demo.cxportal>"
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def seed_inbox(*, teams, users, stdout=None):
    team = next((t for t in teams if t.name == "Northwind Support"), teams[-1] if teams else None)
    if team is None:
        return
    if not team.inbox_address:
        type(team).objects.filter(pk=team.pk).update(inbox_address=ADDRESS)
    known = Customer.objects.filter(team=team).exclude(email="").order_by("id").first()
    sender = f"{known.name} <{known.email}>" if known else "Lena Vogel <lena@example.com>"
    mails = [
        _mail(sender=sender, subject="My replacement router never came", message_id="router-1", hours_ago=30,
              body="Hello,\n\nyou promised a replacement router by Friday. It is Tuesday and nothing has arrived.\n\nRegards"),
        _mail(sender=sender, subject="Re: My replacement router never came", message_id="router-2", hours_ago=6,
              in_reply_to="router-1", body="Still nothing. Could someone please call me back?"),
        _mail(sender="Tom Becker <tom.becker@example.net>", subject="Question about my invoice", message_id="invoice-1",
              hours_ago=3, body="Hi, my invoice shows two months of fees. Can you check?\n\nThanks, Tom"),
        _mail(sender="Ada Osei <ada.osei@example.org>", subject="Thank you!", message_id="thanks-1", hours_ago=1,
              body="Thank you for sorting out my account so quickly.",
              html="<p>Thank you for sorting out my account <b>so quickly</b>.</p><p>Ada</p>",
              attachments=[("screenshot.png", "image/png", b"\x89PNG demo")]),
    ]
    stored = sum(len(inbox_receive(raw=raw, source="demo")) for raw in mails)
    if stdout is not None and stored:
        waiting = InboxItem.objects.filter(team=team, status=InboxItem.Status.WAITING).count()
        stdout.write(f"inbox: {team.name}: {ADDRESS}, {waiting} conversations waiting to be assessed")
