"""Article bodies: Markdown in, sanitised HTML out, with footnote links and blocks."""

import html as html_lib
import re

import markdown
import nh3
from django.utils.text import slugify

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
# With the whitespace before it, which becomes a no-break space (or a word
# joiner when there was none), so a marker never starts a line alone.
_MARKER_AND_SPACE = re.compile(r"(\s*)\[(\d{1,2})\]")
SECTION_HEADING = re.compile(r"<h2>(.*?)</h2>", re.S)
TAG = re.compile(r"<[^>]+>")


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
        number = int(match.group(2))
        if not 1 <= number <= reference_count:
            return match.group(0)
        glue = "\u00a0" if match.group(1) else "\u2060"
        return (
            f'{glue}<sup><a href="#ref-{number}" class="footnote-ref" '
            f'aria-label="Reference {number}">[{number}]</a></sup>'
        )

    return _MARKER_AND_SPACE.sub(replace, html)


def number_sections(html: str) -> tuple[str, list[tuple[str, str]]]:
    """Give each h2 of a body an id; return the HTML and [(id, plain title)].

    Ids are made after sanitising (nh3 drops ids an editor might write), are
    prefixed so they cannot collide with the page's own, and stay unique.
    """
    sections, seen = [], set()

    def replace(match):
        title = html_lib.unescape(TAG.sub("", match.group(1))).strip()
        base = "section-" + (slugify(title) or str(len(sections) + 1))
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        sections.append((anchor, title))
        return f'<h2 id="{anchor}">{match.group(1)}</h2>'

    return SECTION_HEADING.sub(replace, html), sections


def split_blocks(html: str):
    """Split rendered HTML into ("html", text) and ("block", name) parts."""
    parts, position = [], 0
    for match in BLOCK_PLACEHOLDER.finditer(html):
        parts.append(("html", html[position : match.start()]))
        parts.append(("block", match.group(1)))
        position = match.end()
    parts.append(("html", html[position:]))
    return [part for part in parts if part[1].strip()]
