"""Password reset by email, with Django's own views; the mail goes through the outbox.

The link points at SITE_URL, never at the request's Host header (which a client chooses). Setting the
new password ends the user's sessions and API tokens (both are bound to the password hash).
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from notifications.services import email_enqueue


class OutboxPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        context = {**context, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}  # not the Host header
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        email_enqueue(to=[to_email], subject=subject, text=text)
