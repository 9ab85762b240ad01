from django import template

from core import i18n

register = template.Library()


@register.simple_tag(takes_context=True)
def page_languages(context):
    """This page in each language (core.i18n.PageLanguages), or None without a
    request (an error page rendered for a refused Host header).

    A view whose main text exists in fewer languages than the interface puts
    them in the context as ``content_languages``.
    """
    request = context.get("request")
    if request is None:
        return None
    return i18n.page_languages(request, context.get("content_languages"))
