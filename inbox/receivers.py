"""Mail from a provider's inbound webhook (django-anymail parsed and verified it) into the inbox."""

from . import services


def on_inbound(sender, *, event, esp_name: str, **kwargs) -> None:
    message = event.message
    recipients = [message.envelope_recipient] if getattr(message, "envelope_recipient", None) else []
    services.inbox_receive(raw=message, source=esp_name, recipients=recipients)


def on_customer_erased(sender, *, customer, **kwargs) -> None:
    services.inbox_erase_customer(customer_id=customer.pk)
