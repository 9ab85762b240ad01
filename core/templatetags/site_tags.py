import json
from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def jsonld(data):
    """Serialise a dict for a <script type="application/ld+json"> element.

    <, > and & are escaped so no value can close the script element early.
    """
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # nosec B308 B703 # <, > and & escaped above


@register.filter
def dollars(amount):
    """550 -> "$550", 3000 -> "$3,000", 12.5 -> "$12.50": whole dollars unless cents."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    text = (
        f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    )
    return f"${text}"
