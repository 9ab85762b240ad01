from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.facts import fill_facts_html
from pages.rendering import (
    link_footnotes,
    markdown_to_safe_html,
    number_sections,
    split_blocks,
)

register = template.Library()

# Blocks an editor may place in a body with [[name]]; each is a site template.
BLOCK_TEMPLATES = {
    "regulatory-status": "includes/regulatory_status.html",
    "location-prices": "includes/location_prices.html",
}


def _rendered_body(article):
    """The body's HTML with section ids, and its sections; once per request."""
    if hasattr(article, "_rendered_body"):
        return article._rendered_body
    references = getattr(article, "reference_list", None)
    if references is None:
        references = list(article.references.all())
    # An edition (pages.models.ArticleEdition) shares the article's pk, so
    # its language is part of the key.
    language = getattr(article, "language", "")
    key = (
        f"article-html:v2:{article.pk}:{language}:{article.updated_at.timestamp()}"
        f":{len(references)}"
    )
    # A preview's body is not the live one stored under the same key.
    html = None if getattr(article, "is_preview", False) else cache.get(key)
    if html is None:
        html = link_footnotes(markdown_to_safe_html(article.body), len(references))
        if not getattr(article, "is_preview", False):
            cache.set(key, html, 24 * 3600)
    # Facts are filled after the cache, so a change to the registry is never
    # hidden behind a stored copy of the body.
    article._rendered_body = number_sections(fill_facts_html(html))
    return article._rendered_body


@register.simple_tag
def article_sections(article):
    """[(id, title)] of the body's h2 sections, for the contents list."""
    return _rendered_body(article)[1]


@register.simple_tag(takes_context=True)
def article_body(context, article):
    """Render an article's Markdown body: sanitised, footnotes linked, blocks filled."""
    html = _rendered_body(article)[0]
    out = []
    for kind, value in split_blocks(html):
        if kind == "html":
            out.append(value)
        elif value in BLOCK_TEMPLATES:
            out.append(render_to_string(BLOCK_TEMPLATES[value], context.flatten()))
    # Safe: nh3 sanitised the HTML in markdown_to_safe_html, and each block is
    # one of our own autoescaped templates.
    body = "".join(out)
    return mark_safe(body)  # nosec B308 B703 # sanitised, see above


@register.filter
def initials(name):
    """ "Dr. Elena Rivera" -> "ER": the letters on a clinician's illustrated picture."""
    words = [w for w in str(name).replace(".", ". ").split() if not w.endswith(".")]
    return "".join(w[0] for w in words[:1] + words[-1:][: len(words) > 1]).upper()
