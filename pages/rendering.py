"""Article bodies: Markdown in, sanitised HTML out, with footnote links and blocks."""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "hr",
    "br",
    "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}

# A placeholder an editor puts on a line of its own, e.g. [[regulatory-status]].
BLOCK_PLACEHOLDER = re.compile(r"<p>\[\[([a-z-]+)\]\]</p>")
FOOTNOTE_MARKER = re.compile(r"\[(\d{1,2})\]")


def markdown_to_safe_html(source: str) -> str:
    html = markdown.markdown(source, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def link_footnotes(html: str, reference_count: int) -> str:
    """Turn [n] into a link to reference n; numbers with no reference stay text."""

    def replace(match):
        number = int(match.group(1))
        if not 1 <= number <= reference_count:
            return match.group(0)
        return (
            f'<sup><a href="#ref-{number}" class="footnote-ref" '
            f'aria-label="Reference {number}">[{number}]</a></sup>'
        )

    return FOOTNOTE_MARKER.sub(replace, html)


def split_blocks(html: str):
    """Split rendered HTML into ("html", text) and ("block", name) parts."""
    parts, position = [], 0
    for match in BLOCK_PLACEHOLDER.finditer(html):
        parts.append(("html", html[position : match.start()]))
        parts.append(("block", match.group(1)))
        position = match.end()
    parts.append(("html", html[position:]))
    return [part for part in parts if part[1].strip()]
