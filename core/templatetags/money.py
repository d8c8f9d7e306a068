from django import template

from core.money import money_text

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    """{{ bend.cost|money:team.currency }}: the amount with its currency, in the viewer's language."""
    return money_text(amount, currency)
