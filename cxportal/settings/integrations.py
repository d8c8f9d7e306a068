"""Settings of the apps that talk to other systems: outbound webhooks and the inbox."""

from .environment import env

# --- Outbound webhooks (webhooks/) --------------------------------------------------------------
# URLs that resolve to private, loopback, link-local or metadata addresses are refused, at creation and
# at every send, unless this is on (a deployment whose receivers live on its own network).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# http:// URLs are refused where this is on (always in production).
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)
# One attempt's limit (connect, send, answer), and how much of an answer is read.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)

# --- The inbox (inbox/) ---------------------------------------------------------------------------
# fetch_email reads this mailbox (imaps://user:password@host[:port]/MAILBOX), every 5 minutes when set.
INBOX_IMAP_URL = env.str("INBOX_IMAP_URL", default="")
# A CA bundle to trust for the IMAP server (a private CA); the system's by default.
INBOX_IMAP_CAFILE = env.str("INBOX_IMAP_CAFILE", default="")
INBOX_IMAP_TIMEOUT_SECONDS = env.int("INBOX_IMAP_TIMEOUT_SECONDS", default=30)
# Providers' inbound webhooks (/anymail/<provider>/inbound/): each enabled one has its own basic-auth
# secret, "mailgun=user:password,postmark=user:password"; Mailgun also needs its signing key.
INBOX_WEBHOOK_SECRETS = env.dict("INBOX_WEBHOOK_SECRETS", default={})
INBOX_MAILGUN_SIGNING_KEY = env.str("INBOX_MAILGUN_SIGNING_KEY", default="")
# A body longer than this is cut (and marked so); a message larger than this many bytes is read only that far.
INBOX_MAX_BODY_CHARS = env.int("INBOX_MAX_BODY_CHARS", default=20000)
INBOX_MAX_MESSAGE_BYTES = env.int("INBOX_MAX_MESSAGE_BYTES", default=10 * 1024 * 1024)
