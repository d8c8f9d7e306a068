"""Test mails, built with the standard library as a mail client would."""

from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, UTC

TEAM_ADDRESS = "support@team-a.example"


def mail(*, sender="Nina Nieuw <nina@example.org>", to=TEAM_ADDRESS, subject="Where is my order?", body="Hello,\nit did not arrive.",
         message_id="<m1@example.org>", in_reply_to=None, references=None, html=None, attachments=(), date=None):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or datetime(2026, 11, 30, 9, 15, tzinfo=UTC))
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    if html is not None and body is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message
