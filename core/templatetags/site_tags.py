import json

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
