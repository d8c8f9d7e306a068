"""Reading one inbound email, hostile or not, into plain values. Pure: no ORM, no network.

Bodies are stored as text and cut at INBOX_MAX_BODY_CHARS; HTML is reduced to text (scripts and
styles dropped, never kept as markup); attachments are counted and named, never kept; headers are
decoded and cut to their columns' lengths. Nothing here raises for what a sender can put in a mail.
"""

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

MESSAGE_ID_MAX = 255
SUBJECT_MAX = 300
NAME_MAX = 200
MAX_ATTACHMENT_NAMES = 50
MAX_REFERENCES = 50
_ID = re.compile(r"<([^<>\s]{1,900})>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class ReadMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    body: str
    body_truncated: bool
    from_html: bool
    attachments: list[dict] = field(default_factory=list)
    attachment_count: int = 0


class _TextOfHTML(HTMLParser):
    """The visible text of an HTML body: block ends become line breaks, scripts and styles vanish."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"}
    HIDDEN = {"script", "style", "head", "title", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHTML()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - a broken document still has text; fall back to dropping tags
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _clean(value, limit: int) -> str:
    return _CONTROL.sub(" ", str(value or "")).strip()[:limit]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except Exception:  # noqa: BLE001 - a header the parser cannot decode reads as missing
        return ""


def _ids(text: str) -> list[str]:
    return [i[:MESSAGE_ID_MAX] for i in _ID.findall(text or "")]


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - unknown charset or broken encoding: decode what is there
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def mail_read(raw: bytes | Message, *, max_body_chars: int) -> ReadMail:
    message = raw if isinstance(raw, Message) else message_from_bytes(raw, policy=policy.default)
    plain, markup, attachments, count = None, None, [], 0
    for part in message.walk() if message.is_multipart() else [message]:
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        content_type = part.get_content_type()
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            if part is message and content_type.startswith("text/"):
                pass  # a single-part text mail with a name is still its body
            else:
                count += 1
                if len(attachments) < MAX_ATTACHMENT_NAMES:
                    payload = part.get_payload(decode=True) or b""
                    attachments.append({
                        "name": _clean(filename or "(no name)", 200), "content_type": _clean(content_type, 100), "size": len(payload),
                    })
                continue
        if content_type == "text/plain" and plain is None:
            plain = _part_text(part)
        elif content_type == "text/html" and markup is None:
            markup = _part_text(part)
    from_html = plain is None and markup is not None
    body = plain if plain is not None else html_to_text(markup) if markup is not None else ""
    body = _CONTROL.sub("", body.replace("\r\n", "\n")).strip()
    truncated = len(body) > max_body_chars
    if truncated:
        body = body[:max_body_chars]

    name, address = parseaddr(_header(message, "From"))
    recipients = []
    for header in ("Delivered-To", "X-Original-To", "To", "Cc", "Envelope-To"):
        for _n, a in getaddresses([_header(message, header)]):
            if "@" in a and a.lower() not in recipients:
                recipients.append(a.lower()[:254])
    message_id = (_ids(_header(message, "Message-ID")) or [""])[0]
    if not message_id:  # none given: the same content gets the same id, so it is still imported once
        source = raw if isinstance(raw, bytes) else message.as_bytes(policy=policy.default.clone(linesep="\r\n"))
        message_id = "sha256-" + hashlib.sha256(source).hexdigest()
    try:
        sent_at = parsedate_to_datetime(_header(message, "Date")) if _header(message, "Date") else None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError, IndexError, OverflowError):
        sent_at = None
    return ReadMail(
        message_id=message_id,
        in_reply_to=_ids(_header(message, "In-Reply-To"))[:MAX_REFERENCES],
        references=_ids(_header(message, "References"))[-MAX_REFERENCES:],
        from_address=address.strip().lower()[:254] if "@" in address else "",
        from_name=_clean(name, NAME_MAX),
        recipients=recipients[:50],
        subject=_clean(_header(message, "Subject"), SUBJECT_MAX),
        sent_at=sent_at,
        body=body,
        body_truncated=truncated,
        from_html=from_html,
        attachments=attachments,
        attachment_count=count,
    )


__all__ = ["EmailMessage", "ReadMail", "html_to_text", "mail_read"]
