"""Mail: how it leaves (SMTP, a provider's API, or files under var/mail/ by default), and the
outbox's and the weekly report's limits."""

import os

from .environment import VAR_DIR, env

# EMAIL_URL (smtp://user:pass@host:port) or EMAIL_HOST/EMAIL_PORT; by default mail is written
# as files under var/mail/ where a developer can read it.
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# EMAIL_PROVIDER (e.g. "postmark", "mailgun", "amazon_ses", "sendgrid") sends through that provider's
# API with django-anymail instead of SMTP; its settings come from ANYMAIL_* variables, e.g.
# ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY (docs/voice.md). SMTP stays the default.
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
EMAIL_TIMEOUT = 20
# An outbox email that failed this many times (about 4.5 hours of backoff at 10) is a dead letter:
# no more retries, shown on the jobs page and in /healthz. One that can never be sent dies at once.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CX Portal <cxportal@localhost>")
# The address in the mailto: half of List-Unsubscribe (default: the sender's address).
UNSUBSCRIBE_MAILTO = env.str("UNSUBSCRIBE_MAILTO", default="")
# A weekly-report send that has shown no progress for this long is a crashed sender; another run takes over.
WEEKLY_REPORT_STALE_SECONDS = env.int("WEEKLY_REPORT_STALE_SECONDS", default=30 * 60)
